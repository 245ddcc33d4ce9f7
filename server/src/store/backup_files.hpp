#pragma once

// What a backup and its check share: copying with both hashes, synced writes, row counts.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::backup {

/// What reading (and perhaps copying) one file found.
struct Streamed {
  std::uint64_t size = 0;
  std::string sha256;           // lower-case hex: the manifest's hash
  protocol::Hash256 blake2b{};  // BLAKE2b-256: the hash blob rows record
};

/// Reads `source` and hashes it; when `copy` is given, also writes it to that new file (0600,
/// synced). errc::blob_missing when `source` does not exist, errc::write_failed otherwise.
[[nodiscard]] protocol::Result<Streamed> stream_file(const std::filesystem::path& source,
                                                     const std::filesystem::path* copy);

/// fsync(2) of a folder, so the names written in it survive a crash.
[[nodiscard]] bool sync_folder(const std::filesystem::path& folder);

/// Creates `folder` (and its parents) and makes it 0700.
[[nodiscard]] bool make_private_folder(const std::filesystem::path& folder);

/// Writes `text` to `path` (0600) through a synced temporary file and a rename.
[[nodiscard]] bool write_atomically(const std::filesystem::path& path, std::string_view text);

/// The number of rows of every table of `db`, by table name.
[[nodiscard]] sqlite::Result<std::vector<std::pair<std::string, std::int64_t>>> row_counts(
    sqlite::Database& db);

}  // namespace draaischijf::server::backup
