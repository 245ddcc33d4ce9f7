// The team's Sent copy on the client's side (docs/PROTOCOL.md 7.9, docs/POLICY.md R37): every
// send is also sealed to the organisation's general mailbox, as one more recipient of the same
// envelope; a colleague's device opens it and sees what became of the message; the copy counts
// towards the 16 recipients and a message that would need a 17th is refused before anything is
// encrypted.

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

class ClientTeamCopyTest : public TamperingTest {
 protected:
  // The CLB's admin device, as a client of the real hub: a colleague of the sending device.
  Client open_admin() {
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    EXPECT_TRUE(client::import_dev_device(dir.path() / "data" / "dev-pki" / "clb" / "admin",
                                          dir.path() / "clb-admin", settings, unlock));
    return Client::open(client::Profile::open(dir.path() / "clb-admin").value(), unlock).value();
  }
  // The team's Sent folder: a general mailbox (function 0) with the sending device in it (and
  // the admin, who is in every mailbox it manages).
  protocol::Id create_team_folder(Client& admin) {
    auto created = admin.administration().create_mailbox("Verzonden", std::nullopt,
                                                         {device->device().device_id});
    EXPECT_TRUE(created) << created.error().message();
    return created ? *created : protocol::Id{};
  }
  bool envelope_posted() const {
    return std::any_of(posted->begin(), posted->end(),
                       [](const std::string& t) { return is_envelope_submission(t); });
  }
};

TEST_F(ClientTeamCopyTest, AColleaguesDeviceOpensTheTeamsSentCopy) {
  auto admin = open_admin();
  const auto team = create_team_folder(admin);
  const auto sent = device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                                  protocol::DataCategory::psychisch_sociaal,
                                                  "Verwijzing naar het CAW, zie verslag."));
  ASSERT_TRUE(sent) << sent.error().message();
  ASSERT_TRUE(sent->team_copy);
  EXPECT_EQ(*sent->team_copy, team);
  // The hub decided on the copy by a decision of its own, signed into the receipt.
  const auto decision =
      std::find_if(sent->decisions.begin(), sent->decisions.end(),
                   [&](const protocol::ReceiptDecision& d) { return d.mailbox_id == team; });
  ASSERT_NE(decision, sent->decisions.end());
  EXPECT_EQ(decision->rule_ids, "R37");
  EXPECT_EQ(sent->decisions.size(), 2U);

  // The colleague's device fetches the copy from the team's folder and opens exactly it.
  ASSERT_TRUE(admin.inbox().sync());
  const auto entries = admin.inbox().list(false).value();
  const auto copy = std::find_if(entries.begin(), entries.end(), [&](const client::InboxEntry& e) {
    return e.message_id == sent->message_id && e.mailbox_id == team;
  });
  ASSERT_NE(copy, entries.end());
  const auto opened = admin.inbox().read(copy->mailbox_id, copy->sequence);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->fragments.size(), 1U);
  const auto& body = opened->fragments.front()->body;
  EXPECT_EQ(std::string(body.begin(), body.end()), "Verwijzing naar het CAW, zie verslag.");

  // And sees what became of it: the CAW's intake has not fetched it yet; the copy was read.
  const auto listed = admin.inbox().sent(10).value();
  const auto mine = std::find_if(listed.begin(), listed.end(), [&](const client::SentEntry& e) {
    return e.message_id == sent->message_id;
  });
  ASSERT_NE(mine, listed.end());
  EXPECT_FALSE(mine->by_this_device);
  EXPECT_EQ(mine->sender_device, device->device().device_id);
  ASSERT_EQ(mine->recipients.size(), 2U);
  for (const auto& r : mine->recipients) {
    if (r.mailbox_id == intake) {
      EXPECT_EQ(r.state, "queued");
    } else {
      EXPECT_EQ(r.mailbox_id, team);
      EXPECT_EQ(r.state, "read");  // fetched and opened above
    }
  }
  // The sender's own device lists it as its own send.
  const auto own = device->inbox().sent(10).value();
  ASSERT_FALSE(own.empty());
  EXPECT_EQ(own.front().message_id, sent->message_id);
  EXPECT_TRUE(own.front().by_this_device);
}

TEST_F(ClientTeamCopyTest, TheRecipientLimitCountsTheTeamsCopy) {
  auto admin = open_admin();
  create_team_folder(admin);
  auto letter = letter_to_intake(protocol::MessageKind::doorverwijzing,
                                 protocol::DataCategory::psychisch_sociaal, "Zestien.");
  letter.recipients.assign(protocol::kMaxRecipients, intake);
  posted->clear();
  const auto sent = device->send(std::move(letter));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(), make_error_code(client_errc::too_many_recipients));
  EXPECT_NE(sent.error().message().find("Sent folder"), std::string::npos);
  EXPECT_FALSE(envelope_posted()) << "something was sent";
}

TEST_F(ClientTeamCopyTest, WithoutAGeneralMailboxNothingIsCopied) {
  // The development CLB has only its onthaal mailbox (a function of its own): no Sent folder.
  const auto sent = device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                                  protocol::DataCategory::psychisch_sociaal,
                                                  "Zonder map Verzonden."));
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE(sent->team_copy);
  EXPECT_EQ(sent->decisions.size(), 1U);
}

}  // namespace
}  // namespace draaischijf::testing
