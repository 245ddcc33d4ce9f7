// One person, one staff id, one role (docs/PROTOCOL.md 4: the staff id is the person's) against
// the real hub process: an admin cannot certify a person's second device with another role, nor
// certify a device that claimed to be an enrolled person as somebody new; the claim travels
// with the enrolment request and is what `GET /v1/enrolments` shows the admin.

#include <gtest/gtest.h>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using protocol::Id;

class PersonEnrolmentTest : public ::testing::Test {
 protected:
  // The CLB admin certifies the pending `device` for the person `staff_id` with the role its
  // TLS certificate names.
  HttpResponse approve_as(ExtraDevice& device, const Id& staff_id) {
    protocol::DeviceCertificate& c = device.certificate;
    c.device_id = device.device_id;
    c.staff_id = staff_id;
    c.signing_key = device.signing.public_key();
    c.encryption_key = device.encryption.public_key();
    c.not_after = ~std::uint64_t{0};
    c = protocol::issue(c, hub.organisation_key("clb").signing);
    return hub.call(
        "clb",
        post("/v1/enrolments/" + hex(device.device_id) + "/approve", text_of(protocol::encode(c))),
        true);
  }
  std::string state_of(const ExtraDevice& device) {
    return std::string(hub.json("clb", get("/v1/devices/" + hex(device.device_id)), true)
                           .at("state")
                           .as_string()
                           .subview());
  }
  // A new device of the CLB with `role` that asks to be enrolled claiming to be `person`: it
  // asks first without a claim, then again with one (which replaces the claim).
  ExtraDevice claiming(const std::string& role, const Id& person) {
    ExtraDevice device = request_enrolment(hub, dir.path(), "clb", role);
    const boost::json::object again{
        {"signing_key", protocol::base64_encode(device.signing.public_key())},
        {"encryption_key", protocol::base64_encode(device.encryption.public_key())},
        {"claimed_staff_id", hex(person)}};
    const auto asked = call_as(hub, device, post("/v1/enrolments", boost::json::serialize(again)));
    EXPECT_EQ(asked.status, 202) << asked.body;
    return device;
  }
  // The pending request for `device` as the admin lists it.
  boost::json::object pending_entry(const ExtraDevice& device) {
    const auto listing = hub.json("clb", get("/v1/enrolments"), true);
    for (const auto& item : listing.at("enrolments").as_array()) {
      if (item.at("device_id").as_string() == hex(device.device_id)) {
        return item.as_object();
      }
    }
    ADD_FAILURE() << "not pending: " << hex(device.device_id);
    return {};
  }

  TempDir dir;
  DevHub hub{dir.path()};
  ExtraDevice social_worker = enrol_device(hub, dir.path(), "clb", "clb_maatschappelijk_werker");
};

TEST_F(PersonEnrolmentTest, APersonsSecondDeviceKeepsThePersonsRole) {
  // The worst case four-eyes knows: the social worker's second device certified as the arts.
  auto arts_device = request_enrolment(hub, dir.path(), "clb", "clb_arts");
  const auto refused = approve_as(arts_device, social_worker.staff_id);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(problem_slug(refused), "person-conflict");
  EXPECT_NE(refused.body.find("another role"), std::string::npos) << refused.body;
  EXPECT_EQ(state_of(arts_device), "pending");

  // As a new person it may be the arts; the person's second device with their own role is fine.
  EXPECT_EQ(approve_as(arts_device, protocol::random_id()).status, 200);
  const auto second = enrol_device(hub, dir.path(), "clb", "clb_maatschappelijk_werker",
                                   ~std::uint64_t{0}, social_worker.staff_id);
  EXPECT_EQ(second.certificate.staff_id, social_worker.staff_id);
}

TEST_F(PersonEnrolmentTest, ADeviceThatClaimsAnEnrolledPersonIsCertifiedAsThatPersonOnly) {
  auto laptop = claiming("clb_maatschappelijk_werker", social_worker.staff_id);
  // The admin sees whom the device claims to be, beside its keys and role.
  const auto entry = pending_entry(laptop);
  EXPECT_EQ(entry.at("claimed_staff_id").as_string(), hex(social_worker.staff_id));
  EXPECT_EQ(entry.at("role").as_string(), "clb_maatschappelijk_werker");
  EXPECT_FALSE(entry.contains("staff_id"));

  // Certifying it as somebody new would give one human two staff ids.
  const auto refused = approve_as(laptop, protocol::random_id());
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(problem_slug(refused), "person-conflict");
  EXPECT_NE(refused.body.find("another staff id"), std::string::npos) << refused.body;
  EXPECT_EQ(state_of(laptop), "pending");

  const auto approved = approve_as(laptop, social_worker.staff_id);
  ASSERT_EQ(approved.status, 200) << approved.body;
  const auto device = hub.json("clb", get("/v1/devices/" + hex(laptop.device_id)));
  EXPECT_EQ(device.at("staff_id").as_string(), hex(social_worker.staff_id));
  EXPECT_FALSE(device.contains("claimed_staff_id"));
}

TEST_F(PersonEnrolmentTest, AClaimOfNobodyEnrolledBindsNothingAndAskingAgainReplacesIt) {
  const Id nobody = protocol::random_id();
  auto device = claiming("clb_psycholoog", nobody);
  EXPECT_EQ(pending_entry(device).at("claimed_staff_id").as_string(), hex(nobody));

  // Asked again with the same keys: the claim is replaced (here: taken back).
  const boost::json::object again{
      {"signing_key", protocol::base64_encode(device.signing.public_key())},
      {"encryption_key", protocol::base64_encode(device.encryption.public_key())}};
  EXPECT_EQ(call_as(hub, device, post("/v1/enrolments", boost::json::serialize(again))).status,
            202);
  EXPECT_FALSE(pending_entry(device).contains("claimed_staff_id"));

  // A claim that is no id is refused as such.
  auto malformed = again;
  malformed["claimed_staff_id"] = "Jan Peeters";
  const auto refused =
      call_as(hub, device, post("/v1/enrolments", boost::json::serialize(malformed)));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("claimed_staff_id"), std::string::npos) << refused.body;

  // A claim of a staff id no enrolled device holds does not stop a new person.
  auto other = claiming("clb_psycholoog", protocol::random_id());
  EXPECT_EQ(approve_as(other, protocol::random_id()).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
