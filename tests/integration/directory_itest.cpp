// The directory through the real hub: a new CAW device asks to be enrolled, the CAW's admin
// approves it with the organisation key (a certificate signed by any other key is refused),
// the admin rotates the intake mailbox to take the device in (senders holding the old epoch get
// 409 with the current certificate), the new device reads and walks the seed chain back, and
// removing the device refuses it at once and holds the mailbox until it is rotated without it.

#include <gtest/gtest.h>

#include <draaischijf/certs/authority.hpp>

#include "dev_hub.hpp"
#include "epoch_rotation.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    caw = std::make_unique<server::DevOrganisationKey>(hub.organisation_key("caw"));
    auto ca = certs::Authority::load(hub.pki / "orgs" / hex(caw->org_id)).value();
    const auto key = certs::generate_p256_key().value();
    const auto certificate =
        ca.issue_device(key.get(), {hex(caw->org_id), "caw", "partner_intake", hex(device_id)},
                        certs::Validity::starting_now(std::chrono::hours(1)))
            .value();
    folder = dir / "new-device";
    std::filesystem::create_directories(folder);
    write_file(folder / "device.pem", view_of(certs::certificate_to_pem(certificate.get()) +
                                              certs::certificate_to_pem(ca.certificate())));
    ASSERT_TRUE(certs::write_private_key_file(key.get(), (folder / "device.key").string()));
  }

  HttpResponse as_new_device(const std::string& request) {
    TlsClient client(hub.port(), hub.pki / "root.pem", folder / "device.pem",
                     folder / "device.key");
    return client.exchange(request).value_or(HttpResponse{});
  }

  EpochSeed seed_of(const std::string& slug, const std::string& mailbox, std::uint32_t epoch,
                    const MailboxEpochCertificate& certificate) {
    auto keys =
        hub.json(slug, get("/v1/mailboxes/" + mailbox + "/epochs/" + std::to_string(epoch)));
    return open_seed_box(b64(keys.at("seed_box")), hub.keys(slug).encryption, certificate).value();
  }

  TempDir dir;
  DevHub hub{dir.path()};
  std::unique_ptr<server::DevOrganisationKey> caw;
  Id device_id = random_id();
  std::filesystem::path folder;
  SigningKey device_signing = SigningKey::generate();
  age::X25519Identity device_encryption = age::X25519Identity::generate();
  Id staff_id = random_id();
};

TEST_F(DirectoryTest, EnrolRotateReadAndRemove) {
  // Not enrolled yet: it may not send, and it is told how to fix that.
  const auto early = as_new_device(post("/v1/envelopes", "x"));
  EXPECT_EQ(early.status, 403);
  EXPECT_NE(early.body.find("device-not-enrolled"), std::string::npos);

  const json::object request{{"signing_key", base64_encode(device_signing.public_key())},
                             {"encryption_key", base64_encode(device_encryption.public_key())},
                             {"staff_id", hex(staff_id)}};
  const auto requested = as_new_device(post("/v1/enrolments", json::serialize(request)));
  ASSERT_EQ(requested.status, 202) << requested.body;
  EXPECT_EQ(hub.call("caw", get("/v1/enrolments")).status, 403) << "staff may not approve";
  const auto pending = hub.json("caw", get("/v1/enrolments"), true);
  ASSERT_EQ(pending.at("enrolments").as_array().size(), 1U);
  EXPECT_EQ(pending.at("enrolments").as_array()[0].at("device_id").as_string(), hex(device_id));
  EXPECT_EQ(hub.call("clb", get("/v1/devices/" + hex(device_id))).status, 404)
      << "another organisation's enrolment request is not shown";

  DeviceCertificate certificate;
  certificate.org_id = caw->org_id;
  certificate.org_type = OrgType::caw;
  certificate.device_id = device_id;
  certificate.staff_id = staff_id;
  certificate.role = StaffRole::partner_intake;
  certificate.signing_key = device_signing.public_key();
  certificate.encryption_key = device_encryption.public_key();
  certificate.not_after = ~std::uint64_t{0};
  const std::string approve = "/v1/enrolments/" + hex(device_id) + "/approve";
  const auto forged = hub.call(
      "caw", post(approve, text_of(encode(issue(certificate, SigningKey::generate())))), true);
  EXPECT_EQ(forged.status, 422);
  EXPECT_NE(forged.body.find("certificate-invalid"), std::string::npos);
  const auto approved =
      hub.call("caw", post(approve, text_of(encode(issue(certificate, caw->signing)))), true);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(json::parse(approved.body).at("state").as_string(), "enrolled");
  EXPECT_EQ(hub.call("caw", post(approve, text_of(encode(issue(certificate, caw->signing)))), true)
                .status,
            409)
      << "approving twice";

  // Take the device into the intake: epoch 0 -> 1. The intake serves partner_intake, the role
  // the new device is certified with (a device of another role is refused: EpochFunctionTest).
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const auto epoch0 = hub.epoch_of(intake);
  const auto seed0 = seed_of("caw", mailbox, 0, epoch0);
  const auto staff = hub.keys("caw");
  const auto seed1 = EpochSeed::random();
  const auto bad =
      next_epoch(epoch0, seed0, seed1, {{staff.device_id, staff.encryption.public_key()}},
                 SigningKey::generate());
  EXPECT_EQ(hub.rotate_mailbox("caw", mailbox, json::serialize(bad)).status, 422)
      << "an epoch not signed by the organisation";
  const auto rotation = next_epoch(epoch0, seed0, seed1,
                                   {{staff.device_id, staff.encryption.public_key()},
                                    {device_id, device_encryption.public_key()}},
                                   caw->signing);
  const auto rotated = hub.rotate_mailbox("caw", mailbox, json::serialize(rotation));
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(json::parse(rotated.body).at("epoch").as_int64(), 1);

  // A sender still holding epoch 0 gets 409 with the current certificate and seals again.
  const auto stale = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch0}, "voor het CAW"))));
  ASSERT_EQ(stale.status, 409);
  const auto problem = json::parse(stale.body).as_object();
  EXPECT_EQ(problem.at("type").as_string(), "urn:draaischijf:problem:stale-epoch");
  const auto epoch1 = hub.epoch_of(problem.at("mailbox").as_object());
  EXPECT_EQ(epoch1.epoch, 1U);
  const auto resent = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch1}, "voor het CAW"))));
  ASSERT_EQ(resent.status, 201) << resent.body;
  const auto sequence = json::parse(resent.body).at("sequence").as_int64();

  // The new device reads it with its own keys, and can walk back to epoch 0.
  const auto keys = json::parse(as_new_device(get("/v1/mailboxes/" + mailbox + "/epochs/1")).body);
  const auto seed = open_seed_box(b64(keys.at("seed_box")), device_encryption, epoch1);
  ASSERT_TRUE(seed);
  const auto back = open_previous_seed(b64(keys.at("previous_seed_box")), *seed, epoch1, epoch0);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->ct_equal(seed0));
  const auto fetched =
      as_new_device(get("/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence)));
  ASSERT_EQ(fetched.status, 200);
  MailboxKeyring keyring;
  keyring.add(epoch1.mailbox_id, 1, mailbox_identity(*seed));
  TrustStore trust;
  trust.add(hub.org_id("clb"), hub.organisation_key("clb").signing.public_key());
  EXPECT_TRUE(open(bytes_of(fetched.body), keyring, trust));

  // Removal: refused at once, on a connection it already has too, and nothing more is sealed
  // to a key it holds.
  TlsClient kept(hub.port(), hub.pki / "root.pem", folder / "device.pem", folder / "device.key");
  const std::string keep_alive = "GET /v1/organisations HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_TRUE(kept.send(keep_alive));
  ASSERT_EQ(kept.read_some().rfind("HTTP/1.1 200", 0), 0U);
  const auto removed = hub.remove_device("caw", device_id);
  ASSERT_EQ(removed.status, 200) << removed.body;
  ASSERT_TRUE(kept.send(keep_alive));
  const std::string answer = kept.read_some();
  EXPECT_EQ(answer.rfind("HTTP/1.1 403", 0), 0U) << answer;
  EXPECT_NE(answer.find("device-removed"), std::string::npos);
  EXPECT_TRUE(kept.closed_by_peer());
  const auto refused = as_new_device(get("/v1/organisations"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("device-removed"), std::string::npos);
  const auto held = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {epoch1}, "nog een bericht"))));
  EXPECT_EQ(held.status, 409);
  EXPECT_NE(held.body.find("mailbox-held"), std::string::npos);
  const auto seed2 = EpochSeed::random();
  const auto without = next_epoch(epoch1, *seed, seed2,
                                  {{staff.device_id, staff.encryption.public_key()}}, caw->signing);
  const auto rerotated = hub.rotate_mailbox("caw", mailbox, json::serialize(without));
  ASSERT_EQ(rerotated.status, 200) << rerotated.body;
  const auto epoch2 = hub.epoch_of(json::parse(rerotated.body).as_object());
  EXPECT_TRUE(json::parse(rerotated.body).at("accepting").as_bool());
  EXPECT_EQ(hub.call("clb", post("/v1/envelopes",
                                 text_of(hub.seal_from("clb", {epoch2}, "nog een bericht"))))
                .status,
            201);
}

TEST_F(DirectoryTest, AnEpochWhoseMembersDoNotMatchItsHashIsRefused) {
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const auto epoch0 = hub.epoch_of(intake);
  const auto seed0 = seed_of("caw", mailbox, 0, epoch0);
  const auto staff = hub.keys("caw");
  auto rotation = next_epoch(epoch0, seed0, EpochSeed::random(),
                             {{staff.device_id, staff.encryption.public_key()}}, caw->signing);
  // The certificate names one member; the request lists the admin too.
  const auto admin = hub.keys("caw", true);
  rotation["members"].as_array().push_back(
      {{"device_id", hex(admin.device_id)},
       {"seed_box", rotation["members"].as_array()[0].at("seed_box")}});
  const auto response = hub.rotate_mailbox("caw", mailbox, json::serialize(rotation));
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(response.body.find("members-invalid"), std::string::npos);
  EXPECT_EQ(hub.mailbox_of("caw").at("epoch").as_int64(), 0) << "nothing changed";
}

}  // namespace
}  // namespace draaischijf::testing
