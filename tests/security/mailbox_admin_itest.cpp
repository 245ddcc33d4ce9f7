// Renaming a mailbox (docs/PROTOCOL.md 7.13, action 4) against the real hub process: only the
// organisation key of the mailbox's own organisation renames it, once per signature, and only
// to a display-safe name of 1 to 200 bytes. The epoch does not change.

#include <gtest/gtest.h>

#include <draaischijf/protocol/admin_action.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::AdminAction;

class MailboxRenameTest : public ::testing::Test {
 protected:
  std::string intake() { return std::string(hub.mailbox_of("caw").at("mailbox_id").as_string()); }
  static std::string path_of(const std::string& mailbox) {
    return "/v1/mailboxes/" + mailbox + "/name";
  }
  static std::string body_of(const std::string& name) {
    return boost::json::serialize(boost::json::object{{"name", name}});
  }
  // The CAW admin renames `mailbox`, signed with the CAW organisation key.
  HttpResponse rename(const std::string& mailbox, const std::string& name) {
    return hub.admin_call("caw", AdminAction::rename_mailbox, fixed_hex<16>(mailbox),
                          path_of(mailbox), body_of(name));
  }
  std::string name_now(const std::string& mailbox) {
    return std::string(
        hub.json("clb", get("/v1/mailboxes/" + mailbox)).at("name").as_string().subview());
  }

  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(MailboxRenameTest, TheOrganisationKeyRenamesItsMailboxAndTheEpochStays) {
  const auto mailbox = intake();
  const auto before = hub.mailbox_of("caw");
  const auto renamed = rename(mailbox, "Intake jongeren (12-25)");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(name_now(mailbox), "Intake jongeren (12-25)");
  const auto after = hub.mailbox_of("caw");
  EXPECT_EQ(after.at("epoch"), before.at("epoch"));
  EXPECT_EQ(after.at("certificate"), before.at("certificate"));
  EXPECT_TRUE(after.at("accepting").as_bool());
}

TEST_F(MailboxRenameTest, UnsignedReplayedOrOtherOrganisationsRenamesAreRefused) {
  const auto mailbox = intake();
  const auto original = name_now(mailbox);

  // No signature: the admin TLS certificate alone does not rename.
  const auto unsigned_call = hub.call("caw", post(path_of(mailbox), body_of("Zonder")), true);
  EXPECT_EQ(unsigned_call.status, 403) << unsigned_call.body;
  EXPECT_NE(unsigned_call.body.find("admin-signature-invalid"), std::string::npos);

  // Signed with another organisation's key (the CLB's), sent by the CAW admin.
  const auto body = body_of("Vreemd");
  const auto statement =
      hub.admin_statement("caw", AdminAction::rename_mailbox, fixed_hex<16>(mailbox), body);
  const auto foreign_key = hub.call(
      "caw",
      post(DevHub::signed_path(path_of(mailbox), statement, hub.organisation_key("clb").signing),
           body),
      true);
  EXPECT_EQ(foreign_key.status, 403) << foreign_key.body;

  // Signed for another body: the body hash binds the name.
  const auto other_body = hub.call(
      "caw",
      post(DevHub::signed_path(path_of(mailbox), statement, hub.organisation_key("caw").signing),
           body_of("Iets anders")),
      true);
  EXPECT_EQ(other_body.status, 403) << other_body.body;

  // The CLB's admin, with its own organisation's valid signature, on the CAW's mailbox: the
  // mailbox looks missing to another organisation.
  const auto cross = hub.admin_call("clb", AdminAction::rename_mailbox, fixed_hex<16>(mailbox),
                                    path_of(mailbox), body);
  EXPECT_EQ(cross.status, 404) << cross.body;
  EXPECT_EQ(name_now(mailbox), original);

  // A staff device (no admin role) with the right key still may not.
  const auto staff = hub.call(
      "caw", post(DevHub::signed_path(path_of(mailbox),
                                      hub.admin_statement("caw", AdminAction::rename_mailbox,
                                                          fixed_hex<16>(mailbox), body),
                                      hub.organisation_key("caw").signing),
                  body));
  EXPECT_EQ(staff.status, 403) << staff.body;

  // A signed rename counts once.
  const auto once = hub.admin_statement("caw", AdminAction::rename_mailbox, fixed_hex<16>(mailbox),
                                        body_of("Eenmaal"));
  const auto request =
      post(DevHub::signed_path(path_of(mailbox), once, hub.organisation_key("caw").signing),
           body_of("Eenmaal"));
  ASSERT_EQ(hub.call("caw", request, true).status, 200);
  const auto replayed = hub.call("caw", request, true);
  EXPECT_EQ(replayed.status, 403) << replayed.body;
  EXPECT_NE(replayed.body.find("used already"), std::string::npos) << replayed.body;
  EXPECT_EQ(name_now(mailbox), "Eenmaal");
}

TEST_F(MailboxRenameTest, NamesOutsideTheirBoundsAreRefusedAndChangeNothing) {
  const auto mailbox = intake();
  const auto original = name_now(mailbox);
  for (const std::string& bad :
       {std::string(), std::string(201, 'a'), std::string("Intake\nTweede regel"),
        std::string("Intake \u202Egnikreb"), std::string("Intake\u2028")}) {
    const auto refused = rename(mailbox, bad);
    EXPECT_EQ(refused.status, 422) << bad.size() << ": " << refused.body;
    EXPECT_NE(refused.body.find("invalid-field"), std::string::npos) << refused.body;
    EXPECT_EQ(name_now(mailbox), original);
  }
  const auto missing = hub.admin_call("caw", AdminAction::rename_mailbox, fixed_hex<16>(mailbox),
                                      path_of(mailbox), "{}");
  EXPECT_EQ(missing.status, 400) << missing.body;
  // The bounds themselves are names: one byte and 200 bytes (multi-byte UTF-8 counts bytes).
  EXPECT_EQ(rename(mailbox, "I").status, 200);
  EXPECT_EQ(name_now(mailbox), "I");
  std::string longest;
  for (int i = 0; i < 100; ++i) {
    longest += "\u00e9";  // two bytes each
  }
  const auto at_bound = rename(mailbox, longest);
  EXPECT_EQ(at_bound.status, 200) << at_bound.body;
  EXPECT_EQ(name_now(mailbox), longest);
  EXPECT_EQ(rename(mailbox, longest + "e").status, 422);
}

}  // namespace
}  // namespace draaischijf::testing
