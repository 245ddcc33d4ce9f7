// The client's side of the directory log's newer entries, against the real hub process behind the
// lying stand-in (integration/tampering_hub.hpp): a device certificate the client relies on is
// used only with an inclusion proof of its kind 4 entry, as organisation keys and epochs are (a
// certificate the organisation's key really signed but the hub never logged is refused); the
// organisation admin's monitor lists the rule set the hub enforces (kind 7) and alerts on a
// revocation of its organisation's certificates (kind 6), which an admin can acknowledge, while
// another organisation's monitor does not see it.

#include <algorithm>
#include <csignal>

#include <gtest/gtest.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/client/client.hpp>
#include <draaischijf/client/transparency.hpp>
#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/merkle.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

class DirectoryLogClient : public TamperingTest {
 protected:
  [[nodiscard]] fs::path pki() const { return dir.path() / "data" / "dev-pki"; }

  // An organisation's admin device as a client (it holds the organisation key).
  Client admin_of(const std::string& slug) {
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    const auto folder = dir.path() / (slug + "-admin");
    EXPECT_TRUE(client::import_dev_device(pki() / slug / "admin", folder, settings, unlock));
    return Client::open(client::Profile::open(folder).value(), unlock).value();
  }

  [[nodiscard]] std::size_t proofs_by_hash() const {
    return static_cast<std::size_t>(std::count_if(
        requested.begin(), requested.end(),
        [](const std::string& t) { return t.starts_with("/v1/log/directory/proof/by-hash"); }));
  }

  std::vector<std::string> requested;
};

TEST_F(DirectoryLogClient, ADeviceCertificateSignedByTheOrganisationButNotLoggedIsNotUsed) {
  const Id own = device->device().device_id;
  const std::string target = "/v1/devices/" + protocol::to_hex(own);
  *tamper = [&](std::string_view t, HubReply&) { requested.emplace_back(t); };

  // As the hub logged it: proved once, then remembered.
  ASSERT_TRUE(device->directory().device_certificate(own));
  const auto proved = proofs_by_hash();
  EXPECT_GE(proved, 1U) << "a device certificate was used without its inclusion proof";
  ASSERT_TRUE(device->directory().device_certificate(own));
  EXPECT_EQ(proofs_by_hash(), proved) << "a proved certificate is proved again";

  // The same device with another encryption key, signed by the organisation's own key (a hub
  // holding a stolen organisation key, or a rogue admin's approval the hub did not log).
  const auto key = dev_organisation_key(pki(), "clb");
  const auto attacker = protocol::age::X25519Identity::generate();
  *tamper = [&](std::string_view t, HubReply& reply) {
    requested.emplace_back(t);
    if (t != target) {
      return;
    }
    rewrite(reply, [&](json::object& o) {
      auto certificate = protocol::parse_device_certificate(b64(o, "certificate")).value();
      certificate.encryption_key = attacker.public_key();
      o["certificate"] =
          protocol::base64_encode(protocol::encode(protocol::issue(certificate, key)));
      o["encryption_key"] = protocol::base64_encode(attacker.public_key());
    });
  };
  const auto shown = device->directory().device_certificate(own);
  ASSERT_FALSE(shown) << "a device certificate the directory log does not hold was used";
  EXPECT_EQ(shown.error(), make_error_code(client_errc::not_in_log)) << shown.error().message();
}

TEST_F(DirectoryLogClient, AMessageSignedByADeviceTheLogDoesNotHoldOpensFlagged) {
  auto school = open_school();
  const auto certificate = school.directory().device_certificate(school.device().device_id);
  ASSERT_TRUE(certificate) << certificate.error().message();
  const auto leaf = protocol::merkle::leaf_hash(
      protocol::device_certificate_entry(protocol::encode(*certificate)));
  const std::string hidden = "/v1/log/directory/proof/by-hash?hash=" + protocol::to_hex(leaf);
  const auto asked_for_the_school_device = [&] {
    return std::count_if(requested.begin(), requested.end(),
                         [&](const std::string& t) { return t.starts_with(hidden); });
  };
  const auto clb_receives = [&](std::string_view text) {
    EXPECT_TRUE(school.send(school_note(text)));
    const auto synced = device->sync();
    EXPECT_TRUE(synced) << synced.error().message();
    EXPECT_EQ(synced ? synced->arrived.size() : 0U, 1U);
    return synced && synced->arrived.size() == 1 ? synced->arrived[0] : client::InboxEntry{};
  };
  const auto flagged = [](const client::InboxEntry& e) {
    return std::find(e.flags.begin(), e.flags.end(), "sender_not_in_log") != e.flags.end();
  };

  // The hub hides the school's device from the directory log: no proof for its certificate.
  *tamper = [&](std::string_view t, HubReply& reply) {
    requested.emplace_back(t);
    if (t.starts_with(hidden)) {
      reply = {404, "application/problem+json", R"({"status":404,"title":"not found"})", 0};
    }
  };
  const auto hidden_sender = clb_receives("Van een toestel dat de log niet toont.");
  EXPECT_EQ(hidden_sender.problem, "") << "the content is the school's: it opens";
  EXPECT_TRUE(flagged(hidden_sender)) << "a device the log does not hold went unnoticed";
  EXPECT_GE(asked_for_the_school_device(), 1);

  // The honest hub proves it: not flagged, and proved once for every later message.
  *tamper = [&](std::string_view t, HubReply&) { requested.emplace_back(t); };
  const auto asked_before = asked_for_the_school_device();
  EXPECT_FALSE(flagged(clb_receives("Nu toont de hub het toestel wel.")));
  const auto asked_once_more = asked_for_the_school_device();
  EXPECT_GT(asked_once_more, asked_before) << "a flagged device was taken as proved";
  EXPECT_FALSE(flagged(clb_receives("Een derde bericht.")));
  EXPECT_EQ(asked_for_the_school_device(), asked_once_more) << "a proved device is proved again";
}

TEST_F(DirectoryLogClient, TheMonitorListsTheRuleSetAndAlertsOnARevocationItsAdminCanAcknowledge) {
  auto clb = admin_of("clb");
  client::Transparency clb_monitor(clb.session());
  auto first = clb_monitor.monitor();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->not_understood, 0U);
  const auto rule_set = std::find_if(first->entries.begin(), first->entries.end(),
                                     [](const auto& e) { return e.kind == "rule_set"; });
  ASSERT_NE(rule_set, first->entries.end()) << "the rule set in force is not listed";
  EXPECT_FALSE(rule_set->alert);
  EXPECT_NE(rule_set->detail.find("version "), std::string::npos) << rule_set->detail;

  // The operator revokes the CLB's staff device certificate; the hub reads the CRLs at SIGHUP.
  const Id org = device->device().org_id;
  const auto pem = certs::read_text_file(pki() / "clb" / "device.pem").value();
  const auto certificate = certs::certificate_from_pem(pem).value();
  const std::string serial = certs::serial_hex(certificate.get());
  const certs::PkiLayout layout{pki()};
  auto authority = certs::Authority::load(layout.organisation(protocol::to_hex(org))).value();
  ASSERT_TRUE(authority.revoke(serial, std::chrono::system_clock::now()));
  ASSERT_TRUE(certs::publish_crls(layout, std::chrono::hours(24)));
  hub.send_signal(SIGHUP);
  ASSERT_TRUE(hub.wait_for_event("reload.finished", 1)) << hub.log_text();

  auto second = clb_monitor.monitor();
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_EQ(second->entries.size(), 1U);
  const auto& revoked = second->entries.front();
  EXPECT_EQ(revoked.kind, "certificate_revoked");
  EXPECT_EQ(revoked.subject, org);
  EXPECT_NE(revoked.fingerprint.find(serial.substr(serial.find_first_not_of('0'))),
            std::string::npos)
      << revoked.fingerprint << " for serial " << serial;
  EXPECT_TRUE(revoked.alert) << "a revocation this organisation did not acknowledge";
  EXPECT_EQ(second->alerts(), 1U);

  // The admin checked it with the operator: it can be acknowledged; a rule set cannot (it is
  // never an alert, and nothing of another kind is made right by a person's word).
  EXPECT_TRUE(clb_monitor.acknowledge({revoked.index}));
  EXPECT_FALSE(clb_monitor.acknowledge({rule_set->index}));

  // Another organisation's monitor lists the rule set, and not the CLB's revocation.
  auto caw_admin = admin_of("caw");
  auto caw_report = client::Transparency(caw_admin.session()).monitor();
  ASSERT_TRUE(caw_report) << caw_report.error().message();
  EXPECT_EQ(std::count_if(caw_report->entries.begin(), caw_report->entries.end(),
                          [](const auto& e) { return e.kind == "rule_set"; }),
            1);
  for (const auto& e : caw_report->entries) {
    EXPECT_NE(e.kind, "certificate_revoked");
  }
}

}  // namespace
}  // namespace draaischijf::testing
