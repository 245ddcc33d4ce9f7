// The retention pass (store/retention.hpp): each step selects at most `batch` rows, changes
// them and counts them, all inside the one writer job, so the pass commits or rolls back whole.

#include <algorithm>
#include <iterator>
#include <string>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/retention.hpp>

#include "store/blob_grants.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;

// The values set for a message's kind and categories: the shortest wins.
void take_shortest(std::optional<std::int64_t>& chosen, const std::optional<std::int64_t>& set) {
  if (set && (!chosen || *set < *chosen)) {
    chosen = set;
  }
}

// Step 1: entries nobody acknowledged in time leave the queue as 'expired'. Never received,
// so never disclosed: their disclosure-register rows go, as for a withdrawal.
sqlite::Result<void> expire_unfetched(sqlite::Database& db, const RetentionPolicy& policy,
                                      std::int64_t now_ms, PurgeReport& report) {
  auto select = db.prepare(
      "SELECT q.mailbox_id, q.sequence, e.message_id, e.sender_org, e.size FROM queue q "
      "JOIN envelopes e ON e.sequence = q.sequence WHERE q.state = 'queued' "
      "AND COALESCE(e.expires_at_ms, e.received_at_ms + ?) <= ? ORDER BY q.sequence LIMIT ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, policy.messages.unfetched_ms)
      .bind(2, now_ms)
      .bind(3, static_cast<std::int64_t>(policy.batch));
  std::vector<std::int64_t> sizes;
  const std::size_t first = report.expiries.size();
  if (auto listed = rows::for_each_row(
          *select,
          [&](sqlite::Statement& row) {
            report.expiries.push_back({rows::fixed<16>(row.column_blob(0)), row.column_int64(1),
                                       rows::fixed<16>(row.column_blob(2)),
                                       rows::fixed<16>(row.column_blob(3))});
            sizes.push_back(row.column_int64(4));
          });
      !listed) {
    return listed;
  }
  auto settler = rows::WaitingEntrySettler::prepare(db, "expired");
  if (!settler) {
    return settler.error();
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Expiry& x = report.expiries[first + i];
    if (auto settled = settler->settle(x.mailbox_id, x.sequence, x.message_id, sizes[i], now_ms);
        !settled) {
      return settled;
    }
    if (auto audited =
            rows::insert_audit(db, now_ms, "envelope.expired", x.sender_org, {}, x.message_id,
                               "sequence=" + std::to_string(x.sequence) +
                                   " mailbox=" + protocol::hex_encode(x.mailbox_id));
        !audited) {
      return audited;
    }
  }
  report.expired = sizes.size();
  report.more = report.more || sizes.size() == policy.batch;
  return {};
}

// The sequences a query (bound by `bind`) selects, at most `batch` of them.
template <class Bind>
sqlite::Result<std::vector<std::int64_t>> sequences(sqlite::Database& db, std::string_view sql,
                                                    Bind&& bind) {
  auto select = db.prepare(sql);
  if (!select) {
    return select.error();
  }
  bind(*select);
  std::vector<std::int64_t> out;
  if (auto listed = rows::for_each_row(
          *select, [&out](sqlite::Statement& row) { out.push_back(row.column_int64(0)); });
      !listed) {
    return listed.error();
  }
  return out;
}

// Step 2: the ciphertext of envelopes no recipient waits for, once their settled period has
// passed since the last entry left the queue; and the blobs no envelope with ciphertext names.
sqlite::Result<void> purge_settled(sqlite::Database& db, const RetentionPolicy& policy,
                                   std::int64_t now_ms, PurgeReport& report,
                                   std::vector<BlobFile>& files) {
  auto settled =
      sequences(db,
                "SELECT e.sequence FROM envelopes e WHERE e.purged_at_ms IS NULL AND NOT EXISTS ("
                "SELECT 1 FROM queue q WHERE q.sequence = e.sequence AND q.state = 'queued') AND ("
                "SELECT MAX(COALESCE(q.settled_at_ms, e.received_at_ms)) FROM queue q "
                "WHERE q.sequence = e.sequence) + COALESCE(e.keep_settled_ms, ?) <= ? "
                "ORDER BY e.sequence LIMIT ?",
                [&](sqlite::Statement& s) {
                  s.bind(1, policy.messages.settled_ms)
                      .bind(2, now_ms)
                      .bind(3, static_cast<std::int64_t>(policy.batch));
                });
  if (!settled) {
    return settled.error();
  }
  auto purge = db.prepare("UPDATE envelopes SET body = X'', purged_at_ms = ? WHERE sequence = ?");
  if (!purge) {
    return purge.error();
  }
  const std::size_t blobs_before = files.size();
  for (const std::int64_t sequence : *settled) {
    purge->bind(1, now_ms).bind(2, sequence);
    if (auto ran = purge->run(); !ran) {
      return ran;
    }
    purge->reset();
    if (auto released = release_blobs(db, sequence, files); !released) {
      return released;
    }
  }
  report.envelopes = settled->size();
  report.blobs = files.size() - blobs_before;
  report.more = report.more || settled->size() == policy.batch;
  return {};
}

// Step 4: delivery records (the envelope row without body and its queue entries) past the
// records period.
sqlite::Result<void> delete_records(sqlite::Database& db, const RetentionPolicy& policy,
                                    std::int64_t now_ms, PurgeReport& report) {
  auto old = sequences(
      db,
      "SELECT sequence FROM envelopes WHERE purged_at_ms IS NOT NULL "
      "AND received_at_ms <= ? ORDER BY sequence LIMIT ?",
      [&](sqlite::Statement& s) {
        s.bind(1, now_ms - policy.records_ms).bind(2, static_cast<std::int64_t>(policy.batch));
      });
  if (!old) {
    return old.error();
  }
  for (const std::int64_t sequence : *old) {
    for (const char* sql :
         {"DELETE FROM queue WHERE sequence = ?", "DELETE FROM envelope_blobs WHERE sequence = ?",
          "DELETE FROM envelopes WHERE sequence = ?"}) {
      auto statement = db.prepare(sql);
      if (!statement) {
        return statement.error();
      }
      statement->bind(1, sequence);
      if (auto ran = statement->run(); !ran) {
        return ran;
      }
    }
  }
  report.records = old->size();
  report.more = report.more || old->size() == policy.batch;
  return {};
}

// Rows of `table` stamped in `column` before `before_ms`, at most `batch` of them (oldest
// first); returns how many went. `table` and `column` are this file's constants.
sqlite::Result<std::size_t> delete_older(sqlite::Database& db, std::string_view table,
                                         std::string_view column, std::int64_t before_ms,
                                         std::size_t batch) {
  const std::string sql = "DELETE FROM " + std::string(table) + " WHERE id IN (SELECT id FROM " +
                          std::string(table) + " WHERE " + std::string(column) +
                          " < ? ORDER BY id LIMIT ?)";
  auto statement = db.prepare(sql);
  if (!statement) {
    return statement.error();
  }
  statement->bind(1, before_ms).bind(2, static_cast<std::int64_t>(batch));
  if (auto ran = statement->run(); !ran) {
    return ran.error();
  }
  return static_cast<std::size_t>(db.changes());
}

// Runs `sql` once per value, bound as its only parameter.
template <class Value>
sqlite::Result<void> run_for_each(sqlite::Database& db, std::string_view sql,
                                  const std::vector<Value>& values) {
  auto statement = db.prepare(sql);
  if (!statement) {
    return statement.error();
  }
  for (const Value& value : values) {
    statement->bind(1, value);
    if (auto ran = statement->run(); !ran) {
      return ran;
    }
    statement->reset();
  }
  return {};
}

// Step 6: the workflow's rows once their own period has passed since they ended (docs/POLICY.md
// 11): a referral declined, closed or cancelled, with its signed status statements; a closed
// case, with its statements and links. Open ones stay, however old: they are work under way.
// Ids, states and days only; the audit row of the pass counts them.
sqlite::Result<void> delete_ended_workflow(sqlite::Database& db, const RetentionPolicy& policy,
                                           std::int64_t now_ms, PurgeReport& report) {
  const std::int64_t before_ms = now_ms - policy.workflow_ms;
  const auto batch = static_cast<std::int64_t>(policy.batch);
  // Referral states as stored (protocol::ReferralState): 3 declined, 7 closed, 8 cancelled.
  auto referrals = sequences(db,
                             "SELECT id FROM referrals WHERE state IN (3, 7, 8) AND "
                             "updated_at_ms <= ? ORDER BY id LIMIT ?",
                             [&](sqlite::Statement& s) { s.bind(1, before_ms).bind(2, batch); });
  if (!referrals) {
    return referrals.error();
  }
  for (const char* sql : {"DELETE FROM referral_statements WHERE referral = ?",
                          "DELETE FROM referrals WHERE id = ?"}) {
    if (auto deleted = run_for_each(db, sql, *referrals); !deleted) {
      return deleted;
    }
  }
  auto select = db.prepare(
      "SELECT case_id FROM cases WHERE state = 'closed' AND closed_at_ms <= ? "
      "ORDER BY closed_at_ms LIMIT ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, before_ms).bind(2, batch);
  std::vector<Id> cases;
  if (auto listed = rows::for_each_row(*select,
                                       [&cases](sqlite::Statement& row) {
                                         cases.push_back(rows::fixed<16>(row.column_blob(0)));
                                       });
      !listed) {
    return listed;
  }
  for (const char* sql :
       {"DELETE FROM case_statements WHERE case_id = ?", "DELETE FROM case_links WHERE case_id = ?",
        "DELETE FROM cases WHERE case_id = ?"}) {
    if (auto deleted = run_for_each(db, sql, cases); !deleted) {
      return deleted;
    }
  }
  report.referrals = referrals->size();
  report.cases = cases.size();
  report.more = report.more || referrals->size() == policy.batch || cases.size() == policy.batch;
  return {};
}

// Step 7: the hub's notices (docs/POLICY.md 11). A notice past its period loses its signed
// body and its acknowledgement: nobody lists, reads or acknowledges it any more. The row
// stays, bodiless, while the thing it is about can still be found by a workflow finder (a
// message still waiting in that mailbox, a referral not yet ended, a transfer on record): the
// finders look past causes that have a notice row, so deleting it would make the next pass
// write the same notice again. Once the cause is gone the bodiless row goes too. The row holds
// ids and a day only, no more than the notice's own `notice.created` audit row.
sqlite::Result<void> purge_notices(sqlite::Database& db, const RetentionPolicy& policy,
                                   std::int64_t now_ms, PurgeReport& report) {
  const auto batch = static_cast<std::int64_t>(policy.batch);
  auto old = sequences(
      db,
      "SELECT sequence FROM notices WHERE length(body) > 0 AND "
      "created_at_ms <= ? ORDER BY sequence LIMIT ?",
      [&](sqlite::Statement& s) { s.bind(1, now_ms - policy.notices_ms).bind(2, batch); });
  if (!old) {
    return old.error();
  }
  if (auto emptied = run_for_each(db,
                                  "UPDATE notices SET body = X'', acked_at_ms = NULL, "
                                  "acked_by = NULL WHERE sequence = ?",
                                  *old);
      !emptied) {
    return emptied;
  }
  // Referral states as stored: 3 declined, 7 closed, 8 cancelled end a referral for good (a
  // reopened referral is a new one), so no finder can find its causes again.
  auto gone =
      sequences(db,
                "SELECT n.sequence FROM notices n WHERE length(n.body) = 0 AND CASE "
                "WHEN n.pupil IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM transfers t "
                "WHERE t.pupil = n.pupil AND t.org_id = n.org_id) "
                "WHEN n.about_mailbox IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM queue q "
                "JOIN envelopes e ON e.sequence = q.sequence WHERE e.message_id = n.message_id "
                "AND q.mailbox_id = n.about_mailbox AND q.state = 'queued') "
                "WHEN n.message_id IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM referrals r "
                "WHERE r.referral_id = n.message_id AND r.state NOT IN (3, 7, 8)) "
                "ELSE 1 END ORDER BY n.sequence LIMIT ?",
                [&](sqlite::Statement& s) { s.bind(1, batch); });
  if (!gone) {
    return gone.error();
  }
  if (auto deleted = run_for_each(db, "DELETE FROM notices WHERE sequence = ?", *gone); !deleted) {
    return deleted;
  }
  // Rows emptied or deleted, each once (a row may be both in one pass).
  std::vector<std::int64_t> touched = *old;
  touched.insert(touched.end(), gone->begin(), gone->end());
  std::sort(touched.begin(), touched.end());
  report.notices = static_cast<std::size_t>(
      std::distance(touched.begin(), std::unique(touched.begin(), touched.end())));
  report.more = report.more || old->size() == policy.batch || gone->size() == policy.batch;
  return {};
}

sqlite::Result<void> pass(sqlite::Database& db, const RetentionPolicy& policy, std::int64_t now_ms,
                          PurgeReport& report, std::vector<BlobFile>& files) {
  if (auto expired = expire_unfetched(db, policy, now_ms, report); !expired) {
    return expired;
  }
  if (auto purged = purge_settled(db, policy, now_ms, report, files); !purged) {
    return purged;
  }
  const std::size_t before_orphans = files.size();
  if (auto swept =
          delete_unused_blobs(db, now_ms - policy.orphan_blob_ms, policy.batch, now_ms, files);
      !swept) {
    return swept;
  }
  report.orphan_blobs = files.size() - before_orphans;
  report.more = report.more || report.orphan_blobs == policy.batch;
  if (auto records = delete_records(db, policy, now_ms, report); !records) {
    return records;
  }
  auto audit = delete_older(db, "audit", "at_ms", now_ms - policy.records_ms, policy.batch);
  auto disclosures =
      delete_older(db, "disclosures", "at_ms", now_ms - policy.disclosures_ms, policy.batch);
  if (!audit || !disclosures) {
    return !audit ? audit.error() : disclosures.error();
  }
  report.audit = *audit;
  report.disclosures = *disclosures;
  report.more = report.more || *audit == policy.batch || *disclosures == policy.batch;
  if (auto ended = delete_ended_workflow(db, policy, now_ms, report); !ended) {
    return ended;
  }
  if (auto notices = purge_notices(db, policy, now_ms, report); !notices) {
    return notices;
  }
  if (report.total() == 0) {
    return {};  // nothing went: no row says so every few minutes
  }
  // Counts only: what went is not named again in a row that outlives it.
  const std::string detail =
      "expired=" + std::to_string(report.expired) +
      " envelopes=" + std::to_string(report.envelopes) + " blobs=" + std::to_string(report.blobs) +
      " orphan_blobs=" + std::to_string(report.orphan_blobs) +
      " records=" + std::to_string(report.records) + " audit=" + std::to_string(report.audit) +
      " disclosures=" + std::to_string(report.disclosures) +
      " referrals=" + std::to_string(report.referrals) + " cases=" + std::to_string(report.cases) +
      " notices=" + std::to_string(report.notices);
  return rows::insert_audit(db, now_ms, "retention.purged", {}, {}, {}, detail);
}

}  // namespace

MessagePeriods RetentionPolicy::for_message(protocol::MessageKind kind,
                                            protocol::CategorySet set) const {
  PeriodOverride chosen;
  const auto take = [&chosen](const PeriodOverride& o) {
    take_shortest(chosen.settled_ms, o.settled_ms);
    take_shortest(chosen.unfetched_ms, o.unfetched_ms);
  };
  if (const auto found = kinds.find(kind); found != kinds.end()) {
    take(found->second);
  }
  for (const auto& [category, periods] : categories) {
    if (set.contains(category)) {
      take(periods);
    }
  }
  return {chosen.settled_ms.value_or(messages.settled_ms),
          chosen.unfetched_ms.value_or(messages.unfetched_ms)};
}

PurgeCounts& PurgeCounts::operator+=(const PurgeCounts& other) {
  expired += other.expired;
  envelopes += other.envelopes;
  blobs += other.blobs;
  orphan_blobs += other.orphan_blobs;
  records += other.records;
  audit += other.audit;
  disclosures += other.disclosures;
  referrals += other.referrals;
  cases += other.cases;
  notices += other.notices;
  return *this;
}

PurgeReport& PurgeReport::operator+=(const PurgeReport& other) {
  PurgeCounts::operator+=(other);
  expiries.insert(expiries.end(), other.expiries.begin(), other.expiries.end());
  return *this;
}

bool Retention::purge(std::int64_t now_ms, Done done) {
  auto report = std::make_shared<PurgeReport>();
  auto files = std::make_shared<std::vector<BlobFile>>();
  return storage_->writer().submit(
      [report, files, now_ms, policy = policy()](sqlite::Database& db) -> sqlite::Result<void> {
        *report = {};  // a batch that failed may run this job again
        files->clear();
        return pass(db, policy, now_ms, *report, *files);
      },
      [report, files, folder = blob_folder_, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          done(result.error());
          return;
        }
        remove_blob_files(folder, *files);  // after the COMMIT: their rows are gone
        done(std::move(*report));
      });
}

}  // namespace draaischijf::server
