#include "store/audit_verify.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "store/store_rows.hpp"

namespace draaischijf::server::audit_verify {
namespace {

namespace merkle = protocol::merkle;
using Db = sqlite::Database;

std::string index_text(std::uint64_t i) { return "record-log entry " + std::to_string(i); }

// The entries in index order into the tree; a missing index is named.
sqlite::Result<std::vector<std::vector<std::uint8_t>>> read_entries(Db& db, Report& report) {
  auto select = db.prepare("SELECT idx, entry FROM log_entries WHERE log = ? ORDER BY idx");
  if (!select) {
    return select.error();
  }
  select->bind(1, static_cast<std::int64_t>(LogId::record));
  std::vector<std::vector<std::uint8_t>> entries;
  auto stepped = rows::for_each_row(*select, [&](const sqlite::Statement& row) {
    const auto idx = static_cast<std::uint64_t>(row.column_int64(0));
    if (idx != entries.size()) {
      report.problems.push_back(index_text(entries.size()) + " is missing from the log");
    }
    const auto blob = row.column_blob(1);
    entries.emplace_back(blob.begin(), blob.end());
    report.tree.append(merkle::leaf_hash(entries.back()));
  });
  if (!stepped) {
    return stepped.error();
  }
  return entries;
}

// Every stored subtree hash against the one recomputed from the entries.
sqlite::Result<void> check_nodes(Db& db, Report& report) {
  auto select =
      db.prepare("SELECT level, idx, hash FROM log_nodes WHERE log = ? ORDER BY level, idx");
  if (!select) {
    return select.error();
  }
  select->bind(1, static_cast<std::int64_t>(LogId::record));
  return rows::for_each_row(*select, [&](const sqlite::Statement& row) {
    const auto level = static_cast<unsigned>(row.column_int64(0));
    const auto idx = static_cast<std::uint64_t>(row.column_int64(1));
    const auto recomputed = report.tree.subtree(level, idx);
    const auto stored = row.column_blob(2);
    if (!recomputed ||
        !std::equal(stored.begin(), stored.end(), recomputed->begin(), recomputed->end())) {
      report.problems.push_back("stored tree node level " + std::to_string(level) + " index " +
                                std::to_string(idx) +
                                " does not match the entries (an edited node)");
    }
  });
}

// What retention says it deleted of the audit log (its own rows' "audit=N").
sqlite::Result<std::uint64_t> purged_by_retention(Db& db) {
  auto select = db.prepare("SELECT detail FROM audit WHERE event = 'retention.purged'");
  if (!select) {
    return select.error();
  }
  std::uint64_t total = 0;
  auto stepped = rows::for_each_row(*select, [&](const sqlite::Statement& row) {
    const std::string detail = row.column_text(0);
    if (const auto at = detail.find("audit="); at != std::string::npos) {
      total += std::stoull(detail.substr(at + 6));
    }
  });
  if (!stepped) {
    return stepped.error();
  }
  return total;
}

// Every audit row's hash at its index, indexes rising with the row ids; the indexes seen.
sqlite::Result<std::set<std::uint64_t>> check_rows(
    Db& db, const std::vector<std::vector<std::uint8_t>>& entries, Report& report) {
  auto select =
      db.prepare("SELECT " + std::string(rows::kAuditRecordColumns) + " FROM audit ORDER BY id");
  if (!select) {
    return select.error();
  }
  std::set<std::uint64_t> seen;
  std::optional<std::uint64_t> last;
  auto stepped = rows::for_each_row(*select, [&](const sqlite::Statement& row) {
    const auto id = row.column_int64(0);
    const std::string name = "audit row " + std::to_string(id);
    if (row.column_is_null(14)) {
      if (last) {
        report.problems.push_back(name +
                                  " has no record-log index but follows rows that do "
                                  "(added outside the hub)");
      }
      ++report.rows_unlogged;
      return;
    }
    ++report.rows;
    const auto index = static_cast<std::uint64_t>(row.column_int64(14));
    if (last && index <= *last) {
      report.problems.push_back(name + " is out of order: " + index_text(index) +
                                " does not follow " + index_text(*last) + " (reordered)");
    }
    last = index;
    seen.insert(index);
    if (index >= entries.size()) {
      report.problems.push_back(name + " names " + index_text(index) + ", beyond the log");
      return;
    }
    const auto logged = rows::audit_record_of(row);
    const auto hash = protocol::audit_record_entry(logged.row.view());
    const auto& entry = entries[index];
    if (!std::equal(hash.begin(), hash.end(), entry.begin(), entry.end())) {
      report.problems.push_back(name + " does not hash to " + index_text(index) +
                                " (the row or the entry was edited)");
    }
  });
  if (!stepped) {
    return stepped.error();
  }
  return seen;
}

}  // namespace

sqlite::Result<void> verify(Db& db, Report& report) {
  auto entries = read_entries(db, report);
  if (!entries) {
    return entries.error();
  }
  report.entries = entries->size();
  if (auto nodes = check_nodes(db, report); !nodes) {
    return nodes;
  }
  auto seen = check_rows(db, *entries, report);
  auto purged = purged_by_retention(db);
  if (!seen || !purged) {
    return !seen ? seen.error() : purged.error();
  }
  // Entries without a row: the oldest ones are retention's (no more than it says it deleted);
  // any other is a deleted row.
  const std::uint64_t first = seen->empty() ? report.entries : *seen->begin();
  report.purged = std::min<std::uint64_t>(first, *purged);
  for (std::uint64_t i = report.purged; i < report.entries; ++i) {
    if (!seen->contains(i)) {
      report.problems.push_back(index_text(i) + " has no audit row (a deleted row)");
    }
  }
  auto head = merkle::tree_head(report.tree, report.entries);
  if (!head) {
    return head.error();
  }
  report.root = *head;
  return {};
}

void check_checkpoint(const protocol::note::Checkpoint& checkpoint, Report& report) {
  if (checkpoint.size > report.entries) {
    report.problems.push_back("the checkpoint's size " + std::to_string(checkpoint.size) +
                              " is beyond the log's " + std::to_string(report.entries) +
                              " entries (entries were removed after it was signed)");
    return;
  }
  // The recomputed tree at the checkpoint's size has its root exactly when the current log
  // extends it (the consistency proof from it to the head verifies: RFC 9162 2.1.4).
  const auto at_size = merkle::tree_head(report.tree, checkpoint.size);
  auto proof = merkle::consistency_proof(report.tree, checkpoint.size, report.entries);
  const bool extends =
      at_size && *at_size == checkpoint.root &&
      (checkpoint.size == 0 || checkpoint.size == report.entries ||
       (proof && merkle::verify_consistency(checkpoint.size, report.entries, *proof,
                                            checkpoint.root, report.root)));
  if (!extends) {
    report.problems.push_back("the log does not extend the checkpoint of size " +
                              std::to_string(checkpoint.size) +
                              ": the entries up to it changed after it was signed");
  }
}

}  // namespace draaischijf::server::audit_verify
