#pragma once

// The audit log and the disclosure register as rows for the data-protection officer
// (`draaischijf-hub audit export`): who did what, and who received which categories about
// which pupil pseudonym, when, on which legal basis, under which rules, approved by whom.
// Only what the hub records: labels, pseudonymous ids and policy facts, never content (the hub
// has none). Read on a connection of its own beside a running hub (WAL).

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::server::audit_export {

/// The columns of every exported row, in order (CSV header, JSON keys).
inline constexpr std::array<std::string_view, 21> kColumns = {"record",        "at",
                                                              "at_ms",         "event",
                                                              "org_id",        "device_id",
                                                              "message_id",    "pupil",
                                                              "user_id",       "role",
                                                              "on_behalf_of",  "legal_basis",
                                                              "rule_ids",      "policy_version",
                                                              "recipient_org", "recipient_mailbox",
                                                              "kind",          "purpose",
                                                              "categories",    "approved_by",
                                                              "detail"};

/// What proves a row against a record-log checkpoint (docs/OPERATIONS.md "Exporting with
/// proofs"): the audit row whose entry the log holds (for a disclosure, the audit row of its
/// decision), that entry's index, and its inclusion proof in the checkpoint's tree (none when
/// the entry came after the checkpoint).
struct RowProof {
  std::int64_t row_id = 0;
  std::uint64_t index = 0;
  std::optional<std::vector<protocol::merkle::Hash>> path;
};

/// One row: "audit" (an audit log row) or "disclosure" (a disclosure register entry), its
/// values in kColumns' order; ids in lower-case hex, empty when the row has none. With proofs,
/// a disclosure's device_id and detail are those of its decision's audit row.
struct Row {
  std::array<std::string, kColumns.size()> values;
  /// Only when proofs were asked for, and only for a row the record log holds: not for one
  /// written before the log (hub database < 15) or a disclosure whose decision row retention
  /// deleted.
  std::optional<RowProof> proof;
};

struct Filter {
  std::int64_t from_ms = 0;  // inclusive
  std::int64_t to_ms = 0;    // inclusive
  /// The organisation's own rows: its audit rows (also those of its devices' deliveries and
  /// reads), and the disclosures it made or received.
  std::optional<protocol::Id> org;
  /// The rows about one pupil pseudonym (audit rows with that pupil, and its disclosures).
  std::optional<protocol::Hash256> pupil;
  /// Prove every row against this record-log checkpoint (its signature already checked): the
  /// database's log must extend it (tlog_errc::log_rollback when it is smaller, log_fork when
  /// its tree at that size has another root).
  std::optional<protocol::note::Checkpoint> prove_against;
};

/// Calls `each` for every row in [from, to] that passes the filter, oldest first (audit rows
/// before disclosures at the same millisecond). Reads data_dir/hub.db without changing it.
[[nodiscard]] protocol::Result<std::size_t> read(const std::filesystem::path& database,
                                                 const Filter& filter,
                                                 const std::function<void(const Row&)>& each);

}  // namespace draaischijf::server::audit_export
