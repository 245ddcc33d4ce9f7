#pragma once

// The workflow pass (docs/WORKFLOW.md, "Notices"): run on the group-commit writer like the
// retention pass, as of the hub's injected clock, it asks each cause finder for the causes that
// are due today and writes one signed hub notice (protocol/hub_notice.hpp) per cause, with its
// audit row, in one transaction. A cause that already has its notice is not found again (the
// finders look past it) and could not be written twice anyway (the notices table's UNIQUE key
// is the type, whom it is for and the subject), so running the pass twice, or on a hub that
// restarted, creates nothing new.
//
// A cause finder is the small interface further notices plug into: the non-delivery, no-answer,
// follow-up and transfer-window finders are here.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/core/org_calendars.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

/// What a pass knows about the day it runs on.
struct WorkflowDay {
  std::int64_t now_ms = 0;
  policies::CivilDate today;                  // the date in Belgium at now_ms
  const policies::WorkingCalendar& calendar;  // the hub's
  std::size_t batch = 500;                    // causes per finder and pass at most
  const OrgCalendars* calendars = nullptr;    // each CLB's own; nullptr: the hub's for all

  /// The calendar a cause about `org_id`'s case, referral or transfer counts on.
  [[nodiscard]] const policies::WorkingCalendar& calendar_of(const protocol::Id& org_id) const {
    return calendars != nullptr ? calendars->of(org_id) : calendar;
  }
};

/// One due cause: the notice it gives, for whom, about what, and the due date that passed.
struct NoticeCause {
  protocol::NoticeType type = protocol::NoticeType::non_delivery;
  protocol::Id org_id{};
  protocol::Id mailbox_id{};  // all zero: the organisation as a whole
  protocol::Hash256 subject{};
  std::optional<protocol::Id> message_id;     // stored for the finders' look-ups
  std::optional<protocol::Id> about_mailbox;  // the recipient mailbox of a message
  std::optional<protocol::Hash256> pupil;     // the pupil pseudonym of a transfer
  policies::CivilDate due;
};

class CauseFinder {
 public:
  virtual ~CauseFinder() = default;
  /// Appends the causes due on `day` that have no notice yet, at most day.batch of them.
  /// Runs inside the pass's transaction on the writer.
  [[nodiscard]] virtual sqlite::Result<void> find(sqlite::Database& db, const WorkflowDay& day,
                                                  std::vector<NoticeCause>& out) const = 0;
};

/// An envelope no device of a recipient mailbox acknowledged within `working_days` working days
/// of its arrival at the hub: a `non_delivery` notice to the sending organisation and a
/// `non_delivery_admin` notice to the recipient mailbox's organisation, on the first day after
/// the due date (the due date itself is still in time).
[[nodiscard]] std::unique_ptr<CauseFinder> non_delivery_finder(int working_days);

/// A referral (docs/WORKFLOW.md 3) still `sent` or `received` after its answer target
/// (`partner_answered_days`, stored with it as `answered_due_day`): a `no_answer_reminder` to
/// the partner organisation and a `no_answer_case_owner` notice to the CLB that sent it, on the
/// first day after the target, once per referral and partner.
[[nodiscard]] std::unique_ptr<CauseFinder> no_answer_finder();

/// A referral still `sent` after its receive target (`partner_received_days`, stored with it
/// as `received_due_day`): a `not_received_reminder` to the partner organisation and a
/// `referral_not_received` notice to the CLB that sent it (its case owner, as below), on the
/// first day after the target, once per referral and partner.
[[nodiscard]] std::unique_ptr<CauseFinder> not_received_finder();

/// A referral `started` and not yet closed (docs/WORKFLOW.md 4, R08: the CLB stays involved):
/// a `follow_up` notice to the CLB that sent it each time another `working_days` working days
/// have passed since the hub recorded the `started` statement, on the day the interval ends,
/// once per interval. The notices about a referral to its CLB (this one and
/// `no_answer_case_owner`) go to the own mailbox of the staff member a linked case is assigned
/// to, when that person has one, else to the organisation.
[[nodiscard]] std::unique_ptr<CauseFinder> follow_up_finder(int working_days);

/// A transfer announcement whose objection window (`objection_days()` calendar days, the signed
/// rules' setting, read each pass, ending on a working day of the announcing CLB's calendar:
/// policies::objection_window_passes_on) has passed: `transfer_objection_window_closed` to the
/// CLB that announced it, on the day the window passes.
[[nodiscard]] std::unique_ptr<CauseFinder> transfer_window_finder(
    std::function<int()> objection_days);

/// A notice a pass wrote, for the stream announcement after COMMIT.
struct CreatedNotice {
  protocol::Id notice_id{};
  protocol::NoticeType type = protocol::NoticeType::non_delivery;
  protocol::Id org_id{};
  protocol::Id mailbox_id{};
  std::int64_t sequence = 0;
};

struct WorkflowReport {
  std::vector<CreatedNotice> created;
  bool more = false;  // a finder filled its batch: run another pass
};

class WorkflowPass {
 public:
  /// `hub_key` signs the notices (the receipt key); it must outlive the pass. `calendars`: the
  /// hub's and each CLB's own working days.
  WorkflowPass(std::shared_ptr<Storage> storage, const protocol::SigningKey& hub_key,
               OrgCalendars calendars, std::vector<std::unique_ptr<CauseFinder>> finders,
               std::size_t batch = 500);

  /// One pass as of `now_ms`, through the writer; `done` runs after the COMMIT (on the writer
  /// thread). false when the writer's queue is full (nothing done, `done` not called).
  using Done = std::function<void(sqlite::Result<WorkflowReport>)>;
  [[nodiscard]] bool run(std::int64_t now_ms, Done done);

  /// Replaces the calendars and the finders (a reload, SIGHUP): the next pass uses them; a pass
  /// already queued finishes with the ones it began with.
  void replace(OrgCalendars calendars, std::vector<std::unique_ptr<CauseFinder>> finders);

 private:
  using Finders = std::vector<std::unique_ptr<CauseFinder>>;
  std::shared_ptr<Storage> storage_;
  const protocol::SigningKey& hub_key_;
  mutable std::mutex mutex_;  // guards the two below: a reload replaces them while passes run
  std::shared_ptr<const OrgCalendars> calendars_;
  std::shared_ptr<const Finders> finders_;
  std::size_t batch_;
};

}  // namespace draaischijf::server
