#pragma once

// The hub's own statements in the directory log about what it enforces from files, not database
// rows (docs/PROTOCOL.md 13.4, kinds 6 and 7: the CRLs' revocations, the rule set): each is
// appended once, whenever it is read, in a writer job of its own before it is put in force.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

class Storage;

/// Appends `entry` to the directory log inside the caller's transaction unless the log already
/// holds an equal entry (by its leaf hash, as the by-hash lookup finds it). Returns whether it
/// was appended.
[[nodiscard]] sqlite::Result<bool> append_directory_entry_once(sqlite::Database& db,
                                                               std::span<const std::uint8_t> entry,
                                                               std::int64_t at_ms);

/// Logs each of `entries` the directory log does not hold yet (append_directory_entry_once),
/// all in one writer job, and waits for its COMMIT. Returns how many were appended;
/// sqlite::errc::busy when the writer's queue is full.
[[nodiscard]] sqlite::Result<std::size_t> log_statements(
    Storage& storage, std::vector<std::vector<std::uint8_t>> entries, std::int64_t at_ms);

}  // namespace draaischijf::server
