// The row helpers the stores share (store_rows.hpp): audit rows and the withdrawal of what
// waits under a revoked consent.

#include "store/store_rows.hpp"

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/log_frontier.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

namespace draaischijf::server::rows {
namespace {

// The row, then its record-log entry at the index the row names, in the caller's transaction.
sqlite::Result<RecordedRow> insert_row(sqlite::Database& db, std::int64_t at_ms,
                                       std::string_view event, std::span<const std::uint8_t> org,
                                       std::span<const std::uint8_t> device,
                                       std::span<const std::uint8_t> message,
                                       std::string_view detail, const AuditSubject& subject) {
  // The row names where its hash goes in the record log (the log's next index, from the
  // transaction's kept frontier), so no UPDATE follows; the append below lands exactly there.
  auto record_index = next_log_index(db, LogId::record);
  if (!record_index) {
    return record_index.error();
  }
  auto audit = db.prepare(
      "INSERT INTO audit (at_ms, event, org_id, device_id, message_id, detail, pupil, user_id, "
      "on_behalf_of, role, legal_basis, rule_ids, policy_version, record_index) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!audit) {
    return audit.error();
  }
  audit->bind(1, at_ms)
      .bind(2, event)
      .bind(3, org)
      .bind(4, device)
      .bind(5, message)
      .bind(6, detail)
      .bind(8, subject.user)
      .bind(9, subject.on_behalf_of)
      .bind(10, subject.role)
      .bind(11, subject.legal_basis)
      .bind(12, subject.rule_ids)
      .bind(13, subject.policy_version)
      .bind(14, static_cast<std::int64_t>(*record_index));
  if (subject.pupil.empty()) {
    audit->bind_null(7);
  } else {
    audit->bind(7, subject.pupil);
  }
  if (auto ran = audit->run(); !ran) {
    return ran.error();
  }
  // The row's entry goes into the record log in the same transaction.
  const std::int64_t id = db.last_insert_rowid();
  const auto row_hash = record_hash(id, at_ms, event, org, device, message, detail, subject);
  auto index = append_log_entry(db, LogId::record,
                                protocol::audit_record_entry(event, detail, row_hash), at_ms);
  if (!index) {
    return index.error();
  }
  if (*index != *record_index) {
    // Nothing else appends between the two calls on this connection: a broken invariant.
    return sqlite::errc::corrupt;
  }
  return RecordedRow{*index, row_hash};
}

}  // namespace

sqlite::Result<RecordedRow> insert_acceptance_audit(sqlite::Database& db, std::int64_t at_ms,
                                                    std::span<const std::uint8_t> org,
                                                    std::span<const std::uint8_t> device,
                                                    std::span<const std::uint8_t> message,
                                                    std::string_view detail,
                                                    const protocol::Hash256& receipt_digest) {
  const std::string named = std::string(detail) + std::string(protocol::kReceiptDetailField) +
                            protocol::hex_encode(receipt_digest);
  return insert_row(db, at_ms, protocol::kEnvelopeAcceptedEvent, org, device, message, named,
                    AuditSubject{});
}

sqlite::Result<std::optional<RecordedRow>> logged_acceptance(
    sqlite::Database& db, std::span<const std::uint8_t> message) {
  auto select = db.prepare(
      "SELECT id, at_ms, org_id, device_id, detail, record_index FROM audit "
      "WHERE event = 'envelope.accepted' AND message_id = ? AND record_index IS NOT NULL "
      "ORDER BY id LIMIT 1");
  if (!select) {
    return select.error();
  }
  select->bind(1, message);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  const std::string detail = *row ? select->column_text(4) : std::string();
  if (!*row || !protocol::named_receipt(protocol::kEnvelopeAcceptedEvent, detail)) {
    return std::optional<RecordedRow>();
  }
  const auto row_hash = record_hash(select->column_int64(0), select->column_int64(1),
                                    protocol::kEnvelopeAcceptedEvent, select->column_blob(2),
                                    select->column_blob(3), message, detail, AuditSubject{});
  return std::optional<RecordedRow>(
      RecordedRow{static_cast<std::uint64_t>(select->column_int64(5)), row_hash});
}

protocol::Hash256 record_hash(std::int64_t id, std::int64_t at_ms, std::string_view event,
                              std::span<const std::uint8_t> org,
                              std::span<const std::uint8_t> device,
                              std::span<const std::uint8_t> message, std::string_view detail,
                              const AuditSubject& subject) {
  return protocol::audit_row_hash({id, at_ms, event, org, device, message, detail, subject.pupil,
                                   subject.user, subject.on_behalf_of, subject.role,
                                   subject.legal_basis, subject.rule_ids, subject.policy_version});
}

sqlite::Result<void> insert_audit(sqlite::Database& db, std::int64_t at_ms, std::string_view event,
                                  std::span<const std::uint8_t> org,
                                  std::span<const std::uint8_t> device,
                                  std::span<const std::uint8_t> message, std::string_view detail) {
  return insert_audit(db, at_ms, event, org, device, message, detail, AuditSubject{});
}

sqlite::Result<void> insert_audit(sqlite::Database& db, std::int64_t at_ms, std::string_view event,
                                  std::span<const std::uint8_t> org,
                                  std::span<const std::uint8_t> device,
                                  std::span<const std::uint8_t> message, std::string_view detail,
                                  const AuditSubject& subject) {
  auto recorded = insert_row(db, at_ms, event, org, device, message, detail, subject);
  if (!recorded) {
    return recorded.error();
  }
  return {};
}

LoggedAuditRow audit_record_of(const sqlite::Statement& row, int first) {
  const auto blob = [&](int column) {
    const auto bytes = row.column_blob(first + column);
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
  };
  const auto text = [&](int column) { return row.column_text(first + column); };
  return {{row.column_int64(first), row.column_int64(first + 1), text(2), blob(3), blob(4), blob(5),
           text(6), blob(7), text(8), text(9), text(10), text(11), text(12), text(13)},
          static_cast<std::uint64_t>(row.column_int64(first + 14))};
}

sqlite::Result<std::optional<LoggedAuditRow>> decision_of(sqlite::Database& db,
                                                          const policies::Disclosure& line,
                                                          const protocol::Id& org,
                                                          const protocol::Hash256& pupil) {
  // By time first: audit_by_time narrows the search to that millisecond's rows.
  auto select = db.prepare("SELECT " + std::string(kAuditRecordColumns) +
                           " FROM audit WHERE at_ms = ? AND message_id = ? AND event = ? "
                           "AND record_index IS NOT NULL ORDER BY id");
  if (!select) {
    return select.error();
  }
  select->bind(1, line.at_ms).bind(2, line.message_id).bind(3, policies::kPolicyDecisionEvent);
  std::optional<LoggedAuditRow> found;
  auto stepped = for_each_row(*select, [&](const sqlite::Statement& row) {
    auto candidate = audit_record_of(row);
    if (!found && policies::records_disclosure(candidate.row.view(), line, org, pupil)) {
      found = std::move(candidate);
    }
  });
  if (!stepped) {
    return stepped.error();
  }
  return found;
}

sqlite::Result<WaitingEntrySettler> WaitingEntrySettler::prepare(sqlite::Database& db,
                                                                 std::string_view state) {
  auto update = db.prepare(
      "UPDATE queue SET state = ?, settled_at_ms = ? WHERE mailbox_id = ? AND sequence = ?");
  auto count =
      db.prepare("UPDATE mailboxes SET queued_bytes = queued_bytes - ? WHERE mailbox_id = ?");
  auto undisclose =
      db.prepare("DELETE FROM disclosures WHERE message_id = ? AND recipient_mailbox = ?");
  if (!update || !count || !undisclose) {
    return !update ? update.error() : (!count ? count.error() : undisclose.error());
  }
  return WaitingEntrySettler(state, std::move(*update), std::move(*count), std::move(*undisclose));
}

sqlite::Result<void> WaitingEntrySettler::settle(std::span<const std::uint8_t> mailbox_id,
                                                 std::int64_t sequence,
                                                 std::span<const std::uint8_t> message_id,
                                                 std::int64_t size, std::int64_t at_ms) {
  update_.bind(1, state_).bind(2, at_ms).bind(3, mailbox_id).bind(4, sequence);
  count_.bind(1, size).bind(2, mailbox_id);
  undisclose_.bind(1, message_id).bind(2, mailbox_id);
  for (sqlite::Statement* statement : {&update_, &count_, &undisclose_}) {
    if (auto ran = statement->run(); !ran) {
      return ran;
    }
    statement->reset();
  }
  return {};
}

sqlite::Result<void> withdraw_queued(sqlite::Database& db, std::span<const std::uint8_t> consent_id,
                                     std::span<const std::uint8_t> sender_org, std::int64_t at_ms,
                                     std::vector<Withdrawal>& out) {
  auto select = db.prepare(
      "SELECT q.mailbox_id, q.sequence, e.message_id, e.size FROM queue q "
      "JOIN envelopes e ON e.sequence = q.sequence "
      "WHERE e.consent_reference = ? AND e.sender_org = ? AND q.state = 'queued' "
      "ORDER BY q.sequence");
  if (!select) {
    return select.error();
  }
  select->bind(1, consent_id).bind(2, sender_org);
  const std::size_t first = out.size();
  std::vector<std::int64_t> sizes;
  if (auto listed =
          for_each_row(*select,
                       [&](sqlite::Statement& row) {
                         out.push_back({fixed<16>(row.column_blob(0)), row.column_int64(1),
                                        fixed<16>(row.column_blob(2))});
                         sizes.push_back(row.column_int64(3));
                       });
      !listed) {
    return listed;
  }
  auto settler = WaitingEntrySettler::prepare(db, "withdrawn");
  if (!settler) {
    return settler.error();
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Withdrawal& w = out[first + i];
    if (auto settled = settler->settle(w.mailbox_id, w.sequence, w.message_id, sizes[i], at_ms);
        !settled) {
      return settled;
    }
    if (auto audited =
            insert_audit(db, at_ms, "envelope.withdrawn", sender_org, {}, w.message_id,
                         "sequence=" + std::to_string(w.sequence) + " reason=consent-revoked");
        !audited) {
      return audited;
    }
  }
  return {};
}

}  // namespace draaischijf::server::rows
