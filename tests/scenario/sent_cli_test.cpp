// `draaischijf status` and `draaischijf sent` with the real hub and the real CLI: `status`
// without an id lists the recent sends (as its help says), with one the states of that message;
// a colleague's device sees the team's sends through the copy in the team's Sent folder.

#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

using SentCliTest = CliScenario;

TEST_F(SentCliTest, StatusWithoutAnIdListsTheRecentSendsAndWithOneItsRecipients) {
  // Nothing sent yet: an empty list, not a usage error.
  const auto empty = clb.json_of({"status"});
  EXPECT_TRUE(empty.as_object().at("sent").as_array().empty()) << empty;

  const auto referral = clb.json_of(under_consent(
      {"send", "doorverwijzing", "--to", intake, "--text", "psychisch_sociaal=Eerste gesprek."}));
  const auto id = text_of(referral, "message_id");

  const auto listed = clb.json_of({"status"});
  const auto& sends = listed.as_object().at("sent").as_array();
  ASSERT_EQ(sends.size(), 1U) << listed;
  EXPECT_EQ(text_of(sends[0], "message_id"), id);
  EXPECT_TRUE(sends[0].as_object().at("by_this_device").as_bool());
  const auto& recipients = sends[0].as_object().at("recipients").as_array();
  ASSERT_EQ(recipients.size(), 1U);
  EXPECT_EQ(text_of(recipients[0], "mailbox_id"), intake);
  EXPECT_EQ(text_of(recipients[0], "state"), "queued");

  // With the id: that message's recipients; after the CAW fetched it, delivered.
  inbox(caw);
  const auto one = clb.json_of({"status", id});
  ASSERT_EQ(one.as_object().at("recipients").as_array().size(), 1U);
  EXPECT_EQ(text_of(one.as_object().at("recipients").as_array()[0], "state"), "delivered");
  const auto human = clb({"status"});
  ASSERT_EQ(human.exit, 0) << human.err;
  EXPECT_NE(human.out.find(id), std::string::npos) << human.out;
  EXPECT_NE(human.out.find(intake + " delivered"), std::string::npos) << human.out;

  // Two ids is a usage error that names both forms.
  const auto twice = clb({"status", id, id});
  EXPECT_EQ(twice.exit, 2);
  EXPECT_NE(twice.err.find("status [MESSAGE_ID]"), std::string::npos) << twice.err;
  const auto bad_limit = clb({"sent", "--limit", "zero"});
  EXPECT_EQ(bad_limit.exit, 2);
}

TEST_F(SentCliTest, AColleagueSeesTheTeamsSendsThroughTheSentFolder) {
  // The CLB's admin makes the team's Sent folder (a general mailbox) with the onthaal device.
  const auto whoami = clb.json_of({"whoami"});
  const auto folder = clb_admin.json_of({"admin", "create-mailbox", "Verzonden", "--function",
                                         "general", "--member", text_of(whoami, "device_id")});
  const auto team = text_of(folder, "mailbox_id");
  const auto referral = clb.json_of(under_consent(
      {"send", "doorverwijzing", "--to", intake, "--text", "psychisch_sociaal=Tweede gesprek."}));
  EXPECT_EQ(text_of(referral, "team_copy"), team);
  const auto id = text_of(referral, "message_id");

  // The admin's device did not send it, and lists it from the copy, with both recipients.
  const auto seen = clb_admin.json_of({"sent"});
  const auto& sends = seen.as_object().at("sent").as_array();
  ASSERT_EQ(sends.size(), 1U) << seen;
  EXPECT_EQ(text_of(sends[0], "message_id"), id);
  EXPECT_FALSE(sends[0].as_object().at("by_this_device").as_bool());
  EXPECT_EQ(text_of(sends[0], "sender_device"), text_of(whoami, "device_id"));
  EXPECT_EQ(sends[0].as_object().at("recipients").as_array().size(), 2U);
}

}  // namespace
}  // namespace draaischijf::testing
