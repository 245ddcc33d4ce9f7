// A removed device holds its mailboxes until they are rotated to an epoch without it (server
// README, "Invariants"). An admin who rotates and keeps the removed device in the new epoch is
// refused with `members-invalid` (422; the detail: a member is not an enrolled device), and the
// mailbox stays as it was: the same epoch, not accepting, held for a rotation, and envelopes to
// it refused. The same rotation without the removed device is taken, so only the removed member
// was at fault.

#include <gtest/gtest.h>

#include "epoch_rotation.hpp"
#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

// The mailbox as the hub serves it to any device.
json::object mailbox_state(DevHub& hub, const std::string& mailbox) {
  return hub.json("clb", get("/v1/mailboxes/" + mailbox));
}

TEST(RotationRemovedMemberTest, ARotationThatKeepsARemovedDeviceIsRefusedAndTheMailboxStaysHeld) {
  TempDir dir;
  DevHub hub{dir.path()};
  const auto caw = hub.organisation_key("caw");
  const auto staff = hub.keys("caw");
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const auto epoch0 = hub.epoch_of(intake);
  const auto epoch0_keys = hub.json("caw", get("/v1/mailboxes/" + mailbox + "/epochs/0"));
  const auto seed0 =
      protocol::open_seed_box(b64(epoch0_keys.at("seed_box")), staff.encryption, epoch0).value();

  // A second intake worker joins the intake in epoch 1, then leaves the organisation.
  const auto leaver = enrol_device(hub, dir.path(), "caw", "partner_intake");
  const auto seed1 = protocol::EpochSeed::random();
  const auto joined = hub.rotate_mailbox(
      "caw", mailbox,
      json::serialize(next_epoch(epoch0, seed0, seed1,
                                 {{staff.device_id, staff.encryption.public_key()},
                                  {leaver.device_id, leaver.encryption.public_key()}},
                                 caw.signing)));
  ASSERT_EQ(joined.status, 200) << joined.body;
  const auto epoch1 = hub.epoch_of(json::parse(joined.body).as_object());
  ASSERT_EQ(hub.remove_device("caw", leaver.device_id).status, 200);
  const auto held = mailbox_state(hub, mailbox);
  ASSERT_FALSE(held.at("accepting").as_bool());
  ASSERT_EQ(held.at("held").as_string(), "rotation-needed");

  // The next epoch keeps the removed device.
  const auto kept = hub.rotate_mailbox(
      "caw", mailbox,
      json::serialize(next_epoch(epoch1, seed1, protocol::EpochSeed::random(),
                                 {{staff.device_id, staff.encryption.public_key()},
                                  {leaver.device_id, leaver.encryption.public_key()}},
                                 caw.signing)));
  EXPECT_EQ(kept.status, 422) << kept.body;
  EXPECT_EQ(problem_slug(kept), "members-invalid") << kept.body;
  EXPECT_NE(kept.body.find("a member is not an enrolled device of the organisation"),
            std::string::npos)
      << kept.body;
  const auto after = mailbox_state(hub, mailbox);
  EXPECT_EQ(after.at("epoch").as_int64(), 1) << json::serialize(after);
  EXPECT_FALSE(after.at("accepting").as_bool()) << json::serialize(after);
  EXPECT_EQ(after.at("held").as_string(), "rotation-needed") << json::serialize(after);
  EXPECT_EQ(after.at("certificate"), held.at("certificate")) << "the epoch changed";
  const auto refused = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch1}, "voor de intake"))));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(problem_slug(refused), "mailbox-held") << refused.body;

  // Without it, the rotation is taken and the mailbox accepts again.
  const auto without = hub.rotate_mailbox(
      "caw", mailbox,
      json::serialize(next_epoch(epoch1, seed1, protocol::EpochSeed::random(),
                                 {{staff.device_id, staff.encryption.public_key()}}, caw.signing)));
  ASSERT_EQ(without.status, 200) << without.body;
  const auto open = mailbox_state(hub, mailbox);
  EXPECT_EQ(open.at("epoch").as_int64(), 2);
  EXPECT_TRUE(open.at("accepting").as_bool()) << json::serialize(open);
}

}  // namespace
}  // namespace draaischijf::testing
