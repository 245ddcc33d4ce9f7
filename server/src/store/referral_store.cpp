// The referral lifecycle's rows (store/referral_store.hpp) and the hook that records a new
// referral in the transaction that stores its envelope (store/referral_rows.hpp).

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/referral_store.hpp>

#include "store/referral_rows.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using protocol::ReferralState;

const char* describe(int value) noexcept {
  switch (static_cast<referral_errc>(value)) {
    case referral_errc::not_found:
      return "no such referral";
    case referral_errc::transition_invalid:
      return "the new state may not follow the referral's current state";
    case referral_errc::sequence_invalid:
      return "the statement's sequence is not the referral's next";
  }
  return "unknown referral error";
}

constexpr std::string_view kColumns =
    "id, referral_id, referrer_org, partner_org, kind, sent_at_ms, state, last_sequence, "
    "updated_at_ms, sent_day, received_due_day, answered_due_day";

ReferralRow row_of(const sqlite::Statement& s) {
  ReferralRow r;
  r.id = s.column_int64(0);
  r.referral_id = rows::fixed<16>(s.column_blob(1));
  r.referrer_org = rows::fixed<16>(s.column_blob(2));
  r.partner_org = rows::fixed<16>(s.column_blob(3));
  r.kind = static_cast<protocol::MessageKind>(s.column_int64(4));
  r.sent_at_ms = s.column_int64(5);
  r.state = static_cast<ReferralState>(s.column_int64(6));  // CHECKed 0..8 in the schema
  r.last_sequence = static_cast<std::uint32_t>(s.column_int64(7));
  r.updated_at_ms = s.column_int64(8);
  r.due = {static_cast<std::uint32_t>(s.column_int64(9)),
           static_cast<std::uint32_t>(s.column_int64(10)),
           static_cast<std::uint32_t>(s.column_int64(11))};
  return r;
}

template <class Bind>
sqlite::Result<std::vector<ReferralRow>> select_rows(sqlite::Database& db, std::string_view sql,
                                                     Bind bind) {
  return rows::select_all<ReferralRow>(db, sql, bind, row_of);
}

ReferralStatementRow statement_of(const sqlite::Statement& s) {
  const auto bytes = s.column_blob(5);
  return {static_cast<std::uint32_t>(s.column_int64(0)),
          static_cast<ReferralState>(s.column_int64(1)),
          static_cast<std::uint8_t>(s.column_int64(2)),
          static_cast<std::uint32_t>(s.column_int64(3)),
          s.column_int64(4),
          std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

// Checks the statement against the referral as it is on disk and records it; runs on the
// writer, inside the transaction, so two statements for one referral are ordered.
sqlite::Result<void> record_statement(sqlite::Database& db, const StatusRecord& r,
                                      ReferralOutcomeRow& out) {
  const protocol::ReferralStatement& s = r.parsed.statement;
  auto rows =
      select_rows(db,
                  std::string("SELECT ") + std::string(kColumns) +
                      " FROM referrals WHERE referral_id = ? AND partner_org = ?",
                  [&](sqlite::Statement& q) { q.bind(1, s.referral_id).bind(2, s.partner_org); });
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return make_error_code(referral_errc::not_found);
  }
  const ReferralRow& referral = rows->front();
  out.current = referral.state;
  out.last_sequence = referral.last_sequence;
  if (s.sequence <= referral.last_sequence) {
    // A retry of a recorded statement is answered as recorded; anything else at that
    // place in the sequence is a conflict.
    auto same =
        db.prepare("SELECT statement FROM referral_statements WHERE referral = ? AND sequence = ?");
    if (!same) {
      return same.error();
    }
    same->bind(1, referral.id).bind(2, static_cast<std::int64_t>(s.sequence));
    auto found = same->step();
    if (!found) {
      return found.error();
    }
    const auto stored = *found ? same->column_blob(0) : std::span<const std::uint8_t>();
    if (*found && std::equal(stored.begin(), stored.end(), r.bytes.begin(), r.bytes.end())) {
      out.duplicate = true;
      return {};
    }
    return make_error_code(referral_errc::sequence_invalid);
  }
  if (s.sequence != referral.last_sequence + 1) {
    return make_error_code(referral_errc::sequence_invalid);
  }
  if (!policies::may_follow(referral.state, s.state)) {
    return make_error_code(referral_errc::transition_invalid);
  }
  auto insert = db.prepare(
      "INSERT INTO referral_statements (referral, sequence, state, code, day, device_id, "
      "recorded_at_ms, statement) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto update = db.prepare(
      "UPDATE referrals SET state = ?, last_sequence = ?, updated_at_ms = ? WHERE id = ?");
  if (!insert || !update) {
    return !insert ? insert.error() : update.error();
  }
  insert->bind(1, referral.id)
      .bind(2, static_cast<std::int64_t>(s.sequence))
      .bind(3, static_cast<std::int64_t>(s.state))
      .bind(4, static_cast<std::int64_t>(s.code))
      .bind(5, static_cast<std::int64_t>(s.day))
      .bind(6, r.device)
      .bind(7, r.at_ms)
      .bind(8, r.bytes);
  update->bind(1, static_cast<std::int64_t>(s.state))
      .bind(2, static_cast<std::int64_t>(s.sequence))
      .bind(3, r.at_ms)
      .bind(4, referral.id);
  if (auto inserted = insert->run(); !inserted) {
    return inserted;
  }
  if (auto updated = update->run(); !updated) {
    return updated;
  }
  out.current = s.state;
  out.last_sequence = s.sequence;
  const std::string detail = "state=" + std::string(protocol::name_of(s.state)) +
                             " sequence=" + std::to_string(s.sequence) +
                             " partner_org=" + protocol::hex_encode(s.partner_org);
  return rows::insert_audit(db, r.at_ms, "referral.status", s.sender_org, r.device, s.referral_id,
                            detail);
}

}  // namespace

const boost::system::error_category& referral_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.referral", describe);
  return category;
}

bool referral_overdue(const ReferralRow& row, std::uint32_t today) noexcept {
  return (row.state == ReferralState::sent && today > row.due.received_due_day) ||
         (!policies::is_answered(row.state) && !policies::is_terminal(row.state) &&
          today > row.due.answered_due_day);
}

namespace referral_rows {

sqlite::Result<void> record_new(sqlite::Database& db, const Submission& s, const ReferralDue& due) {
  // INSERT OR IGNORE: one referral per recipient organisation, however many of its mailboxes
  // the envelope went to.
  auto insert = db.prepare(
      "INSERT OR IGNORE INTO referrals (referral_id, referrer_org, partner_org, kind, sent_at_ms, "
      "updated_at_ms, sent_day, received_due_day, answered_due_day, consent_reference) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  for (const PolicyRecord& d : s.decisions) {
    // The team's own Sent copy (docs/PROTOCOL.md 7.9) is no referral: an organisation does
    // not refer to itself.
    if (d.recipient_org == s.sender_org) {
      continue;
    }
    insert->reset();
    insert->bind(1, s.message_id)
        .bind(2, s.sender_org)
        .bind(3, d.recipient_org)
        .bind(4, static_cast<std::int64_t>(s.kind))
        .bind(5, s.received_at_ms)
        .bind(6, s.received_at_ms)
        .bind(7, static_cast<std::int64_t>(due.sent_day))
        .bind(8, static_cast<std::int64_t>(due.received_due_day))
        .bind(9, static_cast<std::int64_t>(due.answered_due_day));
    if (s.consent_reference == protocol::Id{}) {
      insert->bind_null(10);
    } else {
      insert->bind(10, s.consent_reference);
    }
    if (auto inserted = insert->run(); !inserted) {
      return inserted;
    }
  }
  return {};
}

}  // namespace referral_rows

bool ReferralStore::record(StatusRecord record, RecordDone done) {
  auto shared = std::make_shared<StatusRecord>(std::move(record));
  auto outcome = std::make_shared<ReferralOutcomeRow>();
  return storage_->writer().submit(
      [shared, outcome](sqlite::Database& db) { return record_statement(db, *shared, *outcome); },
      [outcome, done = std::move(done)](sqlite::Result<void> result) {
        done({std::move(result), *outcome});
      });
}

sqlite::Result<std::vector<ReferralRow>> ReferralStore::list(const ReferralQuery& q) {
  // The side picks the index; the other filters are optional terms that bind a flag, so one
  // statement text serves every combination (and is prepared once per connection).
  const bool sent = q.side == ReferralSide::sent;
  std::string sql = std::string("SELECT ") + std::string(kColumns) + " FROM referrals WHERE " +
                    (sent ? "referrer_org = ?1" : "partner_org = ?1") +
                    " AND id > ?2 AND (?3 < 0 OR state = ?3) AND (?4 IS NULL OR " +
                    (sent ? "partner_org" : "referrer_org") +
                    " = ?4) AND (?5 = 0 OR (state = 0 AND received_due_day < ?6) OR "
                    "(state IN (0, 1) AND answered_due_day < ?6)) ORDER BY id LIMIT ?7";
  return storage_->read([&](sqlite::Database& db) {
    return select_rows(db, sql, [&](sqlite::Statement& s) {
      s.bind(1, q.org).bind(2, q.after);
      s.bind(3, q.state ? static_cast<std::int64_t>(*q.state) : std::int64_t{-1});
      if (q.counterpart) {
        s.bind(4, *q.counterpart);
      } else {
        s.bind_null(4);
      }
      s.bind(5, std::int64_t{q.overdue_only ? 1 : 0})
          .bind(6, static_cast<std::int64_t>(q.today))
          .bind(7, static_cast<std::int64_t>(q.limit));
    });
  });
}

sqlite::Result<std::vector<ReferralRow>> ReferralStore::find(const protocol::Id& referral_id,
                                                             const protocol::Id& org) {
  return storage_->read([&](sqlite::Database& db) {
    return select_rows(db,
                       std::string("SELECT ") + std::string(kColumns) +
                           " FROM referrals WHERE referral_id = ?1 AND (referrer_org = ?2 OR "
                           "partner_org = ?2) ORDER BY id",
                       [&](sqlite::Statement& s) { s.bind(1, referral_id).bind(2, org); });
  });
}

sqlite::Result<std::vector<ReferralRow>> ReferralStore::waitlisted(
    const protocol::Id& referrer_org) {
  return storage_->read([&](sqlite::Database& db) {
    return select_rows(
        db,
        std::string("SELECT ") + std::string(kColumns) +
            " FROM referrals WHERE referrer_org = ?1 AND state = ?2 ORDER BY id",
        [&](sqlite::Statement& s) {
          s.bind(1, referrer_org).bind(2, static_cast<std::int64_t>(ReferralState::waitlisted));
        });
  });
}

sqlite::Result<std::vector<ReferralMilestone>> ReferralStore::milestones(
    const protocol::Id& referrer_org) {
  return storage_->read([&](sqlite::Database& db) {
    return rows::select_all<ReferralMilestone>(
        db,
        "SELECT r.partner_org, r.sent_day, s.state, MIN(s.recorded_at_ms) FROM referrals r "
        "JOIN referral_statements s ON s.referral = r.id WHERE r.referrer_org = ? "
        "AND s.state IN (?, ?) GROUP BY r.id, s.state ORDER BY r.id",
        [&](sqlite::Statement& q) {
          q.bind(1, referrer_org)
              .bind(2, static_cast<std::int64_t>(ReferralState::accepted))
              .bind(3, static_cast<std::int64_t>(ReferralState::started));
        },
        [](const sqlite::Statement& s) {
          return ReferralMilestone{
              rows::fixed<16>(s.column_blob(0)), static_cast<std::uint32_t>(s.column_int64(1)),
              static_cast<ReferralState>(s.column_int64(2)), s.column_int64(3)};
        });
  });
}

sqlite::Result<bool> ReferralStore::answers_referral(const protocol::Id& partner_org,
                                                     const protocol::Id& referrer_org,
                                                     const protocol::Id& consent_reference) {
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<bool> {
    // Cancelled referrals no longer carry answers; a declined or closed one still takes the
    // partner's last word to the CLB.
    auto select = db.prepare(
        "SELECT 1 FROM referrals WHERE consent_reference = ? AND partner_org = ? AND "
        "referrer_org = ? AND state <> 8 LIMIT 1");
    if (!select) {
      return {boost::system::in_place_error, select.error()};
    }
    select->bind(1, consent_reference).bind(2, partner_org).bind(3, referrer_org);
    auto row = select->step();
    if (!row) {
      return {boost::system::in_place_error, row.error()};
    }
    return *row;
  });
}

sqlite::Result<std::vector<ReferralStatementRow>> ReferralStore::statements(
    const protocol::Id& referral_id, const protocol::Id& partner_org) {
  return storage_->read([&](sqlite::Database& db) {
    return rows::select_all<ReferralStatementRow>(
        db,
        "SELECT s.sequence, s.state, s.code, s.day, s.recorded_at_ms, s.statement "
        "FROM referral_statements s JOIN referrals r ON r.id = s.referral "
        "WHERE r.referral_id = ? AND r.partner_org = ? ORDER BY s.sequence",
        [&](sqlite::Statement& q) { q.bind(1, referral_id).bind(2, partner_org); }, statement_of);
  });
}

}  // namespace draaischijf::server
