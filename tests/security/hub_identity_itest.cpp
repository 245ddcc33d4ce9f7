// Who the hub lets in and what it keeps on record, with a PKI made by the operator's own
// commands: a device certificate without the clientAuth extended key usage is refused, refusals
// name the peer and the certificate (serial and subject only), refused accesses are logged and
// counted, /metrics is for the operator's devices only, and an expired CRL is reported at start.

#include <cstdio>

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "eventually.hpp"
#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

std::string random_hex() { return protocol::to_hex(protocol::random_id()); }

// The whole log line around position `at`.
std::string line_at(const std::string& log, std::size_t at) {
  const auto start = log.rfind('\n', at);
  const auto begin = start == std::string::npos ? 0 : start + 1;
  return log.substr(begin, log.find('\n', at) - begin);
}

class HubIdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    pki = dir->path() / "pki";
    const std::string p = "--dir " + pki.string();
    hub_command("pki root " + p);
    hub_command("pki server " + p + " --name localhost --name 127.0.0.1");
    for (const auto& org : {org_a, org_b, org_stale}) {
      hub_command("pki org " + p + " --org-id " + org + " --name Org");
    }
    for (const auto& [org, folder, device] : {std::tuple{org_a, "a", device_a},
                                              {org_b, "b", device_b},
                                              {org_a, "operator", operator_}}) {
      hub_command("pki device " + p + " --org-id " + org + " --org-type clb --role clb_onthaal" +
                  " --device-id " + device + " --out " + (pki / folder).string());
    }
    hub_command("pki crl " + p);
    make_client_without_eku();
    auto stale = certs::Authority::load(pki / "orgs" / org_stale).value();
    const auto now = std::chrono::system_clock::now();
    EXPECT_TRUE(certs::write_file_atomically(
        pki / "crl" / (org_stale + ".crl.pem"),
        certs::crl_to_pem(stale.next_crl({now - hours(48), now - hours(1)}).value().get())));
    const auto config = dir->path() / "hub.toml";
    write_file(config,
               view_of("[server]\nlisten_port = 0\ndata_dir = \"" +
                       (dir->path() / "data").string() + "\"\nmetrics_devices = [\"" + operator_ +
                       "\"]\n[tls]\ncertificate = \"" + (pki / "server.pem").string() +
                       "\"\nprivate_key = \"" + (pki / "server.key").string() +
                       "\"\nclient_ca = \"" + (pki / "root" / "ca.pem").string() +
                       "\"\ncrl_dir = \"" + (pki / "crl").string() + "\"\n"));
    const auto key = protocol::SigningKey::generate();
    for (const auto& org : {org_a, org_b}) {
      register_organisation(config, org, "clb", "Test", key);
    }
    std::ifstream in(config);
    std::ostringstream text;
    text << in.rdbuf();
    hub = new HubProcess(dir->path(), text.str());
  }
  static void TearDownTestSuite() {
    delete hub;
    delete dir;
  }

  // A device certificate of organisation A like any other, but without extendedKeyUsage:
  // OpenSSL's clientAuth purpose check alone lets it pass.
  static void make_client_without_eku() {
    auto org = certs::Authority::load(pki / "orgs" / org_a).value();
    const auto key = certs::generate_p256_key().value();
    auto device = org.issue_device(key.get(), {org_a, "clb", "clb_onthaal", random_hex()},
                                   certs::Validity::starting_now(hours(1)))
                      .value();
    X509_EXTENSION_free(
        X509_delete_ext(device.get(), X509_get_ext_by_NID(device.get(), NID_ext_key_usage, -1)));
    ASSERT_GT(X509_sign(device.get(), org.key(), EVP_sha256()), 0);
    no_eku_serial = certs::serial_hex(device.get());
    fs::create_directories(pki / "no-eku");
    ASSERT_TRUE(certs::write_file_atomically(
        pki / "no-eku" / "device.pem",
        certs::certificate_to_pem(device.get()) + certs::certificate_to_pem(org.certificate())));
    ASSERT_TRUE(certs::write_private_key_file(key.get(), (pki / "no-eku" / "device.key").string()));
  }

  static std::optional<HttpResponse> as(const std::string& folder, const std::string& request) {
    TlsClient client(hub->port(), pki / "root" / "ca.pem",
                     folder.empty() ? fs::path() : pki / folder / "device.pem",
                     folder.empty() ? fs::path() : pki / folder / "device.key");
    return client.exchange(request);
  }

  static inline TempDir* dir = nullptr;
  static inline HubProcess* hub = nullptr;
  static inline fs::path pki;
  static inline std::string no_eku_serial;
  static inline const std::string org_a = random_hex();
  static inline const std::string org_b = random_hex();
  static inline const std::string org_stale = random_hex();
  static inline const std::string device_a = random_hex();
  static inline const std::string device_b = random_hex();
  static inline const std::string operator_ = random_hex();
};

TEST_F(HubIdentityTest, ADeviceCertificateWithoutClientAuthEkuIsRefused) {
  EXPECT_FALSE(as("no-eku", get("/v1/organisations"))) << "served without clientAuth";
  const auto valid = as("a", get("/v1/organisations"));
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 200);
  const std::string log = hub->log_text();
  EXPECT_NE(log.find("clientAuth extended key usage"), std::string::npos) << log;
  // The refusal names the peer and the certificate it presented, serial and subject.
  EXPECT_NE(log.find("\"serial\":\"" + no_eku_serial + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"subject\":\"/CN=device "), std::string::npos) << log;
}

TEST_F(HubIdentityTest, TlsRefusalsNameThePeerAddress) {
  EXPECT_FALSE(as("", get("/healthz")));
  // The client sees the handshake fail before the hub has written its line: wait for it.
  std::string log;
  ASSERT_TRUE(eventually([&] {
    log = hub->log_text();
    return log.find("no acceptable client certificate") != std::string::npos;
  })) << log;
  const auto at = log.find("no acceptable client certificate");
  const std::string line = line_at(log, at);
  EXPECT_NE(line.find("\"peer\":\"127.0.0.1\""), std::string::npos) << line;
}

TEST_F(HubIdentityTest, RefusedAccessIsLoggedAndCounted) {
  // Organisation B asks for organisation A's device and for an admin route.
  const auto device = as("b", get("/v1/devices/" + device_a));
  ASSERT_TRUE(device);
  EXPECT_EQ(device->status, 404);
  const auto admin = as("b", get("/v1/enrolments"));
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 403);
  const std::string log = hub->log_text();
  EXPECT_NE(log.find("\"event\":\"access.refused\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"route\":\"/v1/devices/{device_id}\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"route\":\"/v1/enrolments\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"device_id\":\"" + device_b + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"org_id\":\"" + org_b + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"status\":404"), std::string::npos) << log;
  const auto metrics = as("operator", get("/metrics"));
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("draaischijf_access_refused_total "), std::string::npos);
  EXPECT_EQ(metrics->body.find("draaischijf_access_refused_total 0\n"), std::string::npos);
}

TEST_F(HubIdentityTest, MetricsAreForTheOperatorsDevicesOnly) {
  for (const std::string folder : {"a", "b"}) {
    const auto refused = as(folder, get("/metrics"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << folder;
    EXPECT_EQ(refused->body.find("draaischijf_requests_total"), std::string::npos);
  }
  const auto allowed = as("operator", get("/metrics"));
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  EXPECT_NE(allowed->body.find("draaischijf_requests_total"), std::string::npos);
}

TEST_F(HubIdentityTest, AnExpiredCrlIsReportedAtStart) {
  const std::string log = hub->log_text();
  const auto at = log.find("\"event\":\"crl.expired\"");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string line = line_at(log, at);
  EXPECT_NE(line.find(org_stale + ".crl.pem"), std::string::npos) << line;
  EXPECT_NE(line.find("\"level\":\"error\""), std::string::npos) << line;
  EXPECT_EQ(log.find(org_a + ".crl.pem"), std::string::npos) << "a fresh CRL was reported";
}

}  // namespace
}  // namespace draaischijf::testing
