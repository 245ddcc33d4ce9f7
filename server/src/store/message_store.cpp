#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/approval_request.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/message_store.hpp>

#include "core/bench_switch.hpp"
#include "store/blob_grants.hpp"
#include "store/case_rows.hpp"
#include "store/receipt_decisions.hpp"
#include "store/referral_rows.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<store_errc>(value)) {
    case store_errc::message_id_taken:
      return "message id is already in use";
    case store_errc::not_found:
      return "no such message in this mailbox";
    case store_errc::overloaded:
      return "the hub's write queue is full";
    case store_errc::mailbox_full:
      return "the recipient mailbox is full";
    case store_errc::mailbox_held:
      return "the recipient mailbox waits for a new key after a member was removed";
    case store_errc::consent_revoked:
      return "the consent the message was sent under has been revoked";
    case store_errc::decisions_invalid:
      return "the policy's decisions cannot be put in a receipt";
    case store_errc::blob_unknown:
      return "an attachment the envelope names was not uploaded by this device";
    case store_errc::expired:
      return "the message was not fetched in time and has expired";
    case store_errc::purged:
      return "the message was delivered and its ciphertext has been deleted";
    case store_errc::recipient_removed:
      return "a recipient mailbox belongs to an organisation removed from the hub";
    case store_errc::sender_removed:
      return "the sending organisation was removed from the hub";
  }
  return "unknown store error";
}

// The decisions a replay's receipt names: those stored with the original. A row stored before
// they were kept (NULL) gets the verdict just made on the replay, flagged `decided_now` for the
// log: refusing the replay would leave the sender without its receipt, and no format allows a
// receipt without decisions. That verdict is honest about today, not a claim about then.
sqlite::Result<void> original_decisions(const sqlite::Statement& row, int column,
                                        const Submission& replay, Accepted& out) {
  auto decided = row.column_is_null(column) ? receipt_decisions(replay.decisions)
                                            : protocol::parse_decisions(row.column_blob(column));
  if (!decided) {
    return make_error_code(store_errc::decisions_invalid);  // the hub never stores such bytes
  }
  out.decided = std::move(*decided);
  out.decided_now = row.column_is_null(column);
  return {};
}

// A replay of a stored message id by the same organisation gets the original receipt; the same
// id from another organisation is refused without telling anything about the original.
sqlite::Result<Accepted> original_of(sqlite::Database& db, const Submission& s) {
  auto select = db.prepare(
      "SELECT sequence, received_at_ms, envelope_hash, sender_org, decided FROM envelopes "
      "WHERE message_id = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, s.message_id);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row || rows::fixed<16>(select->column_blob(3)) != s.sender_org) {
    return make_error_code(store_errc::message_id_taken);
  }
  Accepted original{select->column_int64(0),
                    select->column_int64(1),
                    rows::fixed<32>(select->column_blob(2)),
                    true,
                    {},
                    {},
                    false,
                    std::nullopt};
  if (auto decided = original_decisions(*select, 4, s, original); !decided) {
    return decided.error();
  }
  // The replay is answered with the same proof: the original's entry in the record log.
  auto logged = rows::logged_acceptance(db, s.message_id);
  if (!logged) {
    return logged.error();
  }
  if (*logged) {
    original.logged = Accepted::Logged{(*logged)->record_index, (*logged)->row_hash};
  }
  return original;
}

using Outcome = boost::system::result<Accepted, Refusal>;

Refusal refusal(boost::system::error_code error, const protocol::Id& mailbox = {}) {
  return {error, mailbox};
}

// The current epoch may be sealed to only inside its window: past it, it may still hold a
// device removed since. Its signature was verified when it was stored.
protocol::Result<void> usable_now(std::span<const std::uint8_t> certificate,
                                  std::int64_t received_at_ms) {
  auto parsed = protocol::parse_epoch_certificate(certificate);
  if (!parsed) {
    return parsed.error();
  }
  return protocol::check_window(*parsed, static_cast<std::uint64_t>(received_at_ms / 1000));
}

// Every recipient must be a known mailbox sealed to at its current epoch, with room for the
// envelope. Returns the mailboxes that cross the warning threshold.
boost::system::result<std::vector<protocol::Id>, Refusal> check_recipients(
    sqlite::Database& db, const Submission& s, const SqliteMessageStore::Limits& limits) {
  auto select = db.prepare(
      "SELECT m.current_epoch, m.queued_bytes, m.needs_rotation, e.certificate, "
      "EXISTS (SELECT 1 FROM organisation_removals r WHERE r.org_id = m.org_id) FROM mailboxes m "
      "JOIN mailbox_epochs e ON e.mailbox_id = m.mailbox_id AND e.epoch = m.current_epoch "
      "WHERE m.mailbox_id = ?");
  // A device of an organisation removed while it was connected (the operator's command runs
  // beside the hub, so the connection's device check does not see it) stores nothing.
  auto sender = db.prepare("SELECT 1 FROM organisation_removals WHERE org_id = ?");
  if (!select || !sender) {
    return refusal(!select ? select.error() : sender.error());
  }
  sender->bind(1, s.sender_org);
  auto sender_row = sender->step();
  if (!sender_row || *sender_row) {
    return refusal(!sender_row ? sender_row.error() : make_error_code(store_errc::sender_removed));
  }
  sender->reset();
  std::vector<protocol::Id> near_quota;
  const auto size = static_cast<std::int64_t>(s.envelope.size());
  for (const protocol::RecipientMailbox& r : s.recipients) {
    select->reset();
    select->bind(1, r.mailbox_id);
    auto row = select->step();
    if (!row) {
      return refusal(row.error());
    }
    if (!*row) {
      return refusal(make_error_code(protocol::errc::unknown_epoch), r.mailbox_id);
    }
    // A removed organisation's mailboxes take nothing: no member can ever fetch it.
    if (select->column_int64(4) != 0) {
      return refusal(make_error_code(store_errc::recipient_removed), r.mailbox_id);
    }
    // Older than the current epoch: the sender holds an outdated certificate (it can refresh
    // and seal again). Newer: no such epoch exists.
    const std::int64_t current = select->column_int64(0);
    if (static_cast<std::int64_t>(r.epoch) < current) {
      return refusal(make_error_code(protocol::errc::stale_epoch), r.mailbox_id);
    }
    if (static_cast<std::int64_t>(r.epoch) > current) {
      return refusal(make_error_code(protocol::errc::unknown_epoch), r.mailbox_id);
    }
    if (select->column_int64(2) != 0) {
      return refusal(make_error_code(store_errc::mailbox_held), r.mailbox_id);
    }
    if (auto usable = usable_now(select->column_blob(3), s.received_at_ms); !usable) {
      return refusal(usable.error(), r.mailbox_id);
    }
    const std::int64_t queued = select->column_int64(1) + size;
    if (queued > limits.mailbox_quota_bytes) {
      return refusal(make_error_code(store_errc::mailbox_full), r.mailbox_id);
    }
    if (static_cast<double>(queued) >
        limits.warning_fraction * static_cast<double>(limits.mailbox_quota_bytes)) {
      near_quota.push_back(r.mailbox_id);
    }
  }
  return near_quota;
}

// Whether the consent is still unrevoked, read inside the storing transaction: the single
// writer orders revocations and submissions, so nothing is stored under a revoked consent.
sqlite::Result<bool> consent_in_force(sqlite::Database& db, const protocol::Id& consent_id) {
  auto select = db.prepare("SELECT revoked_at_ms IS NULL FROM consents WHERE consent_id = ?");
  if (!select) {
    return {boost::system::in_place_error, select.error()};
  }
  select->bind(1, consent_id);
  auto row = select->step();
  if (!row) {
    return {boost::system::in_place_error, row.error()};
  }
  return *row && select->column_int64(0) != 0;
}

// The disclosure register: who received which categories about which pupil, on what basis.
sqlite::Result<void> register_disclosure(sqlite::Database& db, const Submission& s,
                                         const PolicyRecord& d) {
  auto insert = db.prepare(
      "INSERT INTO disclosures (org_id, pupil, message_id, at_ms, sender_staff, sender_role, "
      "recipient_org, recipient_mailbox, kind, purpose, categories, legal_basis, rule_ids, "
      "policy_version, approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  insert->bind(1, s.sender_org)
      .bind(2, s.pupil_pseudonym)
      .bind(3, s.message_id)
      .bind(4, s.received_at_ms)
      .bind(5, d.user)
      .bind(6, d.role)
      .bind(7, d.recipient_org)
      .bind(8, d.recipient_mailbox)
      .bind(9, d.kind)
      .bind(10, d.purpose)
      .bind(11, d.categories)
      .bind(12, d.legal_basis)
      .bind(13, d.rule_ids)
      .bind(14, d.policy_version)
      .bind(15, d.on_behalf_of);
  return insert->run();
}

// A second-approval request or its answer (docs/PROTOCOL.md 7.19) stays between colleagues of
// the organisation: it discloses nothing. The draft it carries enters the register when it is
// sent, under the approval.
bool is_approval_exchange(std::string_view kind) {
  return kind == protocol::name_of(protocol::kApprovalRequestKind) ||
         kind == protocol::name_of(protocol::kApprovalAnswerKind);
}

// One audit row per decision, allow or not, with its NEN 7513 fields; the allows enter the
// disclosure register only when the message is stored (`stored`), never for a refused one.
sqlite::Result<void> log_decisions(sqlite::Database& db, const Submission& s, bool stored) {
  if (policy_gate_switched_off()) {
    return {};  // a bench build measuring the gate's cost (core/bench_switch.hpp)
  }
  const bool has_pupil = s.pupil_pseudonym != protocol::Hash256{};
  for (const PolicyRecord& d : s.decisions) {
    rows::AuditSubject subject{has_pupil ? std::span<const std::uint8_t>(s.pupil_pseudonym)
                                         : std::span<const std::uint8_t>(),
                               d.user,
                               d.on_behalf_of,
                               d.role,
                               d.legal_basis,
                               d.rule_ids,
                               d.policy_version};
    const std::string detail = policies::decision_detail(
        d.outcome, d.recipient_org, d.recipient_mailbox, d.kind, d.purpose, d.categories);
    if (auto audited =
            rows::insert_audit(db, s.received_at_ms, policies::kPolicyDecisionEvent, s.sender_org,
                               s.sender_device, s.message_id, detail, subject);
        !audited) {
      return audited;
    }
    if (stored && has_pupil && d.outcome == "allow" && !d.own_team_copy &&
        !is_approval_exchange(d.kind)) {
      if (auto registered = register_disclosure(db, s, d); !registered) {
        return registered;
      }
    }
  }
  return {};
}

// New work stops a reserve before the database is full (limits.max_database_bytes), so the
// acknowledgements and the retention passes that free room still fit; on a disk that fills
// before the cap, SQLite refuses the write itself (SQLITE_FULL) and nothing is stored either.
constexpr std::int64_t kReserveBytes = std::int64_t{1} << 20;

sqlite::Result<std::int64_t> pragma_value(sqlite::Database& db, std::string_view pragma) {
  auto select = db.prepare(pragma);
  if (!select) {
    return select.error();
  }
  auto row = select->step();
  if (!row || !*row) {
    return row ? make_error_code(sqlite::errc::step_failed) : row.error();
  }
  return select->column_int64(0);
}

sqlite::Result<void> room_for(sqlite::Database& db, std::int64_t bytes) {
  auto cap = pragma_value(db, "PRAGMA max_page_count");
  auto used = pragma_value(db, "PRAGMA page_count");
  auto free = pragma_value(db, "PRAGMA freelist_count");
  auto page = pragma_value(db, "PRAGMA page_size");
  if (!cap || !used || !free || !page) {
    return !cap ? cap.error() : (!used ? used.error() : (!free ? free.error() : page.error()));
  }
  if ((*cap - *used + *free) * *page < bytes + kReserveBytes) {
    return make_error_code(sqlite::errc::full);
  }
  return {};
}

// A signaal that reaches a CLB mailbox opens its triage case with the envelope, so no accepted
// signaal is ever without one (docs/WORKFLOW.md, "Onthaal triage").
sqlite::Result<void> open_signaal_cases(sqlite::Database& db, const Submission& s,
                                        std::int64_t sequence) {
  if (s.kind != protocol::MessageKind::signaal) {
    return {};
  }
  std::vector<protocol::Id> mailboxes;
  for (const protocol::RecipientMailbox& r : s.recipients) {
    mailboxes.push_back(r.mailbox_id);
  }
  const case_rows::Opening opening{
      s.sender_org,
      s.sender_device,
      s.message_id,
      s.pupil_pseudonym,
      sequence,
      s.received_at_ms,
      policies::signaal_priority(s.purpose == protocol::Purpose::verontrusting, s.attestations)};
  return case_rows::open_cases(db, opening, mailboxes);
}

Outcome store(sqlite::Database& db, const Submission& s, const protocol::Hash256& hash,
              const SqliteMessageStore::Limits& limits, const MessagePeriods& periods) {
  if (auto room = room_for(db, static_cast<std::int64_t>(s.envelope.size())); !room) {
    return refusal(room.error());
  }
  auto insert = db.prepare(
      "INSERT INTO envelopes (message_id, sender_org, sender_device, kind, received_at_ms, "
      "envelope_hash, size, body, consent_reference, pupil, decided, keep_settled_ms, "
      "expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return refusal(insert.error());
  }
  // What the receipt will name, written with the envelope. Decisions that do not fit a receipt
  // are refused only after the recipient checks below: the gate makes none for an unknown
  // mailbox, which must still be refused as unknown_epoch.
  auto decided = receipt_decisions(s.decisions);
  auto encoded = decided ? protocol::encode_decisions(*decided)
                         : protocol::Result<std::vector<std::uint8_t>>(decided.error());
  if (encoded) {
    insert->bind(11, *encoded);
  } else {
    insert->bind_null(11);
  }
  // Zero means none: stored as NULL, so the consent index holds only real references.
  if (s.consent_reference == protocol::Id{}) {
    insert->bind_null(9);
  } else {
    insert->bind(9, s.consent_reference);
  }
  if (s.pupil_pseudonym == protocol::Hash256{}) {
    insert->bind_null(10);
  } else {
    insert->bind(10, s.pupil_pseudonym);
  }
  insert->bind(1, s.message_id)
      .bind(2, s.sender_org)
      .bind(3, s.sender_device)
      .bind(4, static_cast<std::int64_t>(s.kind))
      .bind(5, s.received_at_ms)
      .bind(6, hash)
      .bind(7, static_cast<std::int64_t>(s.envelope.size()))
      .bind(8, s.envelope)
      .bind(12, periods.settled_ms)
      .bind(13, s.received_at_ms + periods.unfetched_ms);
  if (auto inserted = insert->run(); !inserted) {
    if (inserted.error() == sqlite::errc::constraint_violation) {
      // A replay gets its original receipt even after a rotation or with a full mailbox.
      auto original = original_of(db, s);
      return original ? Outcome(*original) : refusal(original.error());
    }
    return refusal(inserted.error());
  }
  auto near_quota = check_recipients(db, s, limits);
  if (!near_quota) {
    return near_quota.error();
  }
  if (s.rests_on_consent) {
    auto in_force = consent_in_force(db, s.consent_reference);
    if (!in_force || !*in_force) {
      return refusal(!in_force ? in_force.error() : make_error_code(store_errc::consent_revoked));
    }
  }
  if (!encoded) {
    return refusal(make_error_code(store_errc::decisions_invalid));
  }
  const std::int64_t sequence = db.last_insert_rowid();
  auto queue = db.prepare("INSERT INTO queue (mailbox_id, sequence, epoch) VALUES (?, ?, ?)");
  auto count =
      db.prepare("UPDATE mailboxes SET queued_bytes = queued_bytes + ? WHERE mailbox_id = ?");
  if (!queue || !count) {
    return refusal(!queue ? queue.error() : count.error());
  }
  for (const protocol::RecipientMailbox& r : s.recipients) {
    queue->bind(1, r.mailbox_id).bind(2, sequence).bind(3, static_cast<std::int64_t>(r.epoch));
    count->bind(1, static_cast<std::int64_t>(s.envelope.size())).bind(2, r.mailbox_id);
    if (auto queued = queue->run(); !queued) {
      return refusal(queued.error());
    }
    if (auto counted = count->run(); !counted) {
      return refusal(counted.error());
    }
    queue->reset();
    count->reset();
  }
  if (auto granted = grant_blobs(db, s, sequence); !granted) {
    return refusal(granted.error());
  }
  if (auto opened = open_signaal_cases(db, s, sequence); !opened) {
    return refusal(opened.error());
  }
  const std::string detail = "kind=" + std::string(protocol::name_of(s.kind)) +
                             " recipients=" + std::to_string(s.recipients.size()) +
                             " attachments=" + std::to_string(s.blobs.size());
  // The acceptance's record-log entry is made from the version 3 receipt, so the log proves
  // to the sender what a signature per message would otherwise have to.
  auto receipt =
      protocol::logged_receipt(s.message_id, hash, static_cast<std::uint64_t>(s.received_at_ms),
                               static_cast<std::uint64_t>(sequence), *decided);
  if (!receipt) {
    return refusal(make_error_code(store_errc::decisions_invalid));
  }
  auto audited =
      rows::insert_acceptance_audit(db, s.received_at_ms, s.sender_org, s.sender_device,
                                    s.message_id, detail, protocol::receipt_digest(*receipt));
  if (!audited) {
    return refusal(audited.error());
  }
  if (auto logged = log_decisions(db, s, true); !logged) {
    return refusal(logged.error());
  }
  if (s.referral) {
    if (auto recorded = referral_rows::record_new(db, s, *s.referral); !recorded) {
      return refusal(recorded.error());
    }
  }
  return Accepted{sequence,
                  s.received_at_ms,
                  hash,
                  false,
                  std::move(*near_quota),
                  std::move(*decided),
                  false,
                  Accepted::Logged{audited->record_index, audited->row_hash}};
}

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.store", describe);
  return category;
}

bool SqliteMessageStore::submit(Submission submission, SubmitDone done) {
  auto outcome = std::make_shared<Outcome>(refusal(make_error_code(store_errc::not_found)));
  auto shared = std::make_shared<Submission>(std::move(submission));
  // Hashed here, on the caller's thread: the single writer only writes.
  const protocol::Hash256 hash = protocol::envelope_hash(shared->envelope);
  const MessagePeriods periods = [&] {
    const std::lock_guard lock(retention_mutex_);
    return retention_.for_message(shared->kind, shared->categories);
  }();
  return storage_->writer().submit(
      [shared, hash, outcome, limits = limits_,
       periods](sqlite::Database& db) -> sqlite::Result<void> {
        *outcome = store(db, *shared, hash, limits, periods);
        if (!*outcome) {
          return outcome->error().error;  // the savepoint rolls back whatever was written
        }
        // A replay wrote nothing (its INSERT failed on the unique id): it succeeds with the
        // original receipt.
        return {};
      },
      [outcome, done = std::move(done)](sqlite::Result<void> committed) {
        if (!committed && *outcome) {
          done(refusal(committed.error()));  // the batch's COMMIT failed: nothing is stored
          return;
        }
        done(*outcome);
      });
}

bool SqliteMessageStore::acknowledge(const protocol::Id& mailbox_id, std::int64_t sequence,
                                     const protocol::Id& device_id, std::int64_t at_ms,
                                     Acknowledgement what, Done done) {
  return storage_->writer().submit(
      [=](sqlite::Database& db) -> sqlite::Result<void> {
        auto exists = db.prepare(
            "SELECT state = 'queued', read_at_ms IS NULL, state = 'expired' FROM queue "
            "WHERE mailbox_id = ? AND sequence = ?");
        if (!exists) {
          return exists.error();
        }
        exists->bind(1, mailbox_id).bind(2, sequence);
        auto row = exists->step();
        if (!row) {
          return row.error();
        }
        if (!*row) {
          return make_error_code(store_errc::not_found);
        }
        const bool queued = exists->column_int64(0) != 0;
        const bool unread = exists->column_int64(1) != 0;
        if (exists->column_int64(2) != 0) {
          // Too late: the sender was told it expired, so it does not turn delivered now.
          return make_error_code(store_errc::expired);
        }
        exists->reset();
        // Acknowledgements are retried: one already recorded changes nothing.
        if (queued) {
          if (auto delivered = mark_delivered(db, mailbox_id, sequence, device_id, at_ms);
              !delivered) {
            return delivered;
          }
        }
        if (what == Acknowledgement::read && unread) {
          auto update = db.prepare(
              "UPDATE queue SET read_at_ms = ?, read_by = ? WHERE mailbox_id = ? AND sequence = ?");
          if (!update) {
            return update.error();
          }
          update->bind(1, at_ms).bind(2, device_id).bind(3, mailbox_id).bind(4, sequence);
          if (auto updated = update->run(); !updated) {
            return updated;
          }
          return rows::insert_audit(db, at_ms, "envelope.read", {}, device_id, {},
                                    "sequence=" + std::to_string(sequence));
        }
        return {};
      },
      std::move(done));
}

bool SqliteMessageStore::withdraw_under_consent(const protocol::Id& consent_id,
                                                const protocol::Id& sender_org, std::int64_t at_ms,
                                                WithdrawDone done) {
  auto withdrawn = std::make_shared<std::vector<Withdrawal>>();
  return storage_->writer().submit(
      [=](sqlite::Database& db) -> sqlite::Result<void> {
        withdrawn->clear();  // a batch that failed may run this job again
        return rows::withdraw_queued(db, consent_id, sender_org, at_ms, *withdrawn);
      },
      [withdrawn, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          done(result.error());
        } else {
          done(std::move(*withdrawn));
        }
      });
}

bool SqliteMessageStore::record_refusal(const Submission& refused, Done done) {
  auto shared = std::make_shared<Submission>();
  shared->message_id = refused.message_id;
  shared->sender_org = refused.sender_org;
  shared->sender_device = refused.sender_device;
  shared->received_at_ms = refused.received_at_ms;
  shared->pupil_pseudonym = refused.pupil_pseudonym;
  shared->decisions = refused.decisions;
  return storage_->writer().submit(
      [shared](sqlite::Database& db) { return log_decisions(db, *shared, false); },
      std::move(done));
}

sqlite::Result<void> SqliteMessageStore::mark_delivered(sqlite::Database& db,
                                                        const protocol::Id& mailbox_id,
                                                        std::int64_t sequence,
                                                        const protocol::Id& device_id,
                                                        std::int64_t at_ms) {
  auto update = db.prepare(
      "UPDATE queue SET state = 'delivered', delivered_at_ms = ?1, delivered_by = ?2, "
      "settled_at_ms = ?1 WHERE mailbox_id = ?3 AND sequence = ?4 AND state = 'queued'");
  if (!update) {
    return update.error();
  }
  update->bind(1, at_ms).bind(2, device_id).bind(3, mailbox_id).bind(4, sequence);
  if (auto updated = update->run(); !updated) {
    return updated;
  }
  auto count = db.prepare(
      "UPDATE mailboxes SET queued_bytes = queued_bytes - "
      "(SELECT size FROM envelopes WHERE sequence = ?) WHERE mailbox_id = ?");
  if (!count) {
    return count.error();
  }
  count->bind(1, sequence).bind(2, mailbox_id);
  if (auto counted = count->run(); !counted) {
    return counted;
  }
  return rows::insert_audit(db, at_ms, "envelope.delivered", {}, device_id, {},
                            "sequence=" + std::to_string(sequence));
}

sqlite::Result<std::vector<QueueEntry>> SqliteMessageStore::list(const protocol::Id& mailbox_id,
                                                                 std::int64_t after,
                                                                 std::size_t limit) {
  return storage_->read([&](sqlite::Database& reader) -> sqlite::Result<std::vector<QueueEntry>> {
    auto select = reader.prepare(
        "SELECT q.sequence, e.message_id, e.sender_org, e.received_at_ms, e.size, q.state "
        "FROM queue q JOIN envelopes e ON e.sequence = q.sequence "
        "WHERE q.mailbox_id = ? AND q.sequence > ? AND e.purged_at_ms IS NULL "
        "ORDER BY q.sequence LIMIT ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, mailbox_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
    std::vector<QueueEntry> entries;
    while (true) {
      auto row = select->step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        return entries;
      }
      entries.push_back({select->column_int64(0), rows::fixed<16>(select->column_blob(1)),
                         rows::fixed<16>(select->column_blob(2)), select->column_int64(3),
                         select->column_int64(4), select->column_text(5)});
    }
  });
}

// One read for a catch-up's worth of envelopes, where fetch() would take one per envelope.
sqlite::Result<std::vector<QueuedEnvelope>> SqliteMessageStore::fetch_after(
    const protocol::Id& mailbox_id, std::int64_t after, std::size_t limit, std::size_t max_bytes) {
  return storage_->read(
      [&](sqlite::Database& reader) -> sqlite::Result<std::vector<QueuedEnvelope>> {
        auto select = reader.prepare(
            "SELECT q.sequence, e.body FROM queue q JOIN envelopes e ON e.sequence = q.sequence "
            "WHERE q.mailbox_id = ? AND q.sequence > ? AND q.state NOT IN ('withdrawn', 'expired') "
            "AND e.purged_at_ms IS NULL ORDER BY q.sequence LIMIT ?");
        if (!select) {
          return select.error();
        }
        select->bind(1, mailbox_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
        std::vector<QueuedEnvelope> envelopes;
        std::size_t bytes = 0;
        while (true) {
          auto row = select->step();
          if (!row) {
            return row.error();
          }
          if (!*row) {
            return envelopes;
          }
          const auto body = select->column_blob(1);
          if (!envelopes.empty() && bytes + body.size() > max_bytes) {
            return envelopes;
          }
          bytes += body.size();
          envelopes.push_back({select->column_int64(0), {body.begin(), body.end()}});
        }
      });
}

sqlite::Result<std::vector<std::uint8_t>> SqliteMessageStore::fetch(const protocol::Id& mailbox_id,
                                                                    std::int64_t sequence) {
  return storage_->read([&](sqlite::Database& reader) -> sqlite::Result<std::vector<std::uint8_t>> {
    auto select = reader.prepare(
        "SELECT e.body, q.state, e.purged_at_ms IS NOT NULL FROM queue q "
        "JOIN envelopes e ON e.sequence = q.sequence "
        "WHERE q.mailbox_id = ? AND q.sequence = ? AND q.state <> 'withdrawn'");
    if (!select) {
      return select.error();
    }
    select->bind(1, mailbox_id).bind(2, sequence);
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return make_error_code(store_errc::not_found);
    }
    // What retention took is answered as such (410), not as missing: the member knows the
    // entry, and learns why it cannot have it.
    if (select->column_text(1) == "expired") {
      return make_error_code(store_errc::expired);
    }
    if (select->column_int64(2) != 0) {
      return make_error_code(store_errc::purged);
    }
    const auto body = select->column_blob(0);
    return std::vector<std::uint8_t>(body.begin(), body.end());
  });
}

sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>>
SqliteMessageStore::delivery_status(const protocol::Id& message_id,
                                    const protocol::Id& sender_org) {
  return storage_->read([&](sqlite::Database& reader)
                            -> sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>> {
    auto select = reader.prepare(
        "SELECT q.mailbox_id, CASE WHEN q.read_at_ms IS NULL THEN q.state ELSE 'read' END "
        "FROM envelopes e JOIN queue q ON q.sequence = e.sequence "
        "WHERE e.message_id = ? AND e.sender_org = ? ORDER BY q.mailbox_id");
    if (!select) {
      return select.error();
    }
    select->bind(1, message_id).bind(2, sender_org);
    std::vector<std::pair<protocol::Id, std::string>> states;
    while (true) {
      auto row = select->step();
      if (!row) {
        return row.error();
      }
      if (!*row) {
        break;
      }
      states.emplace_back(rows::fixed<16>(select->column_blob(0)), select->column_text(1));
    }
    if (states.empty()) {
      return make_error_code(store_errc::not_found);  // missing and foreign look the same
    }
    return states;
  });
}

sqlite::Result<std::optional<std::int64_t>> SqliteMessageStore::purged_at(
    const protocol::Id& message_id, const protocol::Id& sender_org) {
  return storage_->read(
      [&](sqlite::Database& reader) -> sqlite::Result<std::optional<std::int64_t>> {
        auto select = reader.prepare(
            "SELECT purged_at_ms FROM envelopes WHERE message_id = ? AND sender_org = ?");
        if (!select) {
          return select.error();
        }
        select->bind(1, message_id).bind(2, sender_org);
        auto row = select->step();
        if (!row) {
          return row.error();
        }
        if (!*row) {
          return make_error_code(store_errc::not_found);
        }
        if (select->column_is_null(0)) {
          return std::optional<std::int64_t>();
        }
        return std::optional<std::int64_t>(select->column_int64(0));
      });
}

sqlite::Result<std::int64_t> SqliteMessageStore::audit_count(std::string_view event) {
  return storage_->read([&](sqlite::Database& reader) -> sqlite::Result<std::int64_t> {
    auto select = reader.prepare("SELECT count(*) FROM audit WHERE event = ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, event);
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    return select->column_int64(0);
  });
}

}  // namespace draaischijf::server
