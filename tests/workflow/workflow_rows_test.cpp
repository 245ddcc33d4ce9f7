// The workflow's rows on a real hub file. The workflow pass's referral notices
// (docs/WORKFLOW.md 4): the follow-up after a referral is `started` comes once per interval of
// working days and stops when the referral closes, and a notice about a referral goes to the
// own mailbox of the staff member its case is assigned to when the person has one, to the CLB
// as a whole otherwise. Retention (docs/POLICY.md 11): ended referrals and closed cases go
// after their own period, open ones stay. The rows are put straight into the file (the stores
// that write them are tested on their own); the passes are the real ones on the writer, with
// real signatures.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/notice_store.hpp>
#include <draaischijf/server/store/retention.hpp>
#include <draaischijf/server/store/workflow_pass.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::NoticeType;
using protocol::random_id;

// Monday 2 March 2026, 09:00 in Brussels (08:00 UTC); the weeks after it hold no holiday until
// Easter Monday, 6 April 2026.
constexpr std::uint32_t kMonday = 20514;
constexpr std::int64_t kHourMs = 3600 * 1000;

std::int64_t morning_of(std::uint32_t day) {
  return static_cast<std::int64_t>(day) * kDayMs + 8 * kHourMs;
}

struct Written {
  NoticeType type;
  Id org_id;
  Id mailbox_id;
  protocol::HubNotice notice;
};

class ReferralNoticePassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(policies::to_string(policies::date_of_day(kMonday)), "2026-03-02");
    const auto path = (dir / "hub.db").string();
    testing::register_mailbox(path, general, 0, clb, "clb");
    testing::register_mailbox(path, own_of_a, 0, clb, "clb");
    testing::register_mailbox(path, shared_by_a_and_c, 0, clb, "clb");
    storage = Storage::open(path).value();
    exec([&](sqlite::Database& db) {
      add_device(db, device_a, staff_a);
      add_device(db, device_b, staff_b);
      add_device(db, device_c, staff_c);
      add_member(db, general, device_a);
      add_member(db, general, device_b);
      add_member(db, own_of_a, device_a);
      add_member(db, shared_by_a_and_c, device_a);
      add_member(db, shared_by_a_and_c, device_c);
    });
  }

  // Runs `write` on the file through the writer, as the stores do.
  template <class Write>
  void exec(Write write) {
    testing::write_through(*storage, std::move(write));
  }

  void add_device(sqlite::Database& db, const Id& device, const Id& staff) {
    const std::array<std::uint8_t, 32> key{};
    auto row = db.prepare(
                     "INSERT INTO devices (device_id, org_id, role, state, signing_key, "
                     "encryption_key, staff_id, requested_at_ms) VALUES (?, ?, 'zorgcoordinator', "
                     "'enrolled', ?, ?, ?, 0)")
                   .value();
    row.bind(1, device).bind(2, clb).bind(3, key).bind(4, key).bind(5, staff);
    ASSERT_TRUE(row.run());
  }
  static void add_member(sqlite::Database& db, const Id& mailbox, const Id& device) {
    auto row = db.prepare(
                     "INSERT INTO mailbox_members (mailbox_id, epoch, device_id, seed_box) "
                     "VALUES (?, 0, ?, x'00')")
                   .value();
    row.bind(1, mailbox).bind(2, device);
    ASSERT_TRUE(row.run());
  }

  // A referral from the CLB to the CAW in `state`, its last statement recorded at `at_ms`.
  Id add_referral(protocol::ReferralState state, std::int64_t at_ms) {
    const Id referral = random_id();
    exec([&](sqlite::Database& db) {
      auto row = db.prepare(
                       "INSERT INTO referrals (referral_id, referrer_org, partner_org, kind, "
                       "sent_at_ms, state, last_sequence, updated_at_ms, sent_day, "
                       "received_due_day, answered_due_day) VALUES (?, ?, ?, 1, ?, ?, 1, ?, ?, "
                       "?, ?)")
                     .value();
      row.bind(1, referral)
          .bind(2, clb)
          .bind(3, caw)
          .bind(4, at_ms)
          .bind(5, static_cast<std::int64_t>(state))
          .bind(6, at_ms)
          .bind(7, std::int64_t{kMonday})
          .bind(8, std::int64_t{kMonday + 3})
          .bind(9, std::int64_t{kMonday + 4});
      ASSERT_TRUE(row.run());
      auto statement = db.prepare(
                             "INSERT INTO referral_statements (referral, sequence, state, code, "
                             "day, device_id, recorded_at_ms, statement) VALUES (?, 1, ?, 0, 0, "
                             "?, ?, x'00')")
                           .value();
      statement.bind(1, db.last_insert_rowid())
          .bind(2, static_cast<std::int64_t>(state))
          .bind(3, device_a)
          .bind(4, at_ms);
      ASSERT_TRUE(statement.run());
    });
    return referral;
  }
  void set_referral_state(const Id& referral, protocol::ReferralState state) {
    exec([&](sqlite::Database& db) {
      auto row = db.prepare("UPDATE referrals SET state = ? WHERE referral_id = ?").value();
      row.bind(1, static_cast<std::int64_t>(state)).bind(2, referral);
      ASSERT_TRUE(row.run());
    });
  }
  // A case of the CLB linking `referral`, assigned to `assignee` (none: not assigned), closed
  // at `closed_at_ms` if given; its id. It has one statement.
  Id add_case(const Id& referral, std::optional<Id> assignee,
              std::optional<std::int64_t> closed_at_ms = std::nullopt) {
    const Id case_id = random_id();
    exec([&](sqlite::Database& db) {
      auto row = db.prepare(
                       "INSERT INTO cases (case_id, org_id, school_org, message_id, sequence, "
                       "received_at_ms, priority, state, assignee, closed_at_ms) VALUES (?, ?, ?, "
                       "?, 1, 0, 0, ?, ?, ?)")
                     .value();
      row.bind(1, case_id)
          .bind(2, clb)
          .bind(3, school)
          .bind(4, random_id())
          .bind(5, closed_at_ms ? std::string_view("closed")
                   : assignee   ? std::string_view("assigned")
                                : std::string_view("new"));
      if (assignee) {
        row.bind(6, *assignee);
      } else {
        row.bind_null(6);
      }
      if (closed_at_ms) {
        row.bind(7, *closed_at_ms);
      } else {
        row.bind_null(7);
      }
      ASSERT_TRUE(row.run());
      auto statement = db.prepare(
                             "INSERT INTO case_statements (nonce, case_id, device_id, action, "
                             "at_ms, received_at_ms, statement, signature) VALUES (?, ?, ?, "
                             "'assign', 0, 0, x'00', zeroblob(64))")
                           .value();
      statement.bind(1, random_id()).bind(2, case_id).bind(3, device_a);
      ASSERT_TRUE(statement.run());
      auto link =
          db.prepare("INSERT INTO case_links (case_id, kind, target) VALUES (?, 'referral', ?)")
              .value();
      link.bind(1, case_id).bind(2, referral);
      ASSERT_TRUE(link.run());
    });
    return case_id;
  }
  // How many rows of `table` have `column` = `id`.
  std::int64_t count(std::string_view table, std::string_view column, const Id& id) {
    auto db = sqlite::Database::open((dir / "hub.db").string()).value();
    auto select = db.prepare("SELECT count(*) FROM " + std::string(table) + " WHERE " +
                             std::string(column) + " = ?")
                      .value();
    select.bind(1, id);
    EXPECT_TRUE(select.step().value());
    return select.column_int64(0);
  }
  // The referral's statements, by its id (the statements name the row's integer id).
  std::int64_t statements_of(const Id& referral) {
    auto db = sqlite::Database::open((dir / "hub.db").string()).value();
    auto select = db.prepare(
                        "SELECT count(*) FROM referral_statements s JOIN referrals r ON "
                        "r.id = s.referral WHERE r.referral_id = ?")
                      .value();
    select.bind(1, referral);
    EXPECT_TRUE(select.step().value());
    return select.column_int64(0);
  }
  // One retention pass as of `now_ms` with the default periods.
  PurgeReport purge(std::int64_t now_ms) {
    const BlobStore blobs(storage, dir / "blobs",
                          BlobStore::Limits{.max_blob_bytes = 1 << 20, .quota_bytes = 1 << 24});
    Retention retention(storage, blobs, RetentionPolicy{});
    std::promise<sqlite::Result<PurgeReport>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(retention.purge(
        now_ms, [&](sqlite::Result<PurgeReport> r) { promise.set_value(std::move(r)); }));
    return future.get().value();
  }

  // One pass as of `now_ms` with the follow-up (every 5 working days), not-received and
  // no-answer finders;
  // the notices it wrote, parsed and verified.
  std::vector<Written> pass(std::int64_t now_ms) {
    std::vector<std::unique_ptr<CauseFinder>> finders;
    finders.push_back(follow_up_finder(5));
    finders.push_back(not_received_finder());
    finders.push_back(no_answer_finder());
    WorkflowPass workflow(storage, hub_key, policies::WorkingCalendar{}, std::move(finders));
    std::promise<sqlite::Result<WorkflowReport>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(workflow.run(
        now_ms, [&](sqlite::Result<WorkflowReport> r) { promise.set_value(std::move(r)); }));
    const auto report = future.get().value();
    std::vector<Written> out;
    auto db = sqlite::Database::open((dir / "hub.db").string()).value();
    for (const CreatedNotice& created : report.created) {
      auto select = db.prepare("SELECT body FROM notices WHERE notice_id = ?").value();
      select.bind(1, created.notice_id);
      EXPECT_TRUE(select.step().value());
      auto notice = protocol::parse_notice(select.column_blob(0)).value();
      EXPECT_TRUE(protocol::verify(notice, hub_key.public_key()));
      EXPECT_EQ(notice.mailbox_id, created.mailbox_id);
      out.push_back({created.type, created.org_id, created.mailbox_id, notice});
    }
    return out;
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  protocol::SigningKey hub_key = protocol::SigningKey::generate();
  const Id clb = random_id();
  const Id caw = random_id();
  const Id school = random_id();
  const Id general = random_id();
  const Id own_of_a = random_id();
  const Id shared_by_a_and_c = random_id();
  const Id staff_a = random_id(), staff_b = random_id(), staff_c = random_id();
  const Id device_a = random_id(), device_b = random_id(), device_c = random_id();
};

TEST_F(ReferralNoticePassTest, AStartedReferralGivesAFollowUpOncePerIntervalUntilItCloses) {
  const Id started = add_referral(protocol::ReferralState::started, morning_of(kMonday));
  const Id accepted = add_referral(protocol::ReferralState::accepted, morning_of(kMonday));
  // Five working days after Monday 2 March is Monday 9 March: the Friday before is too early.
  EXPECT_TRUE(pass(morning_of(kMonday + 4)).empty());
  const auto first = pass(morning_of(kMonday + 7));
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].type, NoticeType::follow_up);
  EXPECT_EQ(first[0].org_id, clb);
  EXPECT_EQ(first[0].mailbox_id, Id{});  // no case: the CLB as a whole
  EXPECT_EQ(first[0].notice.due_day, kMonday + 7);
  EXPECT_TRUE(std::equal(started.begin(), started.end(), first[0].notice.subject.begin()));
  EXPECT_TRUE(std::equal(caw.begin(), caw.begin() + 12, first[0].notice.subject.begin() + 16));
  EXPECT_EQ(first[0].notice.subject[31], 1);
  // Once per interval: the rest of that week gives nothing new, the next interval its own.
  EXPECT_TRUE(pass(morning_of(kMonday + 7) + 4 * kHourMs).empty());
  EXPECT_TRUE(pass(morning_of(kMonday + 11)).empty());
  const auto second = pass(morning_of(kMonday + 14));
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].notice.subject[31], 2);
  EXPECT_EQ(second[0].notice.due_day, kMonday + 14);
  // A referral not started (`accepted`) never had one; a closed one gets no more.
  set_referral_state(started, protocol::ReferralState::closed);
  EXPECT_TRUE(pass(morning_of(kMonday + 21)).empty());
  (void)accepted;
}

TEST_F(ReferralNoticePassTest, AHubDownForTwoIntervalsRemindsOnceForTheLatest) {
  add_referral(protocol::ReferralState::started, morning_of(kMonday));
  const auto late = pass(morning_of(kMonday + 15));
  ASSERT_EQ(late.size(), 1U);
  EXPECT_EQ(late[0].notice.subject[31], 2);
  EXPECT_TRUE(pass(morning_of(kMonday + 16)).empty());
}

TEST_F(ReferralNoticePassTest, TheCaseOwnersOwnMailboxGetsTheNoticesAboutItsReferral) {
  const Id followed = add_referral(protocol::ReferralState::started, morning_of(kMonday));
  const Id unanswered = add_referral(protocol::ReferralState::received, morning_of(kMonday));
  add_case(followed, staff_a);
  add_case(unanswered, staff_a);
  const auto notices = pass(morning_of(kMonday + 7));
  ASSERT_EQ(notices.size(), 3U);  // the follow-up, the partner's reminder, the owner's notice
  for (const Written& w : notices) {
    if (w.type == NoticeType::no_answer_reminder) {
      EXPECT_EQ(w.org_id, caw);
      EXPECT_EQ(w.mailbox_id, Id{});  // the partner's side has no case owner
    } else {
      // Staff member A's own mailbox: not the general one, not the one A shares with C.
      EXPECT_EQ(w.org_id, clb);
      EXPECT_EQ(w.mailbox_id, own_of_a) << protocol::name_of(w.type);
    }
  }
}

TEST_F(ReferralNoticePassTest, WithoutAnOwnMailboxOrAnAssigneeTheClbAsAWholeIsTold) {
  const Id of_b = add_referral(protocol::ReferralState::started, morning_of(kMonday));
  const Id unassigned = add_referral(protocol::ReferralState::started, morning_of(kMonday));
  const Id of_c = add_referral(protocol::ReferralState::started, morning_of(kMonday));
  add_case(of_b, staff_b);  // B reads only the general mailbox, with A
  add_case(unassigned, std::nullopt);
  add_case(of_c, staff_c);  // C's only mailbox is shared with A
  const auto notices = pass(morning_of(kMonday + 7));
  ASSERT_EQ(notices.size(), 3U);
  for (const Written& w : notices) {
    EXPECT_EQ(w.type, NoticeType::follow_up);
    EXPECT_EQ(w.mailbox_id, Id{});
  }
}

TEST_F(ReferralNoticePassTest, EndedReferralsAndClosedCasesGoAfterTheirPeriodOpenOnesStay) {
  using protocol::ReferralState;
  const std::int64_t ended = morning_of(kMonday);
  const Id declined = add_referral(ReferralState::declined, ended);
  const Id closed = add_referral(ReferralState::closed, ended);
  const Id cancelled = add_referral(ReferralState::cancelled, ended);
  const Id started = add_referral(ReferralState::started, ended);
  const Id waitlisted = add_referral(ReferralState::waitlisted, ended);
  const Id closed_case = add_case(closed, staff_a, ended);
  const Id open_case = add_case(started, staff_a);
  const RetentionPolicy defaults;
  ASSERT_EQ(defaults.workflow_ms, 730 * kDayMs);  // docs/POLICY.md 11

  // A day before the period ends: everything stays.
  const auto early = purge(ended + defaults.workflow_ms - kDayMs);
  EXPECT_EQ(early.referrals, 0U);
  EXPECT_EQ(early.cases, 0U);
  EXPECT_EQ(count("referrals", "referral_id", declined), 1);

  const auto report = purge(ended + defaults.workflow_ms + kDayMs);
  EXPECT_EQ(report.referrals, 3U);
  EXPECT_EQ(report.cases, 1U);
  for (const Id& gone : {declined, closed, cancelled}) {
    EXPECT_EQ(count("referrals", "referral_id", gone), 0);
    EXPECT_EQ(statements_of(gone), 0);
  }
  EXPECT_EQ(count("cases", "case_id", closed_case), 0);
  EXPECT_EQ(count("case_statements", "case_id", closed_case), 0);
  EXPECT_EQ(count("case_links", "case_id", closed_case), 0);
  // Work under way stays, however old.
  for (const Id& open : {started, waitlisted}) {
    EXPECT_EQ(count("referrals", "referral_id", open), 1);
    EXPECT_EQ(statements_of(open), 1);
  }
  EXPECT_EQ(count("cases", "case_id", open_case), 1);
  EXPECT_EQ(count("case_links", "case_id", open_case), 1);
  // On record: the pass's audit row counts them, and names none of them.
  auto db = sqlite::Database::open((dir / "hub.db").string()).value();
  auto audit = db.prepare("SELECT detail FROM audit WHERE event = 'retention.purged'").value();
  ASSERT_TRUE(audit.step().value());
  const std::string detail = audit.column_text(0);
  EXPECT_NE(detail.find("referrals=3 cases=1"), std::string::npos) << detail;
  EXPECT_EQ(detail.find(protocol::hex_encode(declined)), std::string::npos);
  EXPECT_FALSE(audit.step().value());  // the early pass deleted nothing and wrote no row
}

// The receive target (docs/WORKFLOW.md 4): a referral still `sent` the day after its
// received_due_day gives the partner a reminder and the CLB a notice, once; one the partner
// received gives none.
TEST_F(ReferralNoticePassTest, AReferralStillSentAfterItsReceiveTargetGivesBothNoticesOnce) {
  const Id waiting = add_referral(protocol::ReferralState::sent, morning_of(kMonday));
  const Id received = add_referral(protocol::ReferralState::received, morning_of(kMonday));
  EXPECT_TRUE(pass(morning_of(kMonday + 3) + 12 * kHourMs).empty());  // the target day itself
  const auto notices = pass(morning_of(kMonday + 4));
  ASSERT_EQ(notices.size(), 2U);
  for (const Written& w : notices) {
    EXPECT_TRUE(std::equal(waiting.begin(), waiting.end(), w.notice.subject.begin()));
    EXPECT_EQ(w.notice.due_day, kMonday + 3);
    if (w.type == NoticeType::not_received_reminder) {
      EXPECT_EQ(w.org_id, caw);
    } else {
      EXPECT_EQ(w.type, NoticeType::referral_not_received);
      EXPECT_EQ(w.org_id, clb);
    }
  }
  EXPECT_TRUE(pass(morning_of(kMonday + 4) + 2 * kHourMs).empty());
  (void)received;
}

// Retention of the hub's notices (docs/POLICY.md 11): past `notice_days` a notice is gone for
// everyone and a younger one stays. The bodiless row of a notice whose cause still exists
// stays, so the next workflow pass does not write the same notice again; once its cause is
// gone (the referral ended), so is the row.
TEST_F(ReferralNoticePassTest, NoticesGoAfterTheirPeriodAndAreNotWrittenAgain) {
  using protocol::ReferralState;
  const Id waiting = add_referral(ReferralState::received, morning_of(kMonday));
  const Id ending = add_referral(ReferralState::received, morning_of(kMonday));
  const std::int64_t first_at = morning_of(kMonday + 7);
  const auto first = pass(first_at);
  ASSERT_EQ(first.size(), 4U);  // a reminder to the CAW and a notice to the CLB, each
  const Id later = add_referral(ReferralState::received, morning_of(kMonday));
  ASSERT_EQ(pass(first_at + 200 * kDayMs).size(), 2U);
  set_referral_state(ending, ReferralState::declined);
  const RetentionPolicy defaults;
  ASSERT_EQ(defaults.notices_ms, 365 * kDayMs);
  NoticeStore notices(storage);

  // A day before the period ends: everything stays.
  EXPECT_EQ(purge(first_at + defaults.notices_ms - kDayMs).notices, 0U);
  EXPECT_EQ(notices.list(caw, 0, 100).value().size(), 3U);

  const std::int64_t purged_at = first_at + defaults.notices_ms + kDayMs;
  EXPECT_EQ(purge(purged_at).notices, 4U);
  // Only the younger notices are listed; an old one is not found, not even by its organisation.
  const auto caw_left = notices.list(caw, 0, 100).value();
  ASSERT_EQ(caw_left.size(), 1U);
  EXPECT_EQ(notices.list(clb, 0, 100).value().size(), 1U);
  EXPECT_TRUE(std::equal(later.begin(), later.end(),
                         protocol::parse_notice(caw_left[0].body).value().subject.begin()));
  for (const Written& w : first) {
    EXPECT_FALSE(notices.find(w.org_id, w.notice.notice_id)) << protocol::name_of(w.type);
  }
  // The still unanswered referral keeps its bodiless rows; the declined one's are gone.
  EXPECT_EQ(count("notices", "message_id", waiting), 2);
  EXPECT_EQ(count("notices", "message_id", ending), 0);
  EXPECT_EQ(count("notices", "message_id", later), 2);
  // The next pass finds the unanswered referral again and writes nothing: its notice was sent.
  EXPECT_TRUE(pass(purged_at + kHourMs).empty());

  // On record: the pass's audit row counts the notices, and names none of them.
  auto db = sqlite::Database::open((dir / "hub.db").string()).value();
  auto audit = db.prepare("SELECT detail FROM audit WHERE event = 'retention.purged'").value();
  ASSERT_TRUE(audit.step().value());
  const std::string detail = audit.column_text(0);
  EXPECT_NE(detail.find(" notices=4"), std::string::npos) << detail;
  EXPECT_EQ(detail.find(protocol::hex_encode(waiting)), std::string::npos);

  // When the referral ends, its rows go with the next pass.
  set_referral_state(waiting, ReferralState::closed);
  EXPECT_EQ(purge(purged_at + kDayMs).notices, 2U);
  EXPECT_EQ(count("notices", "message_id", waiting), 0);
  EXPECT_EQ(count("notices", "message_id", later), 2);
}

}  // namespace
}  // namespace draaischijf::server
