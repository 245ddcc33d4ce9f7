// Each CLB's own calendar in the workflow pass (docs/WORKFLOW.md 1 and 4): two CLBs with
// different closure periods ([workflow.clb."<id>"] closure_period) get their follow-up notices
// and their transfer windows' notices on different days, each on its own calendar; the rows
// are put straight into a real hub file and the pass is the real one on the writer.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/org_calendars.hpp>
#include <draaischijf/server/store/workflow_pass.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using policies::CivilDate;
using protocol::Id;
using protocol::NoticeType;
using protocol::random_id;

constexpr std::int64_t kHourMs = 3600 * 1000;

// 10:00 in Brussels in summer (08:00 UTC).
std::int64_t morning_of(CivilDate date) {
  return static_cast<std::int64_t>(policies::day_number(date)) * kDayMs + 8 * kHourMs;
}

class ClbCalendarPassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    {
      auto db = sqlite::Database::open(path).value();
      testing::register_organisation(db, own_summer, "clb");
      testing::register_organisation(db, hub_summer, "clb");
    }
    storage = Storage::open(path).value();
    // The first CLB closes 1 - 10 July instead of the hub's 15 July - 15 August.
    workflow.clb_closure_period[protocol::hex_encode(own_summer)] =
        policies::CalendarSettings::Closure{{7, 1}, {7, 10}};
  }

  template <class Write>
  void exec(Write write) {
    testing::write_through(*storage, std::move(write));
  }

  // A referral of `clb` to a partner, `started` (recorded) at `at_ms`.
  void add_started_referral(const Id& clb, std::int64_t at_ms) {
    exec([&](sqlite::Database& db) {
      const auto day = std::int64_t{policies::day_number(CivilDate{2026, 6, 1})};
      auto row = db.prepare(
                       "INSERT INTO referrals (referral_id, referrer_org, partner_org, kind, "
                       "sent_at_ms, state, last_sequence, updated_at_ms, sent_day, "
                       "received_due_day, answered_due_day) VALUES (?, ?, ?, 1, ?, 6, 1, ?, ?, "
                       "?, ?)")
                     .value();
      row.bind(1, random_id())
          .bind(2, clb)
          .bind(3, random_id())
          .bind(4, at_ms)
          .bind(5, at_ms)
          .bind(6, day)
          .bind(7, day)
          .bind(8, day);
      ASSERT_TRUE(row.run());
      auto statement = db.prepare(
                             "INSERT INTO referral_statements (referral, sequence, state, code, "
                             "day, device_id, recorded_at_ms, statement) VALUES (?, 1, 6, 0, 0, "
                             "?, ?, x'00')")
                           .value();
      statement.bind(1, db.last_insert_rowid()).bind(2, random_id()).bind(3, at_ms);
      ASSERT_TRUE(statement.run());
    });
  }

  // A signed transfer announcement of `clb` (the statement's bytes do not matter to the pass).
  void add_transfer(const Id& clb, std::int64_t at_ms) {
    exec([&](sqlite::Database& db) {
      auto row = db.prepare(
                       "INSERT INTO transfers (org_id, pupil, announced_at_ms, announced_by, "
                       "receiving_org, told_day, statement) VALUES (?, ?, ?, ?, ?, ?, x'00')")
                     .value();
      protocol::Hash256 pupil{};
      const auto id = random_id();
      std::copy(id.begin(), id.end(), pupil.begin());
      row.bind(1, clb)
          .bind(2, pupil)
          .bind(3, at_ms)
          .bind(4, random_id())
          .bind(5, random_id())
          .bind(6, at_ms / kDayMs);
      ASSERT_TRUE(row.run());
    });
  }

  // One pass as of `now_ms` with `finder`, on the CLBs' calendars; the organisations it wrote
  // notices for.
  std::vector<Id> pass(std::int64_t now_ms, std::unique_ptr<CauseFinder> finder) {
    std::vector<std::unique_ptr<CauseFinder>> finders;
    finders.push_back(std::move(finder));
    WorkflowPass run(storage, hub_key, OrgCalendars(workflow), std::move(finders));
    std::promise<sqlite::Result<WorkflowReport>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(run.run(
        now_ms, [&](sqlite::Result<WorkflowReport> r) { promise.set_value(std::move(r)); }));
    std::vector<Id> out;
    for (const CreatedNotice& created : future.get().value().created) {
      out.push_back(created.org_id);
    }
    return out;
  }

  // The first day from `from` on which a daily pass with `make()` gives `clb` a notice.
  template <class Make>
  std::string first_notice_day(const Id& clb, CivilDate from, int days, Make make) {
    for (int i = 0; i < days; ++i) {
      const auto day = policies::date_of_day(
          static_cast<std::uint32_t>(std::int64_t{policies::day_number(from)} + i));
      for (const Id& org : pass(morning_of(day), make())) {
        if (org == clb) {
          return policies::to_string(day);
        }
      }
    }
    return "none";
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  protocol::SigningKey hub_key = protocol::SigningKey::generate();
  HubConfig::Workflow workflow;
  const Id own_summer = random_id();
  const Id hub_summer = random_id();
};

TEST_F(ClbCalendarPassTest, TwoClbsGetTheirFollowUpsOnTheirOwnWorkingDays) {
  // Both started on Monday 29 June 2026; a follow-up every 5 working days. On the hub's
  // calendar: 30 June, 1, 2, 3 and 6 July. For the CLB closed 1 - 10 July: 30 June, then 13
  // (11 July is a Saturday), 14, 15 (its own calendar has no closure then) and 16 July.
  add_started_referral(hub_summer, morning_of({2026, 6, 29}));
  add_started_referral(own_summer, morning_of({2026, 6, 29}));
  const auto follow_ups = [] { return follow_up_finder(5); };
  EXPECT_EQ(first_notice_day(hub_summer, {2026, 6, 29}, 25, follow_ups), "2026-07-06");
  EXPECT_EQ(first_notice_day(own_summer, {2026, 7, 6}, 20, follow_ups), "2026-07-16");
}

TEST_F(ClbCalendarPassTest, TwoClbsGetTheirTransferWindowsNoticesOnTheirOwnWorkingDays) {
  // Both announced on Monday 6 July 2026: the tenth day, 16 July, is in the hub's summer
  // closure (the window ends on Monday 17 August) but a working day of the other CLB.
  add_transfer(hub_summer, morning_of({2026, 7, 6}));
  add_transfer(own_summer, morning_of({2026, 7, 6}));
  const auto windows = [] { return transfer_window_finder([] { return 10; }); };
  EXPECT_EQ(first_notice_day(own_summer, {2026, 7, 6}, 20, windows), "2026-07-17");
  EXPECT_EQ(first_notice_day(hub_summer, {2026, 8, 10}, 20, windows), "2026-08-18");
}

// [workflow.clb."<id>"] closure_period: read, applied to that CLB alone (in place of the hub's),
// `[]` for none, and refused with the key when it cannot be right.
TEST(ClbCalendarConfigTest, AClbsOwnClosurePeriodReplacesTheHubsForThatClbAlone) {
  const std::string own = "00112233445566778899aabbccddeeff";
  const std::string none = "ffeeddccbbaa99887766554433221100";
  const auto result = parse_config("[workflow.clb.\"" + own +
                                   "\"]\nclosure_period = [\"07-01\", \"07-10\"]\n"
                                   "[workflow.clb.\"" +
                                   none + "\"]\nclosure_period = []\n");
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const OrgCalendars calendars(result.config.workflow);
  Id own_id{};
  Id none_id{};
  const auto own_bytes = protocol::hex_decode(own).value();
  const auto none_bytes = protocol::hex_decode(none).value();
  std::copy(own_bytes.begin(), own_bytes.end(), own_id.begin());
  std::copy(none_bytes.begin(), none_bytes.end(), none_id.begin());
  EXPECT_EQ(calendars.of(own_id).day_off({2026, 7, 6}), policies::DayOff::closure_period);
  EXPECT_TRUE(calendars.of(own_id).is_working_day({2026, 7, 16}));
  EXPECT_TRUE(calendars.of(none_id).is_working_day({2026, 7, 16}));
  EXPECT_TRUE(calendars.of(none_id).is_working_day({2026, 7, 6}));
  EXPECT_EQ(calendars.of(random_id()).day_off({2026, 7, 16}), policies::DayOff::closure_period);
  EXPECT_TRUE(calendars.of(random_id()).is_working_day({2026, 7, 6}));

  const auto bad = parse_config("[workflow.clb.\"" + own + "\"]\nclosure_period = [\"08-32\"]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.errors.front().key.find("closure_period"), std::string::npos)
      << bad.errors.front().key;
}

}  // namespace
}  // namespace draaischijf::server
