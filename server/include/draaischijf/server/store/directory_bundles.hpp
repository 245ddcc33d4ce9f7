#pragma once

// The operator's signed directory bundles (protocol/directory_bundle.hpp, docs/PROTOCOL.md 12):
// each publication takes the next sequence number of this hub's database, so a bundle made
// later always carries a higher number, and is recorded with its hash and an audit row.

#include <cstdint>
#include <functional>
#include <vector>

#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

/// Makes the signed bundle's bytes for a sequence number, the organisations as they are and
/// the organisations removed (format v2's removal list).
using BundleSigner = std::function<protocol::Result<std::vector<std::uint8_t>>(
    std::uint64_t sequence, const std::vector<Organisation>& organisations,
    const std::vector<protocol::BundleRemoval>& removals)>;

/// In one writer transaction: reads every organisation and every removal, takes the sequence one
/// past the last bundle published from this database, has `sign` make the bundle, and records it
/// (sequence, time, count, hash; audit row `directory.bundle`). `done` gets the bytes after COMMIT;
/// false when the writer's queue is full (nothing happens).
[[nodiscard]] bool publish_directory_bundle(
    Storage& storage, BundleSigner sign, std::int64_t at_ms,
    std::function<void(sqlite::Result<std::vector<std::uint8_t>>)> done);

}  // namespace draaischijf::server
