// SIGHUP to the real hub process, configured as in production (its PKI from the operator's
// pki commands, an operator-signed rule set): a revocation published since the last look and a
// newly signed rule set take effect without a restart (and a new purge interval), the connections
// open stay open, and a rule set that does not verify is refused while the hub goes on with the one
// in force.

#include <csignal>
#include <cstdlib>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFirstVersion = "version = 2026.12.1";

// The bundled rule set under another version line, as an operator publishes a new one.
std::string rules_with_version(std::string_view version) {
  std::string text(policies::bundled_rule_text());
  const auto at = text.find(kFirstVersion);
  EXPECT_NE(at, std::string::npos) << "the bundled rule set changed its version line";
  return text.replace(at, kFirstVersion.size(), "version = " + std::string(version));
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string p = "--dir " + pki.string();
    hub_command("pki root " + p);
    hub_command("pki server " + p + " --name localhost --name 127.0.0.1");
    hub_command("pki org " + p + " --org-id " + org + " --name A");
    const auto device = [&](const std::string& out) {
      return hub_command("pki device " + p + " --org-id " + org +
                         " --org-type clb --role clb_onthaal --out " + (pki / out).string());
    };
    const std::string operator_device = device_id_in(device("operator"));
    staff_serial = serial_in(device("staff"));
    hub_command("pki crl " + p);
    hub_command("policy keygen --out " + policy_dir.string());
    publish_rules("2026.12.1");
    // The periodic CRL reload is a day away: only SIGHUP can bring a change in during the test.
    const std::string config =
        "[server]\nlisten_port = 0\ndata_dir = \"" + (dir.path() / "data").string() +
        "\"\nmetrics_devices = [\"" + operator_device + "\"]\n[tls]\ncertificate = \"" +
        (pki / "server.pem").string() + "\"\nprivate_key = \"" + (pki / "server.key").string() +
        "\"\nclient_ca = \"" + (pki / "root" / "ca.pem").string() + "\"\ncrl_dir = \"" +
        (pki / "crl").string() + "\"\ncrl_reload_seconds = 86400\n[policy]\nrules_file = \"" +
        rules.string() + "\"\nsignature_file = \"" + rules.string() +
        ".sig\"\noperator_key_file = \"" + (policy_dir / "policy-signing.pub").string() + "\"\n";
    write_file(dir.path() / "hub.toml", view_of(config));
    config_text = config;
    register_organisation(dir.path() / "hub.toml", org, "clb", "A",
                          protocol::SigningKey::generate());
    hub = std::make_unique<HubProcess>(dir.path(), config);
  }

  // Writes the rule file with `version` and signs it with the operator key.
  void publish_rules(std::string_view version) {
    write_file(rules, view_of(rules_with_version(version)));
    hub_command("policy sign --key " + (policy_dir / "policy-signing.key").string() + " " +
                rules.string());
  }

  // SIGHUP, then waits until the hub has finished its `nth` reload.
  void reload(std::size_t nth) {
    hub->send_signal(SIGHUP);
    ASSERT_TRUE(hub->wait_for_event("reload.finished", nth)) << hub->log_text();
  }

  std::unique_ptr<TlsClient> client(const std::string& who) const {
    return std::make_unique<TlsClient>(hub->port(), pki / "root" / "ca.pem",
                                       pki / who / "device.pem", pki / who / "device.key");
  }
  std::optional<HttpResponse> call(const std::string& who, const std::string& target) const {
    return client(who)->exchange(get(target));
  }
  std::string version_in_force() const {
    const auto answer = call("operator", "/v1/policy");
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? std::string(boost::json::parse(answer->body).at("version").as_string()) : "";
  }

  // One request on a connection that stays open, and whether it got a 200.
  static bool served_keep_alive(TlsClient& connection) {
    return connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n") &&
           connection.read_some().rfind("HTTP/1.1 200", 0) == 0;
  }

  TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path policy_dir = dir.path() / "operator";
  fs::path rules = dir.path() / "flemish-clb.rules";
  std::string org = protocol::to_hex(protocol::random_id());
  std::string staff_serial;
  std::string config_text;  // hub.toml as the hub started with it
  std::unique_ptr<HubProcess> hub;
};

// The serial (hex) of the certificate the hub presents to a new connection, as a device with
// the certificate in `device_folder` sees it; empty when the handshake fails.
std::string presented_server_serial(std::uint16_t port, const fs::path& root,
                                    const fs::path& device_folder) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(context, root.c_str(), nullptr);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_use_certificate_chain_file(context, (device_folder / "device.pem").c_str());
  SSL_CTX_use_PrivateKey_file(context, (device_folder / "device.key").c_str(), SSL_FILETYPE_PEM);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  std::string serial;
  SSL* ssl = SSL_new(context);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "localhost");
    X509* peer = SSL_connect(ssl) == 1 ? SSL_get1_peer_certificate(ssl) : nullptr;
    if (peer != nullptr) {
      BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr);
      char* text = number != nullptr ? BN_bn2hex(number) : nullptr;
      serial = text != nullptr ? text : "";
      OPENSSL_free(text);
      BN_free(number);
      X509_free(peer);
    }
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(context);
  return serial;
}

TEST_F(ReloadTest, SighupBringsInARevocationAndKeepsOpenConnections) {
  auto open = client("operator");
  ASSERT_TRUE(served_keep_alive(*open));
  ASSERT_TRUE(call("staff", "/v1/organisations"));
  hub_command("pki revoke --dir " + pki.string() + " --org-id " + org + " --serial " +
              staff_serial);
  hub_command("pki crl --dir " + pki.string());
  // Published, but not looked at yet: without the reload the device is still served.
  ASSERT_TRUE(call("staff", "/v1/organisations")) << "the CRL was read without a reload";
  reload(1);
  EXPECT_FALSE(call("staff", "/v1/organisations")) << "the revoked device is still served";
  EXPECT_TRUE(call("operator", "/v1/organisations")) << "the reload lost the valid devices";
  EXPECT_TRUE(served_keep_alive(*open)) << "the reload dropped an open connection";
  EXPECT_EQ(hub->count_events("crl.reload_failed"), 0U) << hub->log_text();
}

TEST_F(ReloadTest, SighupBringsInANewlySignedRuleSetAndRefusesOneThatDoesNotVerify) {
  auto open = client("operator");
  ASSERT_TRUE(served_keep_alive(*open));
  EXPECT_EQ(version_in_force(), "2026.12.1");
  publish_rules("2026.12.2");
  EXPECT_EQ(version_in_force(), "2026.12.1") << "the rule set changed without a reload";
  reload(1);
  EXPECT_EQ(version_in_force(), "2026.12.2");
  EXPECT_EQ(hub->count_events("policy.reloaded"), 1U) << hub->log_text();

  // Edited after signing: the signature no longer holds, the signed rule set stays in force.
  write_file(rules, view_of(rules_with_version("2026.12.3")));
  reload(2);
  EXPECT_EQ(version_in_force(), "2026.12.2") << "an unverified rule set was put in force";
  EXPECT_EQ(hub->count_events("policy.reload_failed"), 1U) << hub->log_text();
  EXPECT_TRUE(served_keep_alive(*open)) << "the refused reload dropped an open connection";
  const auto metrics = call("operator", "/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("draaischijf_policy_reloads_failed_total 1\n"), std::string::npos)
      << metrics->body;

  // A missing signature file is refused the same way, and a good one is taken again after it.
  fs::remove(rules.string() + ".sig");
  reload(3);
  EXPECT_EQ(version_in_force(), "2026.12.2");
  EXPECT_EQ(hub->count_events("policy.reload_failed"), 2U);
  publish_rules("2026.12.4");
  reload(4);
  EXPECT_EQ(version_in_force(), "2026.12.4");
}

// A reload that cannot read the CRLs fails closed: the CRLs in force stay, so a revoked device
// stays refused and the others are served; each failure is logged and counted. A file that is
// not a CRL fails the reload rather than being skipped: skipping the organisation CA's CRL would
// refuse every device of the organisation, with nothing said of why.
TEST_F(ReloadTest, ABrokenCrlOnReloadKeepsTheRevocationsInForce) {
  hub_command("pki revoke --dir " + pki.string() + " --org-id " + org + " --serial " +
              staff_serial);
  hub_command("pki crl --dir " + pki.string());
  reload(1);
  ASSERT_FALSE(call("staff", "/v1/organisations")) << "the revoked device is served";
  const auto still_in_force = [&](std::size_t failures) {
    EXPECT_EQ(hub->count_events("crl.reload_failed"), failures) << hub->log_text();
    EXPECT_FALSE(call("staff", "/v1/organisations")) << "a revoked device got in";
    EXPECT_TRUE(call("operator", "/v1/organisations")) << "the CRLs in force were dropped";
  };
  const std::string not_a_crl = "-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n";

  // The organisation CA's CRL cut short, as an interrupted copy leaves it.
  const auto org_crl = pki / "crl" / (org + ".crl.pem");
  const auto org_text = read_file(org_crl);
  ASSERT_GT(org_text.size(), 100U);
  write_file(org_crl, std::span(org_text).first(org_text.size() / 2));
  reload(2);
  still_in_force(1);
  // Every CRL file replaced by something that is not a CRL.
  std::size_t broken = 0;
  for (const auto& entry : fs::directory_iterator(pki / "crl")) {
    write_file(entry.path(), view_of(not_a_crl));
    ++broken;
  }
  ASSERT_GE(broken, 2U);
  reload(3);
  still_in_force(2);
  // No CRL file left at all.
  for (const auto& entry : fs::directory_iterator(pki / "crl")) {
    fs::remove(entry.path());
  }
  reload(4);
  still_in_force(3);
  const auto metrics = call("operator", "/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("draaischijf_crl_reloads_failed_total 3\n"), std::string::npos)
      << metrics->body;
}

// The operator renews the server certificate (`pki server` again) and reloads: new handshakes
// get the new one, open connections keep theirs. A key that does not match its certificate is
// refused whole, and the certificate in force stays.
TEST_F(ReloadTest, SighupSwapsTheServerCertificateAndRefusesAKeyThatDoesNotMatch) {
  const auto root = pki / "root" / "ca.pem";
  const auto first = presented_server_serial(hub->port(), root, pki / "operator");
  ASSERT_FALSE(first.empty());
  auto open = client("operator");
  ASSERT_TRUE(served_keep_alive(*open));
  hub_command("pki server --dir " + pki.string() + " --name localhost --name 127.0.0.1");
  EXPECT_EQ(presented_server_serial(hub->port(), root, pki / "operator"), first)
      << "the certificate changed without a reload";
  reload(1);
  const auto second = presented_server_serial(hub->port(), root, pki / "operator");
  EXPECT_FALSE(second.empty());
  EXPECT_NE(second, first) << hub->log_text();
  EXPECT_EQ(hub->count_events("tls.reloaded"), 1U) << hub->log_text();
  EXPECT_TRUE(served_keep_alive(*open)) << "the reload dropped an open connection";

  // A third certificate beside the second one's key: the pair does not match.
  const auto kept_key = read_file(pki / "server.key");
  hub_command("pki server --dir " + pki.string() + " --name localhost --name 127.0.0.1");
  fs::remove(pki / "server.key");
  write_file(pki / "server.key", kept_key);
  reload(2);
  EXPECT_EQ(hub->count_events("tls.reload_failed"), 1U) << hub->log_text();
  EXPECT_EQ(presented_server_serial(hub->port(), root, pki / "operator"), second);
  const auto metrics = call("operator", "/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("draaischijf_tls_reloads_failed_total 1\n"), std::string::npos)
      << metrics->body;
}

// [retention] is read again from the configuration file; a file with an error changes nothing
// and says so.
TEST_F(ReloadTest, SighupAppliesTheRetentionSettingsOfTheConfigurationFile) {
  write_file(dir.path() / "hub.toml",
             view_of(config_text + "[retention]\ndelivered_days = 2\nunfetched_days = 9\n"));
  reload(1);
  EXPECT_EQ(hub->count_events("retention.reloaded"), 1U) << hub->log_text();
  const auto log = hub->log_text();
  EXPECT_NE(log.find("\"delivered_days\":2,\"unfetched_days\":9"), std::string::npos) << log;

  write_file(dir.path() / "hub.toml", view_of(config_text + "[retention]\ndelivered_days = -1\n"));
  reload(2);
  EXPECT_EQ(hub->count_events("config.reload_failed"), 1U) << hub->log_text();
  EXPECT_EQ(hub->count_events("retention.reloaded"), 1U) << "a broken file was applied";
  EXPECT_NE(hub->log_text().find("retention.delivered_days"), std::string::npos);
}

// The purge interval is the purge loop's own, on its strand: a reload hands it the new one and
// the next pass comes after the new interval, not after the old one (here the default, 600 s).
TEST_F(ReloadTest, SighupAppliesANewPurgeIntervalToTheNextPass) {
  const auto passes = [&] {
    const auto metrics = call("operator", "/metrics");
    constexpr std::string_view kName = "\ndraaischijf_retention_passes_total ";
    const auto at = metrics ? metrics->body.find(kName) : std::string::npos;
    return at == std::string::npos ? -1 : std::atoi(metrics->body.c_str() + at + kName.size());
  };
  ASSERT_TRUE(eventually([&] { return passes() == 1; })) << "the pass at start";
  write_file(dir.path() / "hub.toml",
             view_of(config_text + "[retention]\npurge_interval_seconds = 1\n"));
  reload(1);
  EXPECT_NE(hub->log_text().find("\"purge_interval_seconds\":1"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return passes() >= 3; })) << "passes: " << passes();
}

}  // namespace
}  // namespace draaischijf::testing
