#pragma once

// `draaischijf-hub audit verify`: the audit log checked against the record log
// (docs/PROTOCOL.md 13.4, docs/OPERATIONS.md "Verifying the audit log"). Every audit row's
// record hash is recomputed and found at its index in the record log; every entry of the log
// belongs to a row (or to the oldest rows retention deleted); the stored tree nodes are
// recomputed from the entries; and, given a checkpoint the hub signed earlier (a witnessed one,
// say), the current log must extend it. Each finding names the row id or the index.

#include <cstdint>
#include <string>
#include <vector>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::audit_verify {

struct Report {
  std::uint64_t rows = 0;           // audit rows in the record log, each checked
  std::uint64_t rows_unlogged = 0;  // rows from before the record log (hub database < 15)
  std::uint64_t entries = 0;        // the record log's size
  std::uint64_t purged = 0;         // leading entries whose rows retention deleted
  protocol::merkle::Hash root{};    // the head recomputed from the entries
  std::vector<std::string> problems;
  // The recomputed tree, for a checkpoint's root at its size.
  protocol::merkle::MemoryTree tree;
};

/// Reads everything on `db` (one read transaction, beside a running hub). An error is a
/// database that cannot be read; what does not match is in Report::problems.
[[nodiscard]] sqlite::Result<void> verify(sqlite::Database& db, Report& report);

/// Whether the recomputed log extends `checkpoint` (its origin and signature already checked):
/// a size beyond the log, or another root at its size, is a problem named in the text.
void check_checkpoint(const protocol::note::Checkpoint& checkpoint, Report& report);

}  // namespace draaischijf::server::audit_verify
