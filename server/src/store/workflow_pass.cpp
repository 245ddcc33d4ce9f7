// The workflow pass (store/workflow_pass.hpp): the finders select due causes without a notice,
// the pass signs and writes a notice per cause, all inside the one writer job, so a pass
// commits or rolls back whole and a notice is announced only once it is on disk.

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/retention.hpp>
#include <draaischijf/server/store/workflow_pass.hpp>

#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using policies::date_of_day;
using policies::day_number;

using policies::CivilDate;
using protocol::NoticeType;

policies::CivilDate belgian_date_at(std::int64_t ms) {
  return policies::belgian_date(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

CivilDate next_day(CivilDate date, int by) {
  return date_of_day(static_cast<std::uint32_t>(std::int64_t{day_number(date)} + by));
}

// The first millisecond of `date` in Belgium (UTC+1 or UTC+2): the later of the two candidate
// instants that still falls on that date.
std::int64_t belgian_day_start_ms(CivilDate date) {
  const std::int64_t midnight_utc = static_cast<std::int64_t>(day_number(date)) * kDayMs;
  for (const int hours : {2, 1}) {
    const std::int64_t candidate = midnight_utc - std::int64_t{hours} * 3600 * 1000;
    if (belgian_date_at(candidate) == date) {
      return candidate;
    }
  }
  return midnight_utc;
}

class NonDeliveryFinder final : public CauseFinder {
 public:
  explicit NonDeliveryFinder(int days) : days_(days) {}

  sqlite::Result<void> find(sqlite::Database& db, const WorkflowDay& day,
                            std::vector<NoticeCause>& out) const override {
    // The latest arrival date whose due date lies before today: the due date grows with the
    // arrival date, so every envelope that arrived on or before it is due and none after.
    // Bounded: a year of days covers more than `days_` (at most 250) working days plus any
    // closure the calendar allows.
    CivilDate last_due_arrival = next_day(day.today, -1);
    for (int step = 0;
         step < 800 && day.calendar.add_working_days(last_due_arrival, days_) >= day.today;
         ++step) {
      last_due_arrival = next_day(last_due_arrival, -1);
    }
    const std::int64_t before_ms = belgian_day_start_ms(next_day(last_due_arrival, 1));
    // Only deliveries to other organisations: a mailbox of the sender's own organisation (the
    // team's Sent copy, docs/PROTOCOL.md 7.9) is the team's own reading, not a delivery.
    auto select = db.prepare(
        "SELECT q.mailbox_id, e.message_id, e.sender_org, e.received_at_ms, m.org_id "
        "FROM queue q JOIN envelopes e ON e.sequence = q.sequence "
        "JOIN mailboxes m ON m.mailbox_id = q.mailbox_id "
        "WHERE q.state = 'queued' AND e.received_at_ms < ? AND m.org_id <> e.sender_org "
        "AND NOT EXISTS ("
        "SELECT 1 FROM notices n WHERE n.message_id = e.message_id "
        "AND n.about_mailbox = q.mailbox_id AND n.type = ?) ORDER BY q.sequence LIMIT ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, before_ms)
        .bind(2, static_cast<std::int64_t>(NoticeType::non_delivery))
        .bind(3, static_cast<std::int64_t>(day.batch));
    return rows::for_each_row(*select, [&](sqlite::Statement& row) {
      const auto mailbox = rows::fixed<16>(row.column_blob(0));
      const auto message = rows::fixed<16>(row.column_blob(1));
      const auto due = day.calendar.add_working_days(belgian_date_at(row.column_int64(3)), days_);
      NoticeCause cause;
      std::copy(message.begin(), message.end(), cause.subject.begin());
      std::copy(mailbox.begin(), mailbox.end(), cause.subject.begin() + 16);
      cause.message_id = message;
      cause.about_mailbox = mailbox;
      cause.due = due;
      // The sender hears that its message did not arrive; the recipient organisation that a
      // mailbox of its own leaves messages lying.
      cause.type = NoticeType::non_delivery;
      cause.org_id = rows::fixed<16>(row.column_blob(2));
      out.push_back(cause);
      cause.type = NoticeType::non_delivery_admin;
      cause.org_id = rows::fixed<16>(row.column_blob(4));
      out.push_back(cause);
    });
  }

 private:
  int days_;
};

// Where a notice for the CLB about one of its referrals goes (docs/WORKFLOW.md 4): the own
// mailbox of the staff member a case linked to the referral is assigned to, when the person has
// one; otherwise all zero, the organisation as a whole (every mailbox of the CLB sees it). A
// mailbox is the person's own when every member device of its current epoch is one of that
// person's devices, so a notice never lands where a colleague reads along unasked; of several,
// the lowest mailbox id. Of several assigned cases linking the referral, the latest opened.
sqlite::Result<protocol::Id> case_owner_mailbox(sqlite::Database& db,
                                                std::span<const std::uint8_t> referrer_org,
                                                std::span<const std::uint8_t> referral_id) {
  auto select = db.prepare(
      "SELECT m.mailbox_id FROM (SELECT c.assignee FROM case_links l "
      "JOIN cases c ON c.case_id = l.case_id WHERE l.kind = 'referral' AND l.target = ?1 "
      "AND c.org_id = ?2 AND c.assignee IS NOT NULL ORDER BY c.sequence DESC LIMIT 1) owner "
      "JOIN mailboxes m ON m.org_id = ?2 "
      "WHERE EXISTS (SELECT 1 FROM mailbox_members mm JOIN devices d ON d.device_id = mm.device_id "
      "WHERE mm.mailbox_id = m.mailbox_id AND mm.epoch = m.current_epoch "
      "AND d.staff_id = owner.assignee AND d.state = 'enrolled') "
      "AND NOT EXISTS (SELECT 1 FROM mailbox_members mm JOIN devices d ON d.device_id = "
      "mm.device_id WHERE mm.mailbox_id = m.mailbox_id AND mm.epoch = m.current_epoch "
      "AND d.staff_id <> owner.assignee) ORDER BY m.mailbox_id LIMIT 1");
  if (!select) {
    return select.error();
  }
  select->bind(1, referral_id).bind(2, referrer_org);
  auto found = select->step();
  if (!found) {
    return found.error();
  }
  return *found ? rows::fixed<16>(select->column_blob(0)) : protocol::Id{};
}

// One of a referral's partner targets (docs/WORKFLOW.md 2), stored with it as a Belgian day:
// the state the referral must have left by then, the column of its due day and the two
// notices its passing gives. Referral states as stored (protocol::ReferralState): 0 sent,
// 1 received.
struct ReferralTarget {
  std::int64_t last_late_state;  // a referral still in this state or before it is late
  std::string_view due_column;   // this file's constant: received_due_day, answered_due_day
  NoticeType partner_notice;     // the reminder to the partner organisation
  NoticeType case_owner_notice;  // the notice to the CLB that sent the referral
};

constexpr ReferralTarget kReceiveTarget{0, "received_due_day", NoticeType::not_received_reminder,
                                        NoticeType::referral_not_received};
constexpr ReferralTarget kAnswerTarget{1, "answered_due_day", NoticeType::no_answer_reminder,
                                       NoticeType::no_answer_case_owner};

class ReferralTargetFinder final : public CauseFinder {
 public:
  explicit ReferralTargetFinder(ReferralTarget target) : target_(target) {}

  sqlite::Result<void> find(sqlite::Database& db, const WorkflowDay& day,
                            std::vector<NoticeCause>& out) const override {
    // The target is stored with the referral as a Belgian day (the calendar and the
    // [workflow] setting at the time it was sent); the day after it is overdue. The reminder
    // and the case owner's notice are written together, so the reminder's existence says both
    // were.
    const std::string due(target_.due_column);
    auto select = db.prepare(
        "SELECT r.referral_id, r.referrer_org, r.partner_org, r." + due +
        " FROM referrals r WHERE r.state <= ? AND r." + due +
        " < ? AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.message_id = r.referral_id "
        "AND n.org_id = r.partner_org AND n.type = ?) ORDER BY r.id LIMIT ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, target_.last_late_state)
        .bind(2, static_cast<std::int64_t>(day_number(day.today)))
        .bind(3, static_cast<std::int64_t>(target_.partner_notice))
        .bind(4, static_cast<std::int64_t>(day.batch));
    return rows::for_each_row(*select, [&](sqlite::Statement& row) -> sqlite::Result<void> {
      const auto referral = rows::fixed<16>(row.column_blob(0));
      const auto partner = rows::fixed<16>(row.column_blob(2));
      NoticeCause cause;
      std::copy(referral.begin(), referral.end(), cause.subject.begin());
      std::copy(partner.begin(), partner.end(), cause.subject.begin() + 16);
      cause.message_id = referral;
      cause.due = date_of_day(static_cast<std::uint32_t>(row.column_int64(3)));
      // The partner is reminded that the referral waits for it; the CLB that sent it hears
      // that the partner has not moved it in time.
      cause.type = target_.partner_notice;
      cause.org_id = partner;
      out.push_back(cause);
      cause.type = target_.case_owner_notice;
      cause.org_id = rows::fixed<16>(row.column_blob(1));
      auto owner = case_owner_mailbox(db, cause.org_id, referral);
      if (!owner) {
        return owner.error();
      }
      cause.mailbox_id = *owner;
      out.push_back(cause);
      return {};
    });
  }

 private:
  ReferralTarget target_;
};

// The subject of a follow-up notice: the referral id, the first 12 bytes of the partner
// organisation's id and the follow-up's number (u32, big-endian), so each interval has its own
// notice under the notices table's one-per-subject key (docs/PROTOCOL.md 8.5).
protocol::Hash256 follow_up_subject(const protocol::Id& referral, const protocol::Id& partner,
                                    std::uint32_t number) {
  protocol::Hash256 subject{};
  std::copy(referral.begin(), referral.end(), subject.begin());
  std::copy(partner.begin(), partner.begin() + 12, subject.begin() + 16);
  for (int i = 0; i < 4; ++i) {
    subject[28 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(number >> (8 * (3 - i)));
  }
  return subject;
}

// Referral state `started` as stored: the partner's help has begun and not yet closed.
constexpr std::int64_t kReferralStarted = 6;

class FollowUpFinder final : public CauseFinder {
 public:
  explicit FollowUpFinder(int days) : days_(days) {}

  sqlite::Result<void> find(sqlite::Database& db, const WorkflowDay& day,
                            std::vector<NoticeCause>& out) const override {
    // The interval counts from the day the hub recorded the `started` statement (its own
    // clock, not a date the partner signed). A coarse bound in milliseconds keeps referrals
    // started less than an interval ago out (two days of slack for the time zone); the
    // calendar decides below. Every started referral past it is looked at, not a LIMIT of
    // them, so one that already has this interval's notice never hides one that has not.
    auto select = db.prepare(
        "SELECT r.referral_id, r.referrer_org, r.partner_org, s.recorded_at_ms "
        "FROM referrals r JOIN referral_statements s ON s.referral = r.id AND s.state = ?1 "
        "WHERE r.state = ?1 AND s.recorded_at_ms <= ?2 ORDER BY r.id");
    auto noticed =
        db.prepare("SELECT 1 FROM notices WHERE type = ? AND org_id = ? AND subject = ?");
    if (!select || !noticed) {
      return !select ? select.error() : noticed.error();
    }
    select->bind(1, kReferralStarted).bind(2, day.now_ms - std::int64_t{days_ - 2} * kDayMs);
    return rows::for_each_row(*select, [&](sqlite::Statement& row) -> sqlite::Result<void> {
      if (out.size() >= day.batch) {
        return {};
      }
      const auto started = belgian_date_at(row.column_int64(3));
      const auto referral = rows::fixed<16>(row.column_blob(0));
      const auto referrer = rows::fixed<16>(row.column_blob(1));
      const auto& calendar = day.calendar_of(referrer);  // the referring CLB's working days
      const int intervals = calendar.working_days_between(started, day.today) / days_;
      if (intervals < 1) {
        return {};
      }
      const auto partner = rows::fixed<16>(row.column_blob(2));
      NoticeCause cause;
      cause.type = NoticeType::follow_up;
      cause.org_id = referrer;
      // The latest interval only: a hub that was down for two intervals reminds once.
      cause.subject = follow_up_subject(referral, partner, static_cast<std::uint32_t>(intervals));
      noticed->reset();
      noticed->bind(1, static_cast<std::int64_t>(NoticeType::follow_up))
          .bind(2, referrer)
          .bind(3, cause.subject);
      auto exists = noticed->step();
      if (!exists) {
        return exists.error();
      }
      if (*exists) {
        return {};
      }
      auto owner = case_owner_mailbox(db, referrer, referral);
      if (!owner) {
        return owner.error();
      }
      cause.mailbox_id = *owner;
      cause.message_id = referral;
      cause.due = calendar.add_working_days(started, intervals * days_);
      out.push_back(cause);
      return {};
    });
  }

 private:
  int days_;
};

class TransferWindowFinder final : public CauseFinder {
 public:
  explicit TransferWindowFinder(std::function<int()> days) : days_(std::move(days)) {}

  sqlite::Result<void> find(sqlite::Database& db, const WorkflowDay& day,
                            std::vector<NoticeCause>& out) const override {
    const int days = days_();
    // A coarse bound in milliseconds (two days of slack for the time zone and the day's end);
    // the announcing CLB's calendar decides below. Every announcement past it is looked at, not
    // a LIMIT of them, so one whose window a closure extends never hides one that is due.
    auto select = db.prepare(
        "SELECT t.org_id, t.pupil, t.announced_at_ms, t.told_day FROM transfers t "
        "WHERE t.announced_at_ms <= ? AND NOT EXISTS (SELECT 1 FROM notices n "
        "WHERE n.pupil = t.pupil AND n.org_id = t.org_id AND n.type = ?) "
        "ORDER BY t.announced_at_ms");
    if (!select) {
      return select.error();
    }
    select->bind(1, day.now_ms - std::int64_t{days - 2} * kDayMs)
        .bind(2, static_cast<std::int64_t>(NoticeType::transfer_objection_window_closed));
    return rows::for_each_row(*select, [&](sqlite::Statement& row) {
      if (out.size() >= day.batch) {
        return;
      }
      const auto org = rows::fixed<16>(row.column_blob(0));
      std::optional<CivilDate> told;
      if (!row.column_is_null(3) && row.column_int64(3) != 0) {
        told = date_of_day(static_cast<std::uint32_t>(row.column_int64(3)));
      }
      const auto passes = policies::objection_window_passes_on(row.column_int64(2), told, days,
                                                               day.calendar_of(org));
      if (day.today < passes) {
        return;  // not yet
      }
      NoticeCause cause;
      cause.type = NoticeType::transfer_objection_window_closed;
      cause.org_id = org;
      cause.subject = rows::fixed<32>(row.column_blob(1));
      cause.pupil = cause.subject;
      cause.due = passes;
      out.push_back(cause);
    });
  }

 private:
  std::function<int()> days_;
};

template <std::size_t N>
void bind_optional(sqlite::Statement& s, int index,
                   const std::optional<std::array<std::uint8_t, N>>& v) {
  if (v) {
    s.bind(index, std::span<const std::uint8_t>(*v));
  } else {
    s.bind_null(index);
  }
}

// Signs and stores the notice of one cause, with its audit row; nothing when the cause has its
// notice already (the UNIQUE key).
sqlite::Result<void> write_notice(sqlite::Database& db, const NoticeCause& cause,
                                  std::int64_t now_ms, const protocol::SigningKey& hub_key,
                                  WorkflowReport& report) {
  protocol::HubNotice notice;
  notice.notice_id = protocol::random_id();
  notice.type = cause.type;
  notice.org_id = cause.org_id;
  notice.mailbox_id = cause.mailbox_id;
  notice.subject = cause.subject;
  notice.due_day = day_number(cause.due);
  notice.created_at_ms = static_cast<std::uint64_t>(now_ms);
  notice = protocol::sign_notice(notice, hub_key);
  const auto body = protocol::encode(notice);
  auto insert = db.prepare(
      "INSERT OR IGNORE INTO notices (notice_id, type, org_id, mailbox_id, subject, message_id, "
      "about_mailbox, pupil, created_at_ms, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  insert->bind(1, notice.notice_id)
      .bind(2, static_cast<std::int64_t>(cause.type))
      .bind(3, cause.org_id)
      .bind(4, cause.mailbox_id)
      .bind(5, cause.subject);
  bind_optional(*insert, 6, cause.message_id);
  bind_optional(*insert, 7, cause.about_mailbox);
  bind_optional(*insert, 8, cause.pupil);
  insert->bind(9, now_ms).bind(10, body);
  if (auto ran = insert->run(); !ran) {
    return ran;
  }
  if (db.changes() == 0) {
    return {};
  }
  report.created.push_back(
      {notice.notice_id, cause.type, cause.org_id, cause.mailbox_id, db.last_insert_rowid()});
  // Ids and the type only: what the notice is for, never content.
  std::span<const std::uint8_t> message;
  if (cause.message_id) {
    message = *cause.message_id;
  }
  return rows::insert_audit(db, now_ms, "notice.created", cause.org_id, {}, message,
                            "type=" + std::string(protocol::name_of(cause.type)) +
                                " notice=" + protocol::hex_encode(notice.notice_id) +
                                " mailbox=" + protocol::hex_encode(cause.mailbox_id) +
                                " due=" + policies::to_string(cause.due));
}

}  // namespace

std::unique_ptr<CauseFinder> no_answer_finder() {
  return std::make_unique<ReferralTargetFinder>(kAnswerTarget);
}

std::unique_ptr<CauseFinder> not_received_finder() {
  return std::make_unique<ReferralTargetFinder>(kReceiveTarget);
}

std::unique_ptr<CauseFinder> follow_up_finder(int working_days) {
  return std::make_unique<FollowUpFinder>(working_days);
}

std::unique_ptr<CauseFinder> non_delivery_finder(int working_days) {
  return std::make_unique<NonDeliveryFinder>(working_days);
}

std::unique_ptr<CauseFinder> transfer_window_finder(std::function<int()> objection_days) {
  return std::make_unique<TransferWindowFinder>(std::move(objection_days));
}

WorkflowPass::WorkflowPass(std::shared_ptr<Storage> storage, const protocol::SigningKey& hub_key,
                           OrgCalendars calendars,
                           std::vector<std::unique_ptr<CauseFinder>> finders, std::size_t batch)
    : storage_(std::move(storage)),
      hub_key_(hub_key),
      calendars_(std::make_shared<const OrgCalendars>(std::move(calendars))),
      finders_(std::make_shared<const Finders>(std::move(finders))),
      batch_(batch) {}

void WorkflowPass::replace(OrgCalendars calendars, Finders finders) {
  auto next_calendars = std::make_shared<const OrgCalendars>(std::move(calendars));
  auto next_finders = std::make_shared<const Finders>(std::move(finders));
  const std::lock_guard lock(mutex_);
  calendars_ = std::move(next_calendars);
  finders_ = std::move(next_finders);
}

bool WorkflowPass::run(std::int64_t now_ms, Done done) {
  auto report = std::make_shared<WorkflowReport>();
  std::shared_ptr<const OrgCalendars> calendars;
  std::shared_ptr<const Finders> finders;
  {
    const std::lock_guard lock(mutex_);
    calendars = calendars_;
    finders = finders_;
  }
  return storage_->writer().submit(
      [report, now_ms, calendars = std::move(calendars), finders = std::move(finders),
       batch = batch_, &key = hub_key_](sqlite::Database& db) -> sqlite::Result<void> {
        *report = {};  // a batch that failed may run this job again
        const WorkflowDay day{now_ms, belgian_date_at(now_ms), calendars->hub(), batch,
                              calendars.get()};
        for (const auto& finder : *finders) {
          std::vector<NoticeCause> causes;
          if (auto found = finder->find(db, day, causes); !found) {
            return found;
          }
          for (const NoticeCause& cause : causes) {
            if (auto written = write_notice(db, cause, now_ms, key, *report); !written) {
              return written;
            }
          }
          report->more = report->more || causes.size() >= batch;
        }
        return {};
      },
      [report, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          done(result.error());
          return;
        }
        done(std::move(*report));
      });
}

}  // namespace draaischijf::server
