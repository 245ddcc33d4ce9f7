// The referral lifecycle with the draaischijf CLI, as separate processes against the hub
// process (docs/WORKFLOW.md 3, "Client and CLI"): the CLB sends a doorverwijzing, the CAW moves
// it with `referral status`, both follow it with `referrals` (filters, table and JSON), the
// CLB cancels it with `referral cancel`; usage errors exit 2, refusals exit 1 with the reason.
// The director's `report` counts it while it waits on the CAW's list.

#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

using ReferralCliTest = CliScenario;

boost::json::array referrals_of(const Cli& cli, std::vector<std::string> words = {}) {
  words.insert(words.begin(), "referrals");
  return cli.json_of(words).as_object().at("referrals").as_array();
}

TEST_F(ReferralCliTest, ThePartnerMovesTheReferralAndTheClbFollowsAndCancelsIt) {
  const auto sent = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september."}));
  const std::string id = text_of(sent, "message_id");
  auto listed = referrals_of(clb);
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(text_of(listed[0], "message_id"), id);
  EXPECT_EQ(text_of(listed[0], "state"), "sent");
  EXPECT_EQ(text_of(listed[0], "partner_org"), orgs["caw"]);
  EXPECT_EQ(text_of(listed[0], "fhir_status"), "requested");

  // The CAW, which received it, moves it; each statement signed on its device.
  EXPECT_EQ(text_of(caw.json_of({"referral", "status", id, "received"}), "state"), "received");
  const auto waiting = caw({"referral", "status", id, "waitlisted", "--from", "2030-01-07"});
  ASSERT_EQ(waiting.exit, 0) << waiting.err;
  EXPECT_NE(waiting.out.find("referral " + id + " is now waitlisted (statement 2"),
            std::string::npos)
      << waiting.out;
  // A usage error names what is missing: exit 2, nothing signed.
  const auto no_date = caw({"referral", "status", id, "intake_planned"});
  EXPECT_EQ(no_date.exit, 2);
  EXPECT_NE(no_date.err.find("intake_planned needs --on YYYY-MM-DD"), std::string::npos)
      << no_date.err;
  EXPECT_EQ(caw({"referral", "status", id, "rejected"}).exit, 2);
  EXPECT_EQ(caw({"referral", "cancel", "not-an-id"}).exit, 2);
  // The CLB cannot move the partner's side: refused by the hub, exit 1.
  const auto by_clb = clb({"referral", "status", id, "accepted"});
  EXPECT_EQ(by_clb.exit, 1);
  EXPECT_FALSE(by_clb.err.empty());

  // Both sides follow it, with filters.
  EXPECT_EQ(referrals_of(clb, {"--state", "waitlisted"}).size(), 1U);
  EXPECT_TRUE(referrals_of(clb, {"--state", "sent"}).empty());
  EXPECT_EQ(referrals_of(clb, {"--partner", orgs["caw"]}).size(), 1U);
  EXPECT_TRUE(referrals_of(clb, {"--partner", orgs["school"]}).empty());
  EXPECT_TRUE(referrals_of(clb, {"--overdue"}).empty());
  EXPECT_EQ(text_of(referrals_of(caw).at(0), "state"), "waitlisted");
  EXPECT_TRUE(referrals_of(school).empty());  // not the school's referral
  EXPECT_EQ(clb({"referrals", "--state", "rejected"}).exit, 2);
  const auto table = clb({"referrals"});
  ASSERT_EQ(table.exit, 0) << table.err;
  EXPECT_NE(table.out.find("MESSAGE_ID"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(id), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("waitlisted"), std::string::npos) << table.out;

  // The director's report counts it on the CAW's waiting list, by organisation only.
  const auto csv = clb({"report", "--csv"});
  ASSERT_EQ(csv.exit, 0) << csv.err;
  EXPECT_NE(csv.out.find("waitlisted_at_partner," + orgs["caw"] + " count,1\n"), std::string::npos)
      << csv.out;
  EXPECT_EQ(csv.out.find(id), std::string::npos) << csv.out;

  // The partner cannot cancel; the CLB does, and the CAW sees it.
  EXPECT_EQ(caw({"referral", "cancel", id}).exit, 1);
  EXPECT_EQ(text_of(clb.json_of({"referral", "cancel", id}), "state"), "cancelled");
  EXPECT_EQ(text_of(referrals_of(caw).at(0), "state"), "cancelled");
  // Nothing follows a cancellation: refused, exit 1.
  EXPECT_EQ(caw({"referral", "status", id, "started"}).exit, 1);
}

}  // namespace
}  // namespace draaischijf::testing
