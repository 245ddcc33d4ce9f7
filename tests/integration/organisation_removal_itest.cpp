// Removing an organisation with the operator's command beside the running hub: its devices
// are refused at the handshake with organisation-removed, its mailboxes refuse new envelopes
// with recipient-removed, what waits in them is fetched by nobody, the directory no longer
// lists it, the directory log holds the removal, and its id cannot be removed or registered
// again.

#include <gtest/gtest.h>

#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/log_entry.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

class OrganisationRemovalTest : public ::testing::Test {
 protected:
  std::string remove_caw(int expected_exit = 0) {
    return hub_command("org remove " + hex(hub.org_id("caw")) + " --config " +
                           (dir.path() / "hub.toml").string() + " --reason ceased",
                       expected_exit);
  }
  std::uint64_t directory_log_size() {
    const auto text = hub.call("clb", get("/v1/log/directory/checkpoint")).body;
    // The checkpoint's second line is the tree size.
    const auto first = text.find('\n');
    return std::stoull(text.substr(first + 1, text.find('\n', first + 1) - first - 1));
  }

  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(OrganisationRemovalTest, DevicesAreRefusedMailboxesCloseAndTheLogHoldsTheRemoval) {
  const auto mailbox = hub.mailbox_of("caw");
  const std::string mailbox_id(mailbox.at("mailbox_id").as_string());
  const auto epoch = hub.epoch_of(mailbox);
  const auto before = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch}, "voor het CAW"))));
  ASSERT_EQ(before.status, 201) << before.body;
  const auto sequence = json::parse(before.body).at("sequence").as_int64();
  ASSERT_EQ(hub.call("caw", get("/v1/organisations")).status, 200);
  const auto log_before = directory_log_size();

  const auto said = remove_caw();
  EXPECT_NE(said.find("removed organisation " + hex(hub.org_id("caw"))), std::string::npos) << said;

  // Its devices, staff and admin, are refused right after the handshake.
  for (const bool admin : {false, true}) {
    const auto refused = hub.call("caw", get("/v1/organisations"), admin);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("organisation-removed"), std::string::npos) << refused.body;
  }
  // Its mailbox takes nothing new, with a problem that says why.
  const auto after = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch}, "nog een bericht"))));
  EXPECT_EQ(after.status, 410) << after.body;
  EXPECT_NE(after.body.find("recipient-removed"), std::string::npos) << after.body;
  // What waited there is fetched by nobody else; the sender still sees it queued.
  EXPECT_EQ(
      hub.call("clb", get("/v1/mailboxes/" + mailbox_id + "/messages/" + std::to_string(sequence)))
          .status,
      404);
  const auto status = hub.json(
      "clb", get("/v1/envelopes/" +
                 std::string(json::parse(before.body).at("message_id").as_string()) + "/status"));
  EXPECT_NE(json::serialize(status).find("queued"), std::string::npos) << json::serialize(status);
  // The directory lists it no more.
  const auto listing = hub.call("clb", get("/v1/organisations")).body;
  EXPECT_EQ(listing.find(hex(hub.org_id("caw"))), std::string::npos);
  // One entry in the directory log, the removal as the bundle states it.
  ASSERT_EQ(directory_log_size(), log_before + 1);
  const auto entry = b64(
      hub.json("clb", get("/v1/log/directory/entries/" + std::to_string(log_before))).at("entry"));
  ASSERT_EQ(entry.size(), 1U + 16 + 8 + 1);
  EXPECT_EQ(entry[0], static_cast<std::uint8_t>(DirectoryEntryKind::organisation_removed));
  EXPECT_TRUE(std::equal(entry.begin() + 1, entry.begin() + 17, hub.org_id("caw").begin()));
  EXPECT_EQ(entry.back(), static_cast<std::uint8_t>(RemovalReason::ceased));

  // Once only: a second removal is refused and appends nothing.
  const auto again = remove_caw(1);
  EXPECT_NE(again.find("removed from the hub"), std::string::npos) << again;
  EXPECT_EQ(directory_log_size(), log_before + 1);
}

TEST_F(OrganisationRemovalTest, AnUnknownIdOrReasonIsRefusedAndChangesNothing) {
  const auto config = (dir.path() / "hub.toml").string();
  const auto log_before = directory_log_size();
  const auto unknown =
      hub_command("org remove " + hex(random_id()) + " --config " + config + " --reason other", 1);
  EXPECT_NE(unknown.find("no such object"), std::string::npos) << unknown;
  const auto reason = hub_command(
      "org remove " + hex(hub.org_id("caw")) + " --config " + config + " --reason bored", 2);
  EXPECT_NE(reason.find("ceased, merged, key-compromised, left-network, other"), std::string::npos)
      << reason;
  EXPECT_EQ(hub_command("org remove --config " + config + " --reason ceased", 2)
                    .find("organisation id (32 hexadecimal digits) first") != std::string::npos,
            true);
  EXPECT_EQ(directory_log_size(), log_before);
  EXPECT_EQ(hub.call("caw", get("/v1/organisations")).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
