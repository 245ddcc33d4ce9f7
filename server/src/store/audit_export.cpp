#include "store/audit_export.hpp"

#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>
#include <draaischijf/server/store/sqlite.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "core/utc_time.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server::audit_export {
namespace {

// Both sources in kColumns' order after `record` and `at` (at_ms first); one statement, so the
// rows come out merged by time. ?3 is the organisation (NULL: any), ?4 the pupil (NULL: any).
constexpr std::string_view kSelect = R"sql(
SELECT 'audit', at_ms, event, org_id, device_id, message_id, pupil, user_id, role, on_behalf_of,
       legal_basis, rule_ids, policy_version, NULL, NULL, NULL, NULL, NULL, NULL, detail,
       0 AS source, id, record_index
  FROM audit
 WHERE at_ms BETWEEN ?1 AND ?2
   AND (?3 IS NULL OR org_id = ?3
        OR device_id IN (SELECT device_id FROM devices WHERE org_id = ?3))
   AND (?4 IS NULL OR pupil = ?4)
UNION ALL
SELECT 'disclosure', at_ms, 'disclosure', org_id, NULL, message_id, pupil, sender_staff,
       sender_role, NULL, legal_basis, rule_ids, policy_version, recipient_org,
       recipient_mailbox, kind, purpose, categories, approved_by, NULL, 1 AS source, id, NULL
  FROM disclosures
 WHERE at_ms BETWEEN ?1 AND ?2
   AND (?3 IS NULL OR org_id = ?3 OR recipient_org = ?3)
   AND (?4 IS NULL OR pupil = ?4)
 ORDER BY 2, source, id
)sql";

// The columns that hold ids and hashes (blobs): exported in hex.
bool is_id(std::string_view column) {
  for (const std::string_view id :
       {"org_id", "device_id", "message_id", "pupil", "recipient_org", "recipient_mailbox"}) {
    if (column == id) {
      return true;
    }
  }
  return false;
}

// The statement's columns (kSelect).
enum Column : int {
  kAtMs = 1,
  kOrg = 3,
  kMessage = 5,
  kPupil = 6,
  kUser = 7,
  kRole = 8,
  kLegalBasis = 10,
  kRuleIds = 11,
  kPolicyVersion = 12,
  kRecipientOrg = 13,
  kRecipientMailbox = 14,
  kKind = 15,
  kPurpose = 16,
  kCategories = 17,
  kApprovedBy = 18,
  kSource = 20,
  kId = 21,
  kRecordIndex = 22,
};
constexpr std::size_t kDeviceValue = 5;   // kColumns' device_id
constexpr std::size_t kDetailValue = 20;  // kColumns' detail

// The rows are proved against the checkpoint only if the log extends it.
protocol::Result<void> log_extends(sqlite::Database& db, const protocol::note::Checkpoint& seen) {
  auto size = log_size(db, LogId::record);
  if (!size) {
    return size.error();
  }
  if (seen.size > *size) {
    return protocol::tlog_errc::log_rollback;
  }
  auto root = protocol::merkle::tree_head(StoredLogTree(db, LogId::record), seen.size);
  if (!root) {
    return root.error();
  }
  if (*root != seen.root) {
    return protocol::tlog_errc::log_fork;
  }
  return {};
}

// The audit row whose entry proves the current statement row: the row itself, or for a
// disclosure the decision that put it in the register (its device and detail are copied into
// the row, so a reader can rebuild the entry from the exported row alone).
protocol::Result<std::optional<RowProof>> logged_row(sqlite::Database& db,
                                                     const sqlite::Statement& select, Row& row) {
  if (select.column_int64(kSource) == 0) {
    if (select.column_is_null(kRecordIndex)) {
      return std::optional<RowProof>();
    }
    return std::optional<RowProof>(
        RowProof{select.column_int64(kId),
                 static_cast<std::uint64_t>(select.column_int64(kRecordIndex)), std::nullopt});
  }
  const policies::Disclosure line{select.column_int64(kAtMs),
                                  rows::fixed<16>(select.column_blob(kMessage)),
                                  select.column_text(kUser),
                                  select.column_text(kRole),
                                  rows::fixed<16>(select.column_blob(kRecipientOrg)),
                                  rows::fixed<16>(select.column_blob(kRecipientMailbox)),
                                  select.column_text(kKind),
                                  select.column_text(kPurpose),
                                  select.column_text(kCategories),
                                  select.column_text(kLegalBasis),
                                  select.column_text(kRuleIds),
                                  select.column_text(kPolicyVersion),
                                  select.column_text(kApprovedBy)};
  auto decision = rows::decision_of(db, line, rows::fixed<16>(select.column_blob(kOrg)),
                                    rows::fixed<32>(select.column_blob(kPupil)));
  if (!decision) {
    return decision.error();
  }
  if (!*decision) {
    return std::optional<RowProof>();
  }
  row.values[kDeviceValue] = protocol::hex_encode((*decision)->row.device);
  row.values[kDetailValue] = (*decision)->row.detail;
  return std::optional<RowProof>(RowProof{(*decision)->row.id, (*decision)->index, std::nullopt});
}

// The row's proof at the checkpoint's size (none for an entry after it).
protocol::Result<std::optional<RowProof>> proof_of(sqlite::Database& db,
                                                   const sqlite::Statement& select, Row& row,
                                                   std::uint64_t size) {
  auto logged = logged_row(db, select, row);
  if (!logged || !*logged || (*logged)->index >= size) {
    return logged;
  }
  auto path =
      protocol::merkle::inclusion_proof(StoredLogTree(db, LogId::record), (*logged)->index, size);
  if (!path) {
    return path.error();
  }
  (*logged)->path = std::move(*path);
  return logged;
}

}  // namespace

protocol::Result<std::size_t> read(const std::filesystem::path& database, const Filter& filter,
                                   const std::function<void(const Row&)>& each) {
  auto db =
      sqlite::Database::open_unmigrated(database.string(), sqlite::Database::Access::read_write);
  if (!db) {
    return db.error();
  }
  if (filter.prove_against) {
    if (auto extends = log_extends(*db, *filter.prove_against); !extends) {
      return extends.error();
    }
  }
  auto select = db->prepare(kSelect);
  if (!select) {
    return select.error();
  }
  select->bind(1, filter.from_ms).bind(2, filter.to_ms);
  if (filter.org) {
    select->bind(3, *filter.org);
  } else {
    select->bind_null(3);
  }
  if (filter.pupil) {
    select->bind(4, *filter.pupil);
  } else {
    select->bind_null(4);
  }
  std::size_t count = 0;
  while (true) {
    auto more = select->step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      break;
    }
    Row row;
    row.values[0] = select->column_text(0);
    const std::int64_t at_ms = select->column_int64(1);
    row.values[1] = format_utc_ms(at_ms);
    row.values[2] = std::to_string(at_ms);
    for (std::size_t i = 3; i < kColumns.size(); ++i) {
      const int column = static_cast<int>(i - 1);
      if (select->column_is_null(column)) {
        continue;
      }
      row.values[i] = is_id(kColumns[i]) ? protocol::hex_encode(select->column_blob(column))
                                         : select->column_text(column);
    }
    if (filter.prove_against) {
      auto proof = proof_of(*db, *select, row, filter.prove_against->size);
      if (!proof) {
        return proof.error();
      }
      row.proof = std::move(*proof);
    }
    each(row);
    ++count;
  }
  return count;
}

}  // namespace draaischijf::server::audit_export
