// An organisation admin's staff and mailbox work with the draaischijf CLI against the real hub
// process: a second device of a person says whose it is and the admin sees that claim against
// the organisation's own certificates before approving (one staff id and one role per person);
// a mailbox is renamed, signed with the organisation key, and partners see the new name.

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

class StaffCliTest : public CliScenario {
 protected:
  std::string intake_name() {
    const auto listing = clb.json_of({"directory", orgs["caw"]});
    return text_of(listing.as_array().at(0), "name");
  }
};

TEST_F(StaffCliTest, ASecondDeviceClaimsItsPersonAndIsCertifiedAsThatPerson) {
  const auto me = caw.json_of({"whoami"});
  const auto person = text_of(me, "person");
  const auto role = text_of(me, "role");
  ASSERT_EQ(person.size(), 32U);
  EXPECT_NE(caw({"whoami"}).out.find("person        " + person), std::string::npos);

  Cli laptop{dir.path(), "caw-laptop"};
  const auto certified = certify(laptop, "caw", role, {}, person);

  // The admin sees the claim, checked against the organisation's certificates.
  const auto pending = caw_admin.json_of({"admin", "pending"}).as_array();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(text_of(pending[0], "claimed_person"), person);
  EXPECT_EQ(text_of(pending[0], "claimed_person_role"), role);
  EXPECT_EQ(pending[0].as_object().at("claimed_person_devices").to_number<std::int64_t>(), 1);
  const auto listed = caw_admin({"admin", "pending"});
  EXPECT_NE(listed.out.find("claims person " + person + " (" + role + ", 1 device(s))"),
            std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("--person " + person), std::string::npos) << listed.out;

  // Certifying the claimed person's device as somebody new is refused by the hub.
  const auto as_new = caw_admin({"admin", "approve", certified.device_id, "--fingerprint",
                                 certified.fingerprint, "--new-person"});
  EXPECT_EQ(as_new.exit, 1) << as_new.err;
  EXPECT_NE(as_new.err.find("Person has another staff id or role"), std::string::npos)
      << as_new.err;

  const auto approved = caw_admin({"admin", "approve", certified.device_id, "--fingerprint",
                                   certified.fingerprint, "--person", person});
  ASSERT_EQ(approved.exit, 0) << approved.err;
  EXPECT_EQ(text_of(laptop.json_of({"whoami"}), "person"), person);
}

TEST_F(StaffCliTest, AClaimOfNobodyEnrolledIsShownAsSuch) {
  Cli desk{dir.path(), "caw-desk"};
  const std::string nobody(32, 'a');
  const auto role = text_of(caw.json_of({"whoami"}), "role");
  certify(desk, "caw", role, {}, nobody);
  const auto listed = caw_admin({"admin", "pending"});
  EXPECT_NE(listed.out.find("claims person " + nobody + ", whom no enrolled device has"),
            std::string::npos)
      << listed.out;
  const auto pending = caw_admin.json_of({"admin", "pending"}).as_array();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(pending[0].as_object().at("claimed_person_devices").to_number<std::int64_t>(), 0);
  EXPECT_EQ(desk({"enrol", "finish", "--certificate", "x.pem", "--person", "Jan"}).exit, 2);
}

TEST_F(StaffCliTest, TheAdminRenamesAMailboxAndPartnersSeeTheNewName) {
  const auto renamed =
      caw_admin({"admin", "rename-mailbox", intake, "--name", "Intake jongeren (12-25)"});
  ASSERT_EQ(renamed.exit, 0) << renamed.err;
  EXPECT_NE(renamed.out.find("is now named Intake jongeren (12-25)"), std::string::npos);
  EXPECT_EQ(intake_name(), "Intake jongeren (12-25)");

  // A name that would rewrite the terminal is not even signed; one too long the hub refuses.
  const auto unsafe = caw_admin({"admin", "rename-mailbox", intake, "--name", "Intake\u202Eabc"});
  EXPECT_EQ(unsafe.exit, 4) << unsafe.err;
  const auto too_long =
      caw_admin({"admin", "rename-mailbox", intake, "--name", std::string(201, 'x')});
  EXPECT_EQ(too_long.exit, 1) << too_long.err;
  EXPECT_NE(too_long.err.find("Invalid field"), std::string::npos) << too_long.err;
  // Another organisation's admin cannot rename it; a staff device is no admin.
  EXPECT_NE(clb_admin({"admin", "rename-mailbox", intake, "--name", "Overgenomen"}).exit, 0);
  EXPECT_NE(caw({"admin", "rename-mailbox", intake, "--name", "Overgenomen"}).exit, 0);
  EXPECT_EQ(caw_admin({"admin", "rename-mailbox", intake}).exit, 2);
  EXPECT_EQ(intake_name(), "Intake jongeren (12-25)");
}

}  // namespace
}  // namespace draaischijf::testing
