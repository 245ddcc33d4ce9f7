// The client-certificate matrix against the real hub process, with a PKI made by the operator's
// own commands (draaischijf-hub pki ...) plus the certificates no honest command makes: eleven
// kinds of client are refused before any handler runs, the valid one is served, and every
// refusal is logged with its reason. Then a revocation published while the hub runs takes
// effect without a restart.

#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using Clock = std::chrono::system_clock;

// Writes a client's files: its chain (leaf first) and its key.
void write_client(const fs::path& folder, EVP_PKEY* key, const std::vector<X509*>& chain) {
  fs::create_directories(folder);
  std::string pem;
  for (X509* certificate : chain) {
    pem += certs::certificate_to_pem(certificate);
  }
  ASSERT_TRUE(certs::write_file_atomically(folder / "device.pem", pem));
  ASSERT_TRUE(certs::write_private_key_file(key, (folder / "device.key").string()));
}

std::string random_org() { return protocol::to_hex(protocol::random_id()); }

class MtlsMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    pki = dir->path() / "pki";
    const std::string p = "--dir " + pki.string();
    hub_command("pki root " + p);
    hub_command("pki server " + p + " --name localhost --name 127.0.0.1");
    for (const auto& [org, name] : {std::pair{org_a, "A"},
                                    {org_missing_crl, "B"},
                                    {org_stale_crl, "C"},
                                    {org_unknown, "D"}}) {
      hub_command("pki org " + p + " --org-id " + org + " --name " + name);
    }
    const auto device = [&](const std::string& org, const std::string& out) {
      return hub_command("pki device " + p + " --org-id " + org +
                         " --org-type clb --role clb_onthaal --out " + (pki / out).string());
    };
    valid_device = device_id_in(device(org_a, "valid"));
    const std::string revoked = serial_in(device(org_a, "revoked"));
    // Typed as `openssl x509 -serial` prints it: upper case, with its prefix.
    std::string printed = revoked;
    std::transform(printed.begin(), printed.end(), printed.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    hub_command("pki revoke " + p + " --org-id " + org_a + " --serial serial=" + printed);
    const auto misspelt = hub_command("pki crl " + p + " --day 30", 2);
    EXPECT_NE(misspelt.find("has no option --day"), std::string::npos) << misspelt;
    device(org_missing_crl, "missing-crl");
    device(org_stale_crl, "expired-crl");
    device(org_unknown, "unknown-organisation");
    hub_command("pki crl " + p);
    fs::remove(pki / "crl" / (org_missing_crl + ".crl.pem"));
    auto stale = certs::Authority::load(pki / "orgs" / org_stale_crl).value();
    const auto now = Clock::now();
    ASSERT_TRUE(certs::write_file_atomically(
        pki / "crl" / (org_stale_crl + ".crl.pem"),
        certs::crl_to_pem(stale.next_crl({now - hours(48), now - hours(1)}).value().get())));
    make_unusual_clients();
    write_file(
        dir->path() / "hub.toml",
        view_of("[server]\nlisten_port = 0\ndata_dir = \"" + (dir->path() / "data").string() +
                "\"\nmetrics_devices = [\"" + valid_device + "\"]\n[tls]\ncertificate = \"" +
                (pki / "server.pem").string() + "\"\nprivate_key = \"" +
                (pki / "server.key").string() + "\"\nclient_ca = \"" +
                (pki / "root" / "ca.pem").string() + "\"\ncrl_dir = \"" + (pki / "crl").string() +
                "\"\ncrl_reload_seconds = 1\n"));
    const auto key = protocol::SigningKey::generate();
    for (const auto& org : {org_a, org_missing_crl, org_stale_crl}) {
      register_organisation(dir->path() / "hub.toml", org, "clb", "Test", key);
    }
    hub = new HubProcess(dir->path(), read_text(dir->path() / "hub.toml"));
  }
  static void TearDownTestSuite() {
    delete hub;
    delete dir;
  }

  static std::string read_text(const fs::path& path) {
    const auto bytes = read_file(path);
    return {bytes.begin(), bytes.end()};
  }

  // The clients that only a broken or hostile issuer makes.
  static void make_unusual_clients() {
    auto org = certs::Authority::load(pki / "orgs" / org_a).value();
    const auto now = Clock::now();
    const certs::DeviceIdentity identity{org_a, "clb", "clb_onthaal", random_org()};
    const auto key = certs::generate_p256_key().value();
    const auto expired =
        org.issue_device(key.get(), identity, {now - hours(48), now - hours(24)}).value();
    write_client(pki / "expired", key.get(), {expired.get(), org.certificate()});
    const auto future =
        org.issue_device(key.get(), identity, {now + hours(24), now + hours(48)}).value();
    write_client(pki / "not-yet-valid", key.get(), {future.get(), org.certificate()});
    const auto self_signed =
        certs::issue_device_certificate(key.get(), identity, nullptr, nullptr,
                                        certs::Validity::starting_now(hours(1)))
            .value();
    write_client(pki / "self-signed", key.get(), {self_signed.get()});
    const auto server_only =
        org.issue_server(key.get(), {"device.example"}, certs::Validity::starting_now(hours(1)))
            .value();
    write_client(pki / "server-auth-only", key.get(), {server_only.get(), org.certificate()});
    // root -> organisation CA -> a CA it may not make (pathlen 0) -> device: one level too deep.
    const auto sub_key = certs::generate_p256_key().value();
    const auto sub =
        certs::issue_organisation_ca(sub_key.get(), org_a, "sub", org.certificate(), org.key(),
                                     certs::Validity::starting_now(hours(1)))
            .value();
    const auto deep = certs::issue_device_certificate(key.get(), identity, sub.get(), sub_key.get(),
                                                      certs::Validity::starting_now(hours(1)))
                          .value();
    write_client(pki / "chain-too-deep", key.get(), {deep.get(), sub.get(), org.certificate()});
    // A whole foreign PKI with the same shape.
    auto foreign_root = certs::Authority::create_root(dir->path() / "foreign" / "root", "foreign",
                                                      certs::Validity::starting_now(hours(1)))
                            .value();
    auto foreign_org = certs::Authority::create_organisation(
                           dir->path() / "foreign" / "org", foreign_root, org_a, "foreign org",
                           certs::Validity::starting_now(hours(1)))
                           .value();
    const auto foreign =
        foreign_org.issue_device(key.get(), identity, certs::Validity::starting_now(hours(1)))
            .value();
    write_client(pki / "foreign-ca", key.get(), {foreign.get(), foreign_org.certificate()});
  }

  // One connection as `client` (a folder under the PKI; empty for no certificate) and one
  // request.
  static std::optional<HttpResponse> try_client(const std::string& client) {
    TlsClient connection(hub->port(), pki / "root" / "ca.pem",
                         client.empty() ? fs::path() : pki / client / "device.pem",
                         client.empty() ? fs::path() : pki / client / "device.key");
    return connection.exchange(get("/v1/organisations"));
  }

  static inline TempDir* dir = nullptr;
  static inline HubProcess* hub = nullptr;
  static inline fs::path pki;
  static inline std::string valid_device;  // may read /metrics
  static inline const std::string org_a = random_org();
  static inline const std::string org_missing_crl = random_org();
  static inline const std::string org_stale_crl = random_org();
  static inline const std::string org_unknown = random_org();
};

TEST_F(MtlsMatrixTest, ElevenKindsOfClientAreRefusedBeforeAnyHandlerAndTheValidOneIsServed) {
  const std::vector<std::string> refused = {
      "",  // no certificate
      "self-signed",
      "foreign-ca",
      "expired",
      "not-yet-valid",
      "revoked",
      "missing-crl",
      "expired-crl",
      "server-auth-only",
      "chain-too-deep",
  };
  for (const std::string& client : refused) {
    EXPECT_FALSE(try_client(client))
        << (client.empty() ? "no certificate" : client) << " got an HTTP answer";
  }
  // A valid chain of an organisation the directory does not know: told so, and nothing else.
  const auto unknown = try_client("unknown-organisation");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 403);
  EXPECT_NE(unknown->body.find("urn:draaischijf:problem:unknown-organisation"), std::string::npos);
  EXPECT_EQ(unknown->body.find("organisations\":"), std::string::npos);

  const auto valid = try_client("valid");
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 200) << valid->body;
  EXPECT_NE(valid->body.find(org_a), std::string::npos);

  // Every refusal is on record with its reason; no refused client got a request read.
  const std::string log = hub->log_text();
  std::size_t refusals = 0;
  for (std::size_t at = log.find("\"tls.refused\""); at != std::string::npos;
       at = log.find("\"tls.refused\"", at + 1)) {
    ++refusals;
  }
  EXPECT_EQ(refusals, 11U) << log;
  for (const std::string reason :
       {"certificate revoked", "unable to get certificate CRL", "CRL has expired",
        "certificate has expired", "certificate is not yet valid", "unsuitable certificate purpose",
        "path length constraint exceeded", "self-signed certificate",
        "unable to get local issuer certificate", "no acceptable client certificate",
        "unknown-organisation"}) {
    EXPECT_NE(log.find(reason), std::string::npos) << reason << " not logged in\n" << log;
  }
  TlsClient metrics(hub->port(), pki / "root" / "ca.pem", pki / "valid" / "device.pem",
                    pki / "valid" / "device.key");
  const auto text = metrics.exchange(get("/metrics"));
  ASSERT_TRUE(text);
  EXPECT_NE(text->body.find("draaischijf_requests_total 2\n"), std::string::npos) << text->body;
}

TEST_F(MtlsMatrixTest, ARevocationPublishedWhileRunningRefusesTheNextConnection) {
  auto org = certs::Authority::load(pki / "orgs" / org_a).value();
  const auto key = certs::generate_p256_key().value();
  const auto device = org.issue_device(key.get(), {org_a, "clb", "clb_onthaal", random_org()},
                                       certs::Validity::starting_now(hours(1)))
                          .value();
  write_client(pki / "soon-revoked", key.get(), {device.get(), org.certificate()});
  ASSERT_TRUE(try_client("soon-revoked"));
  hub_command("pki revoke --dir " + pki.string() + " --org-id " + org_a + " --serial " +
              certs::serial_hex(device.get()));
  hub_command("pki crl --dir " + pki.string());
  // The hub looks at tls.crl_dir every second here; the test waits for the refusal itself.
  EXPECT_TRUE(eventually([&] { return !try_client("soon-revoked"); }))
      << "the new CRL was not picked up";
  EXPECT_TRUE(try_client("valid")) << "the reload lost the valid clients";
}

// The development deployment re-issues its CRLs while running: CRLs about to expire are
// replaced at the next reload, and clients keep being served.
TEST(DevelopmentCrlTest, ARunningDevelopmentHubReissuesCrlsBeforeTheyExpire) {
  TempDir dir;
  HubProcess hub(dir.path(), "[server]\nlisten_port = 0\ndata_dir = \"" +
                                 (dir.path() / "data").string() +
                                 "\"\n[tls]\ncrl_reload_seconds = 1\n");
  const certs::PkiLayout layout{dir.path() / "data" / "dev-pki"};
  ASSERT_TRUE(certs::publish_crls(layout, std::chrono::hours(1)));
  const auto next_update_beyond = [&](std::chrono::hours ahead) {
    auto text = certs::read_text_file(layout.crl_dir() / "root.crl.pem");
    auto crl = text ? certs::crl_from_pem(*text) : certs::Result<certs::CrlPtr>(text.error());
    if (!crl) {
      return false;
    }
    std::time_t at = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
    return X509_cmp_time(X509_CRL_get0_nextUpdate(crl->get()), &at) > 0;
  };
  ASSERT_FALSE(next_update_beyond(std::chrono::hours(2)));
  // The reload every second finds them about to expire and re-issues them: wait for the file.
  EXPECT_TRUE(eventually([&] { return next_update_beyond(std::chrono::hours(24 * 6)); }))
      << "the CRLs were not re-issued while the hub ran";
  TlsClient client(hub.port(), layout.root_certificate(), layout.dir / "clb" / "device.pem",
                   layout.dir / "clb" / "device.key");
  const auto health = client.exchange(get("/healthz"));
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
