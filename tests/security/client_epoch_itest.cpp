// The mailbox-epoch certificate v2 on the client's side: the pre-check judges a recipient by
// the function its organisation signed, not by the mailbox's name; an admin's client refuses
// members whose role does not fit the function; and an epoch past its window, offered by a hub
// (with a removed device still in it, say), is never sealed to nor listed as open.

#include <ctime>

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

// An organisation's signing key from the development deployment's organisation.keys (these
// tests do not link the hub's library that reads it).
protocol::SigningKey dev_organisation_key(const fs::path& folder) {
  const auto bytes = read_file(folder / "organisation.keys");
  const std::string text(bytes.begin(), bytes.end());
  const auto at = text.find("signing_seed ") + std::string_view("signing_seed ").size();
  const auto seed = protocol::hex_decode(text.substr(at, 64)).value();
  return protocol::SigningKey::from_seed(
      protocol::SecretKey<32>::copy_of(std::span(seed).first<32>()));
}

class ClientEpochTest : public TamperingTest {
 protected:
  // The CLB's admin device, as a client of the real hub.
  Client open_admin() {
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    EXPECT_TRUE(client::import_dev_device(dir.path() / "data" / "dev-pki" / "clb" / "admin",
                                          dir.path() / "clb-admin", settings, unlock));
    return Client::open(client::Profile::open(dir.path() / "clb-admin").value(), unlock).value();
  }
  bool envelope_posted() const {
    return std::any_of(posted->begin(), posted->end(),
                       [](const std::string& t) { return is_envelope_submission(t); });
  }
};

TEST_F(ClientEpochTest, ThePreCheckTakesTheRecipientRoleFromTheCertificateNotTheName) {
  ASSERT_TRUE(device->policy_check_status().value().enabled) << "the test needs the pre-check";
  // A mailbox named after the psychologist, certified for the onthaal (whose device is in it).
  auto admin = open_admin();
  const auto misnamed = admin.administration().create_mailbox(
      "clb_psycholoog", protocol::StaffRole::clb_onthaal, {device->device().device_id});
  ASSERT_TRUE(misnamed) << misnamed.error().message();
  // Onthaal to a psychologist is R02's team sharing; onthaal to onthaal is not.
  client::Composition letter = letter_to_intake(protocol::MessageKind::consultatie,
                                                protocol::DataCategory::psychisch_sociaal,
                                                "Ouders belden over het gesprek.");
  letter.recipients = {*misnamed};
  letter.consent_reference = {};
  posted->clear();
  const auto sent = device->send(std::move(letter));
  ASSERT_FALSE(sent) << "the mailbox's name decided its role";
  EXPECT_EQ(sent.error(), make_error_code(client_errc::policy_refused));
  EXPECT_FALSE(envelope_posted()) << "the pre-check let it through to the hub";
}

TEST_F(ClientEpochTest, AnAdminsClientRefusesMembersWhoseRoleDoesNotFitTheFunction) {
  auto admin = open_admin();
  const auto org = device->device().org_id;
  const auto before = device->mailboxes(org).value().size();
  const auto refused = admin.administration().create_mailbox(
      "Team", protocol::StaffRole::clb_psycholoog, {device->device().device_id});
  ASSERT_FALSE(refused) << "an onthaal device was put in a psychologist's mailbox";
  EXPECT_EQ(refused.error(), make_error_code(client_errc::member_role_mismatch));
  EXPECT_EQ(device->mailboxes(org).value().size(), before) << "something was created";
  // The function is kept on rotation, and still checked.
  const auto general =
      admin.administration().create_mailbox("Algemeen", std::nullopt, {device->device().device_id});
  ASSERT_TRUE(general) << general.error().message();
  const auto listed = device->mailboxes(org).value();
  const auto created = std::find_if(listed.begin(), listed.end(),
                                    [&](const auto& m) { return m.mailbox_id == *general; });
  ASSERT_NE(created, listed.end());
  EXPECT_FALSE(created->function);
  EXPECT_GT(created->valid_until, static_cast<std::uint64_t>(std::time(nullptr)) + 80 * 86400);
}

TEST_F(ClientEpochTest, AnExpiredEpochOfferedByTheHubIsNotSealedTo) {
  // The CAW's genuine intake epoch, re-signed by the CAW with a window that ended yesterday: what
  // a hub could keep offering after the CAW removed a device and rotated.
  const auto caw_key = dev_organisation_key(dir.path() / "data" / "dev-pki" / "caw");
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == "/v1/mailboxes/" + protocol::to_hex(intake)) {
      rewrite(reply, [&](json::object& o) {
        auto certificate = protocol::parse_epoch_certificate(b64(o, "certificate")).value();
        certificate.not_before = now - 2 * 86400;
        certificate.not_after = now - 86400;
        certificate = protocol::issue(certificate, caw_key);
        o["certificate"] = protocol::base64_encode(protocol::encode(certificate));
      });
    }
  };
  posted->clear();
  const auto sent =
      device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                    protocol::DataCategory::psychisch_sociaal, "vertrouwelijk"));
  ASSERT_FALSE(sent) << "sealed to an expired epoch";
  // The re-signed certificate is one the directory log never held, and the client proves an
  // epoch's inclusion before it seals to it, so that refusal comes first; protocol::seal's own
  // epoch_expired for a logged epoch past its window is in envelope_test.cpp.
  EXPECT_EQ(sent.error(), make_error_code(client_errc::not_in_log));
  EXPECT_FALSE(envelope_posted());
}

TEST_F(ClientEpochTest, AnExpiredEpochListedAsOpenIsNotShown) {
  const auto caw_key = dev_organisation_key(dir.path() / "data" / "dev-pki" / "caw");
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  ASSERT_TRUE(device->mailboxes(caw).value().at(0).accepting);
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == "/v1/organisations/" + protocol::to_hex(caw) + "/mailboxes") {
      rewrite(reply, [&](json::object& o) {
        for (auto& item : o.at("mailboxes").as_array()) {
          auto& m = item.as_object();
          auto certificate = protocol::parse_epoch_certificate(b64(m, "certificate")).value();
          certificate.not_before = now - 2 * 86400;
          certificate.not_after = now - 86400;
          certificate = protocol::issue(certificate, caw_key);
          m["certificate"] = protocol::base64_encode(protocol::encode(certificate));
          m["accepting"] = true;
        }
      });
    }
  };
  // Certificates the directory log never held are not shown at all (the client proves each
  // listed epoch's inclusion before it uses it): the re-signed window never reaches the list.
  const auto listed = device->mailboxes(caw);
  ASSERT_FALSE(listed) << "a listing with certificates the log does not hold was shown";
  EXPECT_EQ(listed.error(), make_error_code(client_errc::not_in_log));
}

}  // namespace
}  // namespace draaischijf::testing
