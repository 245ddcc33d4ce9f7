#pragma once

// `draaischijf-hub audit check`: a DPO export with proofs (`audit export --checkpoint`) checked
// by someone without the hub's database (docs/OPERATIONS.md "Checking an export"). Every row is
// rebuilt into the audit row the record log holds (a disclosure into the audit row of its
// decision, whose detail must name the disclosure's own recipient, kind, purpose and
// categories) and proved at its index in the checkpoint's tree. The checkpoint's signatures are
// the caller's to check first. Each finding names the line.

#include <cstdint>
#include <istream>
#include <set>
#include <string>
#include <vector>

#include <draaischijf/protocol/note.hpp>

namespace draaischijf::server::export_check {

struct Report {
  std::uint64_t rows = 0;           // lines read
  std::uint64_t proved = 0;         // rows whose entry the checkpoint's tree holds as exported
  std::uint64_t without = 0;        // rows the export gives no proof for (before the log, after the
                                    // checkpoint, or a disclosure whose decision row was deleted)
  std::set<std::uint64_t> indexes;  // the proved rows' record-log indexes
  std::set<std::uint64_t> audit_indexes;       // those of the audit rows
  std::set<std::uint64_t> disclosure_indexes;  // those of the disclosures' decisions
  std::vector<std::string> problems;
  /// Indexes between the lowest and the highest proved one that no proved row holds: rows of
  /// the log the export left out (none in an export without --org or --pupil).
  [[nodiscard]] std::uint64_t gaps() const;
};

/// Reads the JSONL export from `in` (one object per line) and checks every row.
[[nodiscard]] Report check(std::istream& in, const protocol::note::Checkpoint& checkpoint);

}  // namespace draaischijf::server::export_check
