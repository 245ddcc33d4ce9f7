#include <span>
#include <type_traits>

#include <boost/json.hpp>

#include <draaischijf/server/store/consent_registry.hpp>

#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<consent_errc>(value)) {
    case consent_errc::not_found:
      return "no such consent or approval for this organisation";
    case consent_errc::already_revoked:
      return "the consent was revoked already";
    case consent_errc::id_taken:
      return "the approval id is in use";
    case consent_errc::already_announced:
      return "the pupil's dossier transfer was announced already";
  }
  return "unknown consent registry error";
}

constexpr std::string_view kConsentColumns =
    "SELECT consent_id, org_id, pupil, record, registered_at_ms, registered_by, revoked_at_ms "
    "FROM consents ";

// A row of kConsentColumns; a record the hub wrote itself that no longer parses is a broken
// invariant, reported as corruption rather than guessed at.
sqlite::Result<StoredConsent> consent_of(const sqlite::Statement& row) {
  StoredConsent out;
  out.consent_id = rows::fixed<16>(row.column_blob(0));
  out.org_id = rows::fixed<16>(row.column_blob(1));
  out.pupil = rows::fixed<32>(row.column_blob(2));
  boost::system::error_code ec;
  const auto value = boost::json::parse(row.column_text(3), ec);
  std::string error;
  auto entry = !ec && value.is_object() ? policies::consent_from_json(value.as_object(), error)
                                        : std::nullopt;
  if (!entry) {
    return make_error_code(sqlite::errc::corrupt);
  }
  out.entry = std::move(*entry);
  out.registered_at_ms = row.column_int64(4);
  out.registered_by = rows::fixed<16>(row.column_blob(5));
  if (!row.column_is_null(6)) {
    out.revoked_at_ms = row.column_int64(6);
  }
  return out;
}

template <class Bind>
sqlite::Result<std::vector<StoredConsent>> select_consents(sqlite::Database& db,
                                                           std::string_view where, Bind bind) {
  auto select = db.prepare(std::string(kConsentColumns) + std::string(where));
  if (!select) {
    return select.error();
  }
  bind(*select);
  std::vector<StoredConsent> out;
  boost::system::error_code broken;
  auto listed = rows::for_each_row(*select, [&](sqlite::Statement& row) {
    auto consent = consent_of(row);
    if (!consent) {
      broken = consent.error();
    } else {
      out.push_back(std::move(*consent));
    }
  });
  if (!listed) {
    return listed.error();
  }
  if (broken) {
    return broken;
  }
  return out;
}

// The one row `sql` selects with its two key columns bound to `first` and `second`, as `read`
// makes it of the statement; consent_errc::not_found when there is none.
template <class Read>
auto one_row(sqlite::Database& db, const char* sql, std::span<const std::uint8_t> first,
             std::span<const std::uint8_t> second, Read read)
    -> sqlite::Result<std::invoke_result_t<Read, sqlite::Statement&>> {
  auto select = db.prepare(sql);
  if (!select) {
    return select.error();
  }
  select->bind(1, first).bind(2, second);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return make_error_code(consent_errc::not_found);
  }
  return read(*select);
}

}  // namespace

const boost::system::error_category& consent_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.consent", describe);
  return category;
}

bool SqliteConsentRegistry::add(const StoredConsent& consent, Done done) {
  auto shared = std::make_shared<StoredConsent>(consent);
  return storage_->writer().submit(
      [shared](sqlite::Database& db) -> sqlite::Result<void> {
        auto insert = db.prepare(
            "INSERT INTO consents (consent_id, org_id, pupil, record, registered_at_ms, "
            "registered_by) VALUES (?, ?, ?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        const std::string record = boost::json::serialize(policies::to_json(shared->entry));
        insert->bind(1, shared->consent_id)
            .bind(2, shared->org_id)
            .bind(3, shared->pupil)
            .bind(4, record)
            .bind(5, shared->registered_at_ms)
            .bind(6, shared->registered_by);
        if (auto inserted = insert->run(); !inserted) {
          return inserted;
        }
        const auto& r = shared->entry.record;
        return rows::insert_audit(db, shared->registered_at_ms, "consent.registered",
                                  shared->org_id, shared->registered_by, {}, "consent=" + r.id,
                                  {shared->pupil,
                                   r.recorded_by,
                                   r.capacity,
                                   std::string_view(protocol::name_of(r.giver)),
                                   "consent:" + r.id,
                                   {},
                                   {}});
      },
      std::move(done));
}

bool SqliteConsentRegistry::revoke(const protocol::Id& consent_id, const protocol::Id& org_id,
                                   const protocol::Id& device_id, std::int64_t at_ms,
                                   policies::CivilDate on, RevokeDone done) {
  auto withdrawn = std::make_shared<std::vector<Withdrawal>>();
  return storage_->writer().submit(
      [=](sqlite::Database& db) -> sqlite::Result<void> {
        withdrawn->clear();  // a batch that failed may run this job again
        auto found =
            select_consents(db, "WHERE consent_id = ? AND org_id = ?",
                            [&](sqlite::Statement& s) { s.bind(1, consent_id).bind(2, org_id); });
        if (!found) {
          return found.error();
        }
        if (found->empty()) {
          return make_error_code(consent_errc::not_found);
        }
        StoredConsent& consent = found->front();
        if (consent.revoked_at_ms) {
          return make_error_code(consent_errc::already_revoked);
        }
        consent.entry.record.revoked = true;
        consent.entry.record.revoked_on = on;
        auto update = db.prepare(
            "UPDATE consents SET revoked_at_ms = ?, revoked_by = ?, record = ? "
            "WHERE consent_id = ?");
        if (!update) {
          return update.error();
        }
        const std::string record = boost::json::serialize(policies::to_json(consent.entry));
        update->bind(1, at_ms).bind(2, device_id).bind(3, record).bind(4, consent_id);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        const std::string id = protocol::hex_encode(consent_id);
        if (auto audited = rows::insert_audit(db, at_ms, "consent.revoked", org_id, device_id, {},
                                              "consent=" + id,
                                              {consent.pupil, {}, {}, {}, "consent:" + id, {}, {}});
            !audited) {
          return audited;
        }
        return rows::withdraw_queued(db, consent_id, org_id, at_ms, *withdrawn);
      },
      [withdrawn, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          done(result.error());
        } else {
          done(std::move(*withdrawn));
        }
      });
}

sqlite::Result<StoredConsent> SqliteConsentRegistry::find(const protocol::Id& consent_id) {
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<StoredConsent> {
    auto found = select_consents(db, "WHERE consent_id = ?",
                                 [&](sqlite::Statement& s) { s.bind(1, consent_id); });
    if (!found) {
      return found.error();
    }
    if (found->empty()) {
      return make_error_code(consent_errc::not_found);
    }
    return std::move(found->front());
  });
}

sqlite::Result<std::vector<StoredConsent>> SqliteConsentRegistry::for_pupil(
    const protocol::Id& org_id, const protocol::Hash256& pupil) {
  return storage_->read([&](sqlite::Database& db) {
    return select_consents(db, "WHERE org_id = ? AND pupil = ? ORDER BY registered_at_ms",
                           [&](sqlite::Statement& s) { s.bind(1, org_id).bind(2, pupil); });
  });
}

bool SqliteConsentRegistry::add_approval(const StoredApproval& approval, std::int64_t at_ms,
                                         Done done) {
  auto shared = std::make_shared<StoredApproval>(approval);
  return storage_->writer().submit(
      [shared, at_ms](sqlite::Database& db) -> sqlite::Result<void> {
        auto insert = db.prepare(
            "INSERT INTO approvals (approval_id, org_id, message_id, approver_device, statement, "
            "registered_at_ms) VALUES (?, ?, ?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, shared->approval_id)
            .bind(2, shared->org_id)
            .bind(3, shared->message_id)
            .bind(4, shared->approver_device)
            .bind(5, shared->statement)
            .bind(6, at_ms);
        if (auto inserted = insert->run(); !inserted) {
          return inserted.error() == sqlite::errc::constraint_violation
                     ? make_error_code(consent_errc::id_taken)
                     : inserted.error();
        }
        return rows::insert_audit(db, at_ms, "approval.registered", shared->org_id,
                                  shared->approver_device, shared->message_id,
                                  "approval=" + protocol::hex_encode(shared->approval_id));
      },
      std::move(done));
}

sqlite::Result<std::vector<StoredApproval>> SqliteConsentRegistry::approvals(
    const protocol::Id& org_id, std::span<const protocol::Id> ids) {
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<std::vector<StoredApproval>> {
    auto select = db.prepare(
        "SELECT approval_id, message_id, approver_device, statement, registered_at_ms "
        "FROM approvals "
        "WHERE approval_id = ? AND org_id = ?");
    if (!select) {
      return select.error();
    }
    std::vector<StoredApproval> out;
    for (const protocol::Id& id : ids) {
      select->bind(1, id).bind(2, org_id);
      auto row = select->step();
      if (!row) {
        return row.error();
      }
      if (*row) {
        const auto statement = select->column_blob(3);
        out.push_back({rows::fixed<16>(select->column_blob(0)), org_id,
                       rows::fixed<16>(select->column_blob(1)),
                       rows::fixed<16>(select->column_blob(2)),
                       std::vector<std::uint8_t>(statement.begin(), statement.end()),
                       select->column_int64(4)});
      }
      select->reset();
    }
    return out;
  });
}

bool SqliteConsentRegistry::store_pupil_key(const StoredPupilKey& box, Done done) {
  auto shared = std::make_shared<StoredPupilKey>(box);
  return storage_->writer().submit(
      [shared](sqlite::Database& db) -> sqlite::Result<void> {
        auto upsert = db.prepare(
            "INSERT INTO pupil_keys (device_id, org_id, box, stored_at_ms, stored_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
            "box = excluded.box, stored_at_ms = excluded.stored_at_ms, "
            "stored_by = excluded.stored_by WHERE org_id = excluded.org_id");
        if (!upsert) {
          return upsert.error();
        }
        upsert->bind(1, shared->device_id)
            .bind(2, shared->org_id)
            .bind(3, shared->box)
            .bind(4, shared->at_ms)
            .bind(5, shared->stored_by);
        if (auto stored = upsert->run(); !stored) {
          return stored.error();
        }
        return rows::insert_audit(db, shared->at_ms, "pupil_key.stored", shared->org_id,
                                  shared->stored_by, std::span<const std::uint8_t>{},
                                  "device=" + protocol::hex_encode(shared->device_id));
      },
      std::move(done));
}

sqlite::Result<std::vector<std::uint8_t>> SqliteConsentRegistry::pupil_key(
    const protocol::Id& org_id, const protocol::Id& device_id) {
  return storage_->read([&](sqlite::Database& db) {
    return one_row(db, "SELECT box FROM pupil_keys WHERE device_id = ? AND org_id = ?", device_id,
                   org_id, [](sqlite::Statement& row) {
                     const auto box = row.column_blob(0);
                     return std::vector<std::uint8_t>(box.begin(), box.end());
                   });
  });
}

sqlite::Result<std::vector<policies::RecordedDisclosure>> SqliteConsentRegistry::disclosures(
    const protocol::Id& org_id, const protocol::Hash256& pupil) {
  using Lines = std::vector<policies::RecordedDisclosure>;
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<Lines> {
    auto select = db.prepare(
        "SELECT at_ms, message_id, sender_staff, sender_role, recipient_org, recipient_mailbox, "
        "kind, purpose, categories, legal_basis, rule_ids, policy_version, approved_by "
        "FROM disclosures WHERE org_id = ? AND pupil = ? ORDER BY id");
    if (!select) {
      return select.error();
    }
    select->bind(1, org_id).bind(2, pupil);
    Lines out;
    auto listed = rows::for_each_row(*select, [&](sqlite::Statement& row) {
      out.push_back({{row.column_int64(0), rows::fixed<16>(row.column_blob(1)), row.column_text(2),
                      row.column_text(3), rows::fixed<16>(row.column_blob(4)),
                      rows::fixed<16>(row.column_blob(5)), row.column_text(6), row.column_text(7),
                      row.column_text(8), row.column_text(9), row.column_text(10),
                      row.column_text(11), row.column_text(12)},
                     std::nullopt,
                     0});
    });
    if (!listed) {
      return listed.error();
    }
    for (auto& line : out) {
      auto recorded = rows::decision_of(db, line.line, org_id, pupil);
      if (!recorded) {
        return recorded.error();
      }
      if (*recorded) {
        line.record_index = (*recorded)->index;
        line.decision = std::move((*recorded)->row);
      }
    }
    return out;
  });
}

bool SqliteConsentRegistry::announce_transfer(const TransferRecord& transfer, Done done) {
  return storage_->writer().submit(
      [transfer](sqlite::Database& db) -> sqlite::Result<void> {
        // Once per pupil: only an unsigned announcement of before (no statement) gives way to
        // a signed one, so a signed window is never restarted or moved.
        auto insert = db.prepare(
            "INSERT INTO transfers (org_id, pupil, announced_at_ms, announced_by, receiving_org, "
            "told_day, statement) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (org_id, pupil) DO UPDATE SET announced_at_ms = excluded.announced_at_ms, "
            "announced_by = excluded.announced_by, receiving_org = excluded.receiving_org, "
            "told_day = excluded.told_day, statement = excluded.statement "
            "WHERE transfers.statement IS NULL");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, transfer.org_id)
            .bind(2, transfer.pupil)
            .bind(3, transfer.announced_at_ms)
            .bind(4, transfer.announced_by)
            .bind(6, static_cast<std::int64_t>(transfer.told_day))
            .bind(7, transfer.statement);
        // NULL, not a zero id, when the record names no new CLB: nothing then matches it.
        if (transfer.receiving_org) {
          insert->bind(5, *transfer.receiving_org);
        } else {
          insert->bind_null(5);
        }
        if (auto inserted = insert->run(); !inserted) {
          return inserted;
        }
        if (db.changes() == 0) {
          return make_error_code(consent_errc::already_announced);
        }
        return rows::insert_audit(
            db, transfer.announced_at_ms, "transfer.announced", transfer.org_id,
            transfer.announced_by, {},
            "pupil=" + protocol::hex_encode(transfer.pupil) +
                " to=" + protocol::hex_encode(transfer.receiving_org.value_or(protocol::Id{})) +
                " told_day=" + std::to_string(transfer.told_day));
      },
      std::move(done));
}

bool SqliteConsentRegistry::register_objection(const protocol::Id& org_id,
                                               const protocol::Hash256& pupil,
                                               const protocol::Id& device_id, std::int64_t at_ms,
                                               Done done) {
  return storage_->writer().submit(
      [org_id, pupil, device_id, at_ms](sqlite::Database& db) -> sqlite::Result<void> {
        auto update = db.prepare(
            "UPDATE transfers SET objection_at_ms = coalesce(objection_at_ms, ?), "
            "objection_by = coalesce(objection_by, ?) WHERE org_id = ? AND pupil = ?");
        if (!update) {
          return update.error();
        }
        update->bind(1, at_ms).bind(2, device_id).bind(3, org_id).bind(4, pupil);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        if (db.changes() == 0) {
          return make_error_code(consent_errc::not_found);
        }
        return rows::insert_audit(db, at_ms, "transfer.objection", org_id, device_id, {},
                                  "pupil=" + protocol::hex_encode(pupil));
      },
      std::move(done));
}

sqlite::Result<TransferRecord> SqliteConsentRegistry::transfer(const protocol::Id& org_id,
                                                               const protocol::Hash256& pupil) {
  return storage_->read([&](sqlite::Database& db) {
    return one_row(db,
                   "SELECT announced_at_ms, announced_by, objection_at_ms, receiving_org, "
                   "told_day, statement FROM transfers WHERE org_id = ? AND pupil = ?",
                   org_id, pupil, [&](sqlite::Statement& row) {
                     TransferRecord out;
                     out.org_id = org_id;
                     out.pupil = pupil;
                     out.announced_at_ms = row.column_int64(0);
                     out.announced_by = rows::fixed<16>(row.column_blob(1));
                     if (!row.column_is_null(2)) {
                       out.objection_at_ms = row.column_int64(2);
                     }
                     if (!row.column_is_null(3)) {
                       out.receiving_org = rows::fixed<16>(row.column_blob(3));
                     }
                     if (!row.column_is_null(4)) {
                       out.told_day = static_cast<std::uint32_t>(row.column_int64(4));
                     }
                     const auto statement = row.column_blob(5);
                     out.statement.assign(statement.begin(), statement.end());
                     return out;
                   });
  });
}

bool SqliteConsentRegistry::register_advice_objection(const AdviceObjection& objection, Done done) {
  return storage_->writer().submit(
      [objection](sqlite::Database& db) -> sqlite::Result<void> {
        auto insert = db.prepare(
            "INSERT OR IGNORE INTO advice_objections (org_id, pupil, registered_at_ms, "
            "registered_by) VALUES (?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, objection.org_id)
            .bind(2, objection.pupil)
            .bind(3, objection.registered_at_ms)
            .bind(4, objection.registered_by);
        if (auto inserted = insert->run(); !inserted) {
          return inserted;
        }
        return rows::insert_audit(db, objection.registered_at_ms, "objection.registered",
                                  objection.org_id, objection.registered_by, {},
                                  "subject=advies pupil=" + protocol::hex_encode(objection.pupil));
      },
      std::move(done));
}

bool SqliteConsentRegistry::withdraw_advice_objection(const protocol::Id& org_id,
                                                      const protocol::Hash256& pupil,
                                                      const protocol::Id& device_id,
                                                      std::int64_t at_ms, Done done) {
  return storage_->writer().submit(
      [org_id, pupil, device_id, at_ms](sqlite::Database& db) -> sqlite::Result<void> {
        auto remove = db.prepare("DELETE FROM advice_objections WHERE org_id = ? AND pupil = ?");
        if (!remove) {
          return remove.error();
        }
        remove->bind(1, org_id).bind(2, pupil);
        if (auto removed = remove->run(); !removed) {
          return removed;
        }
        if (db.changes() == 0) {
          return make_error_code(consent_errc::not_found);
        }
        return rows::insert_audit(db, at_ms, "objection.withdrawn", org_id, device_id, {},
                                  "subject=advies pupil=" + protocol::hex_encode(pupil));
      },
      std::move(done));
}

sqlite::Result<AdviceObjection> SqliteConsentRegistry::advice_objection(
    const protocol::Id& org_id, const protocol::Hash256& pupil) {
  return storage_->read([&](sqlite::Database& db) {
    return one_row(db,
                   "SELECT registered_at_ms, registered_by FROM advice_objections "
                   "WHERE org_id = ? AND pupil = ?",
                   org_id, pupil, [&](sqlite::Statement& row) {
                     return AdviceObjection{org_id, pupil, row.column_int64(0),
                                            rows::fixed<16>(row.column_blob(1))};
                   });
  });
}

}  // namespace draaischijf::server
