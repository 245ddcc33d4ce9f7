#include <set>
#include <string>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/store/case_store.hpp>

#include "store/case_rows.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using policies::CaseAction;
using policies::CaseState;

const char* describe(int value) noexcept {
  switch (static_cast<case_errc>(value)) {
    case case_errc::not_found:
      return "no such case";
    case case_errc::transition_refused:
      return "the case's state does not allow this action";
    case case_errc::nonce_replayed:
      return "the statement's nonce was used before";
    case case_errc::staff_unknown:
      return "no enrolled device of the organisation has this staff id";
  }
  return "unknown case error";
}

constexpr const char* kCaseColumns =
    "case_id, org_id, school_org, message_id, coalesce(pupil, x''), sequence, received_at_ms, "
    "priority, state, coalesce(assignee, x''), coalesce(track, ''), coalesce(close_reason, ''), "
    "coalesce(delay_reason, ''), assigned_at_ms, consent_at_ms, closed_at_ms";

std::optional<std::int64_t> optional_int(const sqlite::Statement& row, int column) {
  return row.column_is_null(column) ? std::nullopt : std::optional(row.column_int64(column));
}

CaseRecord case_of(const sqlite::Statement& row) {
  CaseRecord out;
  out.case_id = rows::fixed<16>(row.column_blob(0));
  out.org_id = rows::fixed<16>(row.column_blob(1));
  out.school_org = rows::fixed<16>(row.column_blob(2));
  out.message_id = rows::fixed<16>(row.column_blob(3));
  if (row.column_blob(4).size() == 32) {
    out.pupil = rows::fixed<32>(row.column_blob(4));
  }
  out.sequence = row.column_int64(5);
  out.received_at_ms = row.column_int64(6);
  out.priority = static_cast<policies::CasePriority>(row.column_int64(7));
  // The schema's CHECK keeps the stored names within the table.
  out.state = policies::parse_case_state(row.column_text(8)).value_or(CaseState::fresh);
  if (row.column_blob(9).size() == 16) {
    out.assignee = rows::fixed<16>(row.column_blob(9));
  }
  out.track = policies::parse_case_track(row.column_text(10));
  out.close_reason = policies::parse_close_reason(row.column_text(11));
  out.delay_reason = policies::parse_delay_reason(row.column_text(12));
  out.assigned_at_ms = optional_int(row, 13);
  out.consent_at_ms = optional_int(row, 14);
  out.closed_at_ms = optional_int(row, 15);
  return out;
}

template <class Bind>
sqlite::Result<std::vector<CaseRecord>> cases_where(sqlite::Database& db, const std::string& where,
                                                    Bind bind) {
  return rows::select_all<CaseRecord>(
      db, "SELECT " + std::string(kCaseColumns) + " FROM cases WHERE " + where, bind, case_of);
}

sqlite::Result<CaseRecord> one_case(sqlite::Database& db, const protocol::Id& org_id,
                                    const protocol::Id& case_id) {
  auto found = cases_where(db, "org_id = ? AND case_id = ?",
                           [&](sqlite::Statement& s) { s.bind(1, org_id).bind(2, case_id); });
  if (!found) {
    return found.error();
  }
  if (found->empty()) {
    return make_error_code(case_errc::not_found);
  }
  return std::move(found->front());
}

sqlite::Result<bool> is_enrolled_staff(sqlite::Database& db, const protocol::Id& org_id,
                                       const protocol::Id& staff_id) {
  auto select = db.prepare(
      "SELECT 1 FROM devices WHERE org_id = ? AND staff_id = ? AND state = 'enrolled' LIMIT 1");
  if (!select) {
    return {boost::system::in_place_error, select.error()};
  }
  select->bind(1, org_id).bind(2, staff_id);
  return select->step();
}

// The columns an action sets besides the state (assigned_at_ms and consent_at_ms keep the first).
std::string update_for(CaseAction action) {
  switch (action) {
    case CaseAction::assign:
      return "assignee = ?3, assigned_at_ms = coalesce(assigned_at_ms, ?4)";
    case CaseAction::traject:
      return "track = ?3";
    case CaseAction::close:
      return "close_reason = ?3, closed_at_ms = ?4";
    case CaseAction::delay_reason:
      return "delay_reason = ?3";
    case CaseAction::link:
      return "consent_at_ms = CASE WHEN ?3 = 'consent' THEN coalesce(consent_at_ms, ?4) "
             "ELSE consent_at_ms END";
    case CaseAction::vraagverheldering:
      break;
  }
  return "closed_at_ms = closed_at_ms";  // vraagverheldering: the state alone
}

// The code's name for the action's column (a track, a reason, a link kind); "" for none.
std::string_view code_name(CaseAction action, std::uint8_t code) {
  switch (action) {
    case CaseAction::traject:
      return policies::name_of(static_cast<policies::CaseTrack>(code));
    case CaseAction::close:
      return policies::name_of(static_cast<policies::CloseReason>(code));
    case CaseAction::delay_reason:
      return policies::name_of(static_cast<policies::DelayReason>(code));
    case CaseAction::link:
      return policies::name_of(static_cast<policies::LinkKind>(code));
    case CaseAction::assign:
    case CaseAction::vraagverheldering:
      break;
  }
  return {};
}

sqlite::Result<void> record_statement(sqlite::Database& db, const CaseChange& change,
                                      CaseAction action) {
  auto insert = db.prepare(
      "INSERT INTO case_statements (nonce, case_id, device_id, action, at_ms, received_at_ms, "
      "statement, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  const protocol::CaseStatement& s = change.parsed;
  insert->bind(1, s.nonce)
      .bind(2, s.case_id)
      .bind(3, s.device_id)
      .bind(4, policies::name_of(action))
      .bind(5, static_cast<std::int64_t>(s.at_ms))
      .bind(6, change.stored.received_at_ms)
      .bind(7, change.stored.statement)
      .bind(8, change.stored.signature);
  if (auto inserted = insert->run(); !inserted) {
    return inserted.error() == sqlite::errc::constraint_violation
               ? make_error_code(case_errc::nonce_replayed)
               : inserted.error();
  }
  return {};
}

sqlite::Result<CaseRecord> apply_change(sqlite::Database& db, const CaseChange& change) {
  const protocol::CaseStatement& s = change.parsed;
  const auto action = static_cast<CaseAction>(s.action);  // checked by the caller
  auto current = one_case(db, s.org_id, s.case_id);
  if (!current) {
    return current.error();
  }
  const auto next = policies::next_state(current->state, action);
  if (!next) {
    return make_error_code(case_errc::transition_refused);
  }
  if (action == CaseAction::assign) {
    auto known = is_enrolled_staff(db, s.org_id, s.subject);
    if (!known || !*known) {
      return !known ? known.error() : make_error_code(case_errc::staff_unknown);
    }
  }
  if (auto recorded = record_statement(db, change, action); !recorded) {
    return recorded.error();
  }
  auto update =
      db.prepare("UPDATE cases SET state = ?2, " + update_for(action) + " WHERE case_id = ?1");
  if (!update) {
    return update.error();
  }
  update->bind(1, s.case_id).bind(2, policies::name_of(*next));
  if (action == CaseAction::assign) {
    update->bind(3, s.subject);
  } else {
    update->bind(3, code_name(action, s.code));
  }
  update->bind(4, change.stored.received_at_ms);
  if (auto updated = update->run(); !updated) {
    return updated.error();
  }
  if (action == CaseAction::link) {
    auto link =
        db.prepare("INSERT OR IGNORE INTO case_links (case_id, kind, target) VALUES (?, ?, ?)");
    if (!link) {
      return link.error();
    }
    link->bind(1, s.case_id).bind(2, code_name(action, s.code)).bind(3, s.subject);
    if (auto linked = link->run(); !linked) {
      return linked.error();
    }
  }
  const std::string detail =
      "case=" + protocol::hex_encode(s.case_id) + " state=" + std::string(policies::name_of(*next));
  if (auto audited = rows::insert_audit(db, change.stored.received_at_ms,
                                        "case." + std::string(policies::name_of(action)), s.org_id,
                                        s.device_id, {}, detail);
      !audited) {
    return audited.error();
  }
  return one_case(db, s.org_id, s.case_id);
}

}  // namespace

const boost::system::error_category& case_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.case", describe);
  return category;
}

namespace case_rows {

sqlite::Result<void> open_cases(sqlite::Database& db, const Opening& opening,
                                std::span<const protocol::Id> mailboxes) {
  auto clb_of = db.prepare(
      "SELECT m.org_id FROM mailboxes m JOIN organisations o ON o.org_id = m.org_id "
      "WHERE m.mailbox_id = ? AND o.org_type = 'clb'");
  auto insert = db.prepare(
      "INSERT OR IGNORE INTO cases (case_id, org_id, school_org, message_id, pupil, sequence, "
      "received_at_ms, priority, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new')");
  if (!clb_of || !insert) {
    return !clb_of ? clb_of.error() : insert.error();
  }
  std::set<protocol::Id> clbs;
  for (const protocol::Id& mailbox : mailboxes) {
    clb_of->reset();
    clb_of->bind(1, mailbox);
    auto row = clb_of->step();
    if (!row) {
      return row.error();
    }
    if (*row) {
      clbs.insert(rows::fixed<16>(clb_of->column_blob(0)));
    }
  }
  for (const protocol::Id& clb : clbs) {
    const protocol::Id case_id = protocol::random_id();
    insert->reset();
    insert->bind(1, case_id)
        .bind(2, clb)
        .bind(3, opening.school_org)
        .bind(4, opening.message_id)
        .bind(6, opening.sequence)
        .bind(7, opening.received_at_ms)
        .bind(8, static_cast<std::int64_t>(opening.priority));
    if (opening.pupil == protocol::Hash256{}) {
      insert->bind_null(5);
    } else {
      insert->bind(5, opening.pupil);
    }
    if (auto inserted = insert->run(); !inserted) {
      return inserted;
    }
    const std::string detail = "case=" + protocol::hex_encode(case_id) +
                               " priority=" + std::string(policies::name_of(opening.priority));
    if (auto audited = rows::insert_audit(db, opening.received_at_ms, "case.opened", clb,
                                          opening.sender_device, opening.message_id, detail);
        !audited) {
      return audited;
    }
  }
  return {};
}

}  // namespace case_rows

bool CaseStore::apply(const CaseChange& change, Done done) {
  auto outcome =
      std::make_shared<sqlite::Result<CaseRecord>>(make_error_code(case_errc::not_found));
  return storage_->writer().submit(
      [change, outcome](sqlite::Database& db) -> sqlite::Result<void> {
        *outcome = apply_change(db, change);
        if (!*outcome) {
          return outcome->error();  // the savepoint rolls back the statement row
        }
        return {};
      },
      [outcome, done = std::move(done)](sqlite::Result<void> committed) {
        done(committed ? std::move(*outcome) : sqlite::Result<CaseRecord>(committed.error()));
      });
}

sqlite::Result<std::vector<CaseRecord>> CaseStore::list(const protocol::Id& org_id,
                                                        const CaseQuery& query) {
  std::string where = "org_id = ?1";
  if (query.state) {
    where += " AND state = ?2";
  }
  if (query.assignee) {
    where += " AND assignee = ?3";
  }
  if (query.priority) {
    where += " AND priority = ?4";
  }
  if (query.after) {
    where += " AND (priority, sequence) > (?5, ?6)";
  }
  where += " ORDER BY priority, sequence LIMIT ?7";
  return storage_->read([&](sqlite::Database& db) {
    return cases_where(db, where, [&](sqlite::Statement& s) {
      s.bind(1, org_id);
      if (query.state) {
        s.bind(2, policies::name_of(*query.state));
      }
      if (query.assignee) {
        s.bind(3, *query.assignee);
      }
      if (query.priority) {
        s.bind(4, static_cast<std::int64_t>(*query.priority));
      }
      if (query.after) {
        s.bind(5, query.after->first).bind(6, query.after->second);
      }
      s.bind(7, static_cast<std::int64_t>(query.limit));
    });
  });
}

sqlite::Result<CaseRecord> CaseStore::get(const protocol::Id& org_id, const protocol::Id& case_id) {
  return storage_->read([&](sqlite::Database& db) { return one_case(db, org_id, case_id); });
}

sqlite::Result<std::vector<StoredCaseStatement>> CaseStore::statements(
    const protocol::Id& case_id) {
  return storage_->read(
      [&](sqlite::Database& db) -> sqlite::Result<std::vector<StoredCaseStatement>> {
        return rows::select_all<StoredCaseStatement>(
            db,
            "SELECT statement, signature, received_at_ms FROM case_statements WHERE case_id = ? "
            "ORDER BY id",
            [&](sqlite::Statement& s) { s.bind(1, case_id); },
            [](sqlite::Statement& row) {
              const auto bytes = row.column_blob(0);
              return StoredCaseStatement{{bytes.begin(), bytes.end()},
                                         rows::fixed<64>(row.column_blob(1)),
                                         row.column_int64(2)};
            });
      });
}

sqlite::Result<std::vector<CaseLink>> CaseStore::links(const protocol::Id& case_id) {
  return storage_->read([&](sqlite::Database& db) {
    return rows::select_all<CaseLink>(
        db, "SELECT kind, target FROM case_links WHERE case_id = ? ORDER BY kind, target",
        [&](sqlite::Statement& s) { s.bind(1, case_id); },
        [](sqlite::Statement& row) {
          return CaseLink{
              policies::parse_link_kind(row.column_text(0)).value_or(policies::LinkKind::consent),
              rows::fixed<16>(row.column_blob(1))};
        });
  });
}

sqlite::Result<std::vector<CaseRecord>> CaseStore::raised_by(const protocol::Id& school_org,
                                                             std::int64_t before,
                                                             std::size_t limit) {
  return storage_->read([&](sqlite::Database& db) {
    return cases_where(
        db, "school_org = ?1 AND (?2 = 0 OR sequence < ?2) ORDER BY sequence DESC LIMIT ?3",
        [&](sqlite::Statement& s) {
          s.bind(1, school_org).bind(2, before).bind(3, static_cast<std::int64_t>(limit));
        });
  });
}

sqlite::Result<std::vector<CaseRecord>> CaseStore::all_of(const protocol::Id& org_id) {
  return storage_->read([&](sqlite::Database& db) {
    return cases_where(db, "org_id = ?1 ORDER BY sequence",
                       [&](sqlite::Statement& s) { s.bind(1, org_id); });
  });
}

}  // namespace draaischijf::server
