// Dossier transfer announcements through the real hub (R14's evidence): the CLB's staff
// announce a pupil's transfer to a new CLB once, signed, at the hub's time, register an
// objection, and read the record with the day the hub computes the window to pass; schools
// and the organisation admin may not. How the policy gate uses the record is in
// transfer_evidence_test.cpp (with an injected clock).

#include <chrono>

#include <gtest/gtest.h>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "policy_security_fixture.hpp"
#include "store_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

const std::string kBody = R"({"pupil":")" + test_pupil_hex() + R"("})";

// The statement the demo CLB's staff device signs: the pupil to a new CLB, the parents told
// today (docs/PROTOCOL.md 7.20).
std::string signed_announcement(DevHub& hub, const protocol::Id& to) {
  protocol::TransferAnnouncement s;
  s.sender_org = hub.org_id("clb");
  s.receiving_org = to;
  s.pupil = test_pupil();
  s.told_day = policies::day_number(policies::belgian_date(std::chrono::system_clock::now()));
  s.created_at_ms = static_cast<std::uint64_t>(protocol::unix_ms(std::chrono::system_clock::now()));
  return text_of(
      protocol::sign_transfer_announcement(s, hub.certificate_of("clb"), hub.keys("clb").signing)
          .value());
}

// A new CLB beside the demo organisations (a bare directory row: what the hub's checks read).
protocol::Id new_clb(const TempDir& dir) {
  const protocol::Id id = protocol::random_id();
  auto db = server::sqlite::Database::open((dir.path() / "data" / "hub.db").string()).value();
  register_organisation(db, id, "clb");
  return id;
}

TEST(PolicyTransferTest, TheClbAnnouncesATransferOnceAndTheHubDatesTheWindow) {
  TempDir dir;
  DevHub hub{dir.path()};
  const auto to = new_clb(dir);
  const auto before = std::chrono::system_clock::now();
  const auto announced = hub.call("clb", post("/v1/transfers", signed_announcement(hub, to)));
  ASSERT_EQ(announced.status, 201) << announced.body;
  const auto record = json::parse(announced.body).as_object();
  const auto passes = policies::to_string(policies::objection_window_passes_on(
      protocol::unix_ms(before), std::nullopt, 10, policies::WorkingCalendar{}));
  EXPECT_EQ(record.at("window_passes_on").as_string(), passes) << announced.body;
  EXPECT_EQ(record.at("receiving_org").as_string(), protocol::hex_encode(to));
  EXPECT_FALSE(record.contains("objection_at_ms"));

  const auto again = hub.call("clb", post("/v1/transfers", signed_announcement(hub, to)));
  EXPECT_EQ(again.status, 409) << "the window is not restarted: " << again.body;

  const auto objected = hub.call("clb", post("/v1/transfers/objection", kBody));
  ASSERT_EQ(objected.status, 200) << objected.body;
  EXPECT_TRUE(json::parse(objected.body).as_object().contains("objection_at_ms"));
  const auto read = hub.call("clb", get("/v1/transfers?pupil=" + test_pupil_hex()));
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.body.find("objection_at_ms"), std::string::npos) << read.body;
}

TEST(PolicyTransferTest, AnObjectionWithoutAnnouncementIsNotFound) {
  TempDir dir;
  DevHub hub{dir.path()};
  EXPECT_EQ(hub.call("clb", post("/v1/transfers/objection", kBody)).status, 404);
  EXPECT_EQ(hub.call("clb", get("/v1/transfers?pupil=" + test_pupil_hex())).status, 404);
}

TEST(PolicyTransferTest, OnlyTheClbsStaffMayAnnounce) {
  TempDir dir;
  DevHub hub{dir.path()};
  const auto school = hub.call("school", post("/v1/transfers", kBody));
  EXPECT_EQ(school.status, 403);
  EXPECT_EQ(problem_slug(school), "clb-only");
  const auto admin = hub.call("clb", post("/v1/transfers", kBody), true);
  EXPECT_EQ(admin.status, 403);
  EXPECT_EQ(problem_slug(admin), "role-not-permitted");
}

// R03's evidence: the objection to advice is registered, read and withdrawn by the CLB's staff
// at the hub's time; a school may not touch it.
TEST(PolicyTransferTest, TheClbRegistersAndWithdrawsAnObjectionToAdvice) {
  TempDir dir;
  DevHub hub{dir.path()};
  const auto none = hub.json("clb", get("/v1/objections/advice?pupil=" + test_pupil_hex()));
  EXPECT_TRUE(none.at("objection").is_null());
  const auto registered = hub.call("clb", post("/v1/objections/advice", kBody));
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_TRUE(json::parse(registered.body).at("objection").is_object()) << registered.body;
  EXPECT_EQ(problem_slug(hub.call("school", post("/v1/objections/advice/withdraw", kBody))),
            "clb-only");
  const auto withdrawn = hub.call("clb", post("/v1/objections/advice/withdraw", kBody));
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_TRUE(json::parse(withdrawn.body).at("objection").is_null());
  EXPECT_EQ(hub.call("clb", post("/v1/objections/advice/withdraw", kBody)).status, 404);
}

}  // namespace
}  // namespace draaischijf::testing
