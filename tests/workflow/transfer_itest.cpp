// The signed dossier transfer announcement through the real API (docs/PROTOCOL.md 7.20,
// docs/WORKFLOW.md 5): an in-process hub with the development deployment on a manual clock,
// real TLS clients. The CLB's device signs the pupil, the new CLB and the day the parents were
// told; the hub checks the signature against the device's enrolled certificate, the new CLB
// against its directory and the told-day against its own clock, keeps the statement whole and
// dates the announcement itself. The old unsigned body is refused with what to send instead.
// The objection window ends on a working day of the announcing CLB's own calendar, and its
// notice comes on the day it passes.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "in_process_hub.hpp"
#include "store_fixture.hpp"
#include "test_consent.hpp"

namespace draaischijf::testing {
namespace {

using namespace std::chrono;
using policies::CivilDate;

// 09:00 on a Belgian summer day (UTC+2).
protocol::TimePoint summer_morning(int y, unsigned m, unsigned d) {
  return sys_days{year{y} / month{m} / day{d}} + hours(7);
}

std::string slug_of(const HttpResponse& response) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(response.body, ec);
  const auto* type = !ec && value.is_object() ? value.as_object().if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string()) {
    return {};
  }
  const std::string text(type->as_string());
  return text.substr(text.rfind(':') + 1);
}

class TransferTest : public ::testing::Test {
 protected:
  void start_at(protocol::TimePoint start, const std::string& config = "") {
    dev.reset();
    served.reset();
    served = std::make_unique<InProcessHub>(dir.path(), config, start);
    dev = std::make_unique<DevHub>(served->port(), served->pki());
  }
  // A CLB registered beside the demo organisations (a bare directory row: what the checks read).
  protocol::Id add_organisation(std::string_view type) {
    const protocol::Id id = protocol::random_id();
    auto db = server::sqlite::Database::open((dir.path() / "data" / "hub.db").string()).value();
    register_organisation(db, id, type);
    return id;
  }
  [[nodiscard]] CivilDate today() const { return policies::belgian_date(served->now()); }
  [[nodiscard]] static CivilDate days_after(CivilDate date, int n) {
    return policies::date_of_day(
        static_cast<std::uint32_t>(std::int64_t{policies::day_number(date)} + n));
  }
  // The announcement the demo CLB's staff device signs, created at the hub's time.
  std::vector<std::uint8_t> signed_announcement(const protocol::Id& to, CivilDate told,
                                                std::int64_t skew_ms = 0) {
    protocol::TransferAnnouncement s;
    s.sender_org = dev->org_id("clb");
    s.receiving_org = to;
    s.pupil = test_pupil();
    s.told_day = policies::day_number(told);
    s.created_at_ms = static_cast<std::uint64_t>(protocol::unix_ms(served->now()) + skew_ms);
    return protocol::sign_transfer_announcement(s, dev->certificate_of("clb"),
                                                dev->keys("clb").signing)
        .value();
  }
  HttpResponse announce(const std::vector<std::uint8_t>& statement) {
    return dev->call("clb", post("/v1/transfers", text_of(statement)));
  }
  std::size_t pass() { return served->hub().workflow_now().created.size(); }

  TempDir dir;
  std::unique_ptr<InProcessHub> served;
  std::unique_ptr<DevHub> dev;
};

TEST_F(TransferTest, TheClbSignsTheAnnouncementAndTheHubKeepsItWholeAndDatesIt) {
  start_at(summer_morning(2026, 3, 2));
  const auto new_clb = add_organisation("clb");
  const auto statement = signed_announcement(new_clb, days_after(today(), -3));
  const auto announced = announce(statement);
  ASSERT_EQ(announced.status, 201) << announced.body;
  const auto record = boost::json::parse(announced.body).as_object();
  EXPECT_EQ(record.at("receiving_org").as_string(), hex(new_clb));
  EXPECT_EQ(record.at("parents_told").as_string(), "2026-02-27");
  EXPECT_EQ(b64(record.at("statement")), statement) << "the statement is kept whole";
  EXPECT_EQ(record.at("announced_at_ms").as_int64(), protocol::unix_ms(served->now()));
  // Ten calendar days from Monday 2 March: the tenth, Thursday 12 March, is inside.
  EXPECT_EQ(record.at("window_passes_on").as_string(), "2026-03-13");

  const auto again = announce(signed_announcement(new_clb, today()));
  EXPECT_EQ(again.status, 409) << "the window is not restarted: " << again.body;
  const auto read = dev->json("clb", get("/v1/transfers?pupil=" + test_pupil_hex()));
  EXPECT_EQ(b64(read.at("statement")), statement);
}

TEST_F(TransferTest, TheOldUnsignedBodyIsRefusedWithWhatToSendInstead) {
  start_at(summer_morning(2026, 3, 2));
  const auto old =
      dev->call("clb", post("/v1/transfers", R"({"pupil":")" + test_pupil_hex() + R"("})"));
  EXPECT_EQ(old.status, 400) << old.body;
  EXPECT_EQ(slug_of(old), "transfer-announcement-unsigned");
  EXPECT_NE(old.body.find("--parents-told"), std::string::npos) << old.body;
  EXPECT_EQ(dev->call("clb", get("/v1/transfers?pupil=" + test_pupil_hex())).status, 404);
}

TEST_F(TransferTest, TheNewClbIsAnotherClbInTheDirectoryThatWasNotRemoved) {
  start_at(summer_morning(2026, 3, 2));
  const auto refused = [&](const std::vector<std::uint8_t>& statement) {
    const auto answer = announce(statement);
    EXPECT_EQ(answer.status, 422) << answer.body;
    return slug_of(answer);
  };
  EXPECT_EQ(refused(signed_announcement(protocol::random_id(), today())),
            "transfer-receiver-invalid");
  EXPECT_EQ(refused(signed_announcement(dev->org_id("caw"), today())), "transfer-receiver-invalid");
  const auto removed = add_organisation("clb");
  {
    auto db = server::sqlite::Database::open((dir.path() / "data" / "hub.db").string()).value();
    auto row = db.prepare(
                     "INSERT INTO organisation_removals (org_id, removed_at_ms, reason) "
                     "VALUES (?, 0, 1)")
                   .value();
    row.bind(1, removed);
    ASSERT_TRUE(row.run());
  }
  EXPECT_EQ(refused(signed_announcement(removed, today())), "transfer-receiver-invalid");
  // To itself: the statement does not even parse (its receiving CLB is the sender).
  auto to_self = signed_announcement(add_organisation("clb"), today());
  const auto own = dev->org_id("clb");
  std::copy(own.begin(), own.end(), to_self.begin() + 21);
  EXPECT_EQ(refused(to_self), "transfer-announcement-invalid");
  EXPECT_EQ(dev->call("clb", get("/v1/transfers?pupil=" + test_pupil_hex())).status, 404)
      << "nothing of a refused announcement is kept";
}

TEST_F(TransferTest, TheDayTheParentsWereToldIsNotAfterTodayNorMoreThan30DaysBefore) {
  start_at(summer_morning(2026, 3, 2));
  const auto new_clb = add_organisation("clb");
  for (const int offset : {1, -31}) {
    const auto answer = announce(signed_announcement(new_clb, days_after(today(), offset)));
    EXPECT_EQ(answer.status, 422) << offset << ": " << answer.body;
    EXPECT_EQ(slug_of(answer), "transfer-told-date-invalid") << offset;
  }
  EXPECT_EQ(announce(signed_announcement(new_clb, days_after(today(), -30))).status, 201);
}

TEST_F(TransferTest, OnlyThisDevicesOwnFreshSignatureCounts) {
  start_at(summer_morning(2026, 3, 2));
  const auto new_clb = add_organisation("clb");
  auto tampered = signed_announcement(new_clb, today());
  tampered[70] ^= 0x01;  // the told-day
  EXPECT_EQ(slug_of(announce(tampered)), "transfer-announcement-invalid");
  // The CLB's admin device's certificate, signed with its key, sent by the staff device.
  protocol::TransferAnnouncement s;
  s.sender_org = dev->org_id("clb");
  s.receiving_org = new_clb;
  s.pupil = test_pupil();
  s.told_day = policies::day_number(today());
  s.created_at_ms = static_cast<std::uint64_t>(protocol::unix_ms(served->now()));
  const auto admins = protocol::sign_transfer_announcement(s, dev->certificate_of("clb", true),
                                                           dev->keys("clb", true).signing);
  EXPECT_EQ(slug_of(announce(admins.value())), "transfer-announcement-invalid");
  const auto stale = announce(signed_announcement(new_clb, today(), -48LL * 3600 * 1000));
  EXPECT_EQ(slug_of(stale), "clock-skew") << stale.body;
  // Neither a school nor the CLB's admin device announces.
  EXPECT_EQ(slug_of(dev->call(
                "school", post("/v1/transfers", text_of(signed_announcement(new_clb, today()))))),
            "clb-only");
  EXPECT_EQ(
      slug_of(dev->call(
          "clb", post("/v1/transfers", text_of(signed_announcement(new_clb, today()))), true)),
      "role-not-permitted");
}

TEST_F(TransferTest, AWindowEndingInTheSummerClosureEndsOnTheNextWorkingDayAndSoDoesItsNotice) {
  // Monday 6 July 2026: the tenth day, 16 July, is in the closure (15 July - 15 August); the
  // next working day is Monday 17 August.
  start_at(summer_morning(2026, 7, 6));
  const auto announced = announce(signed_announcement(add_organisation("clb"), today()));
  ASSERT_EQ(announced.status, 201) << announced.body;
  EXPECT_EQ(boost::json::parse(announced.body).at("window_passes_on").as_string(), "2026-08-18");
  served->set_time_ms(protocol::unix_ms(summer_morning(2026, 8, 17)) + 14LL * 3600 * 1000);
  EXPECT_EQ(pass(), 0U) << "Monday 17 August 23:00 is still inside the window";
  served->set_time_ms(protocol::unix_ms(summer_morning(2026, 8, 18)));
  EXPECT_EQ(pass(), 1U);
  const auto notices = dev->json("clb", get("/v1/notices")).at("notices").as_array();
  ASSERT_EQ(notices.size(), 1U);
  const auto notice = protocol::parse_notice(b64(notices[0].at("notice"))).value();
  EXPECT_EQ(notice.type, protocol::NoticeType::transfer_objection_window_closed);
  EXPECT_EQ(policies::to_string(policies::date_of_day(notice.due_day)), "2026-08-18");
}

TEST_F(TransferTest, AWindowEndingOnAWeekendBeforeWhitMondayEndsOnTheTuesday) {
  // Wednesday 13 May 2026: the tenth day is Saturday 23 May; Monday 25 May is Whit Monday.
  start_at(summer_morning(2026, 5, 13));
  const auto announced = announce(signed_announcement(add_organisation("clb"), today()));
  ASSERT_EQ(announced.status, 201) << announced.body;
  EXPECT_EQ(boost::json::parse(announced.body).at("window_passes_on").as_string(), "2026-05-27");
}

TEST_F(TransferTest, TheAnnouncingClbsOwnClosurePeriodDecides) {
  // The demo CLB closes from 20 July to 31 July only ([workflow.clb."<id>"] closure_period): 16
  // July is a working day for it, so the window of 6 July passes on 17 July.
  start_at(summer_morning(2026, 7, 6));
  const std::string clb = hex(dev->org_id("clb"));
  start_at(summer_morning(2026, 7, 6),
           "[workflow.clb.\"" + clb + "\"]\nclosure_period = [\"07-20\", \"07-31\"]\n");
  const auto announced = announce(signed_announcement(add_organisation("clb"), today()));
  ASSERT_EQ(announced.status, 201) << announced.body;
  EXPECT_EQ(boost::json::parse(announced.body).at("window_passes_on").as_string(), "2026-07-17");
  served->set_time_ms(protocol::unix_ms(summer_morning(2026, 7, 17)));
  EXPECT_EQ(pass(), 1U) << "the notice counts on the CLB's calendar, not the hub's";
}

TEST_F(TransferTest, AReloadGivesTheWindowTheClbsNewCalendar) {
  // Announced on the hub's calendar (closed 15 July - 15 August): the window passes on 18
  // August. A reload gives the CLB its own closure from 20 July: from then on the stored
  // announcement's window passes on 17 July, for the transfer route and the workflow pass alike.
  start_at(summer_morning(2026, 7, 6));
  const auto announced = announce(signed_announcement(add_organisation("clb"), today()));
  ASSERT_EQ(announced.status, 201) << announced.body;
  const auto window = [&] {
    return std::string(dev->json("clb", get("/v1/transfers?pupil=" + test_pupil_hex()))
                           .at("window_passes_on")
                           .as_string());
  };
  ASSERT_EQ(window(), "2026-08-18");
  served->reload("[workflow.clb.\"" + hex(dev->org_id("clb")) +
                 "\"]\nclosure_period = [\"07-20\", \"07-31\"]\n");
  for (int tries = 0; tries < 200 && window() != "2026-07-17"; ++tries) {
    std::this_thread::sleep_for(milliseconds(25));  // the reload runs on an I/O thread
  }
  ASSERT_EQ(window(), "2026-07-17") << "the transfer route still counts on the old calendar";
  served->set_time_ms(protocol::unix_ms(summer_morning(2026, 7, 17)));
  EXPECT_EQ(pass(), 1U) << "the workflow pass still counts on the old calendar";
}

}  // namespace
}  // namespace draaischijf::testing
