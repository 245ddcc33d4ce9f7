// The mapping of a client certificate to a caller (server/README.md, "Connections") at the real
// hub process, for the certificates that pass the TLS layer (the hub's root, an organisation CA
// it knows, unrevoked, in time, clientAuth) and still do not stand for the caller they name:
// a device of one organisation issued by another organisation's CA, an organisation type the
// directory does not record, a device id another organisation owns, and a device certificate
// without the Draaischijf SAN URIs. Each is refused, logged with its reason (and nothing of the
// certificate beyond its serial and subject) and counted in
// draaischijf_tls_handshakes_failed_total; the same certificate with the one fault mended is
// served, so the refusal is the mapping's and nothing else's.

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/authority.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The sample line (the HELP and TYPE lines before it name the metric too).
constexpr std::string_view kFailedHandshakes = "\ndraaischijf_tls_handshakes_failed_total ";

class IdentityMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // /metrics is for the operator's devices: the CLB's staff device reads it here.
    hub.restart(metrics_devices_line({hub.device_folder("clb")}));
  }

  [[nodiscard]] certs::Authority ca_of(const std::string& slug) const {
    return certs::Authority::load(hub.pki / "orgs" / hex(hub.org_id(slug))).value();
  }

  // A device certificate for `identity` issued by the CA of `issuer`, and its key.
  struct Issued {
    certs::KeyPtr key;
    certs::CertificatePtr certificate;
  };
  [[nodiscard]] Issued issue(const std::string& issuer,
                             const certs::DeviceIdentity& identity) const {
    auto key = certs::generate_p256_key().value();
    auto certificate =
        ca_of(issuer)
            .issue_device(key.get(), identity, certs::Validity::starting_now(std::chrono::hours(1)))
            .value();
    return {std::move(key), std::move(certificate)};
  }

  // Writes the client `name`: the device certificate, then the CA of `issuer`, and the key.
  fs::path write_client(const std::string& name, const Issued& issued, const std::string& issuer) {
    const fs::path folder = dir.path() / "clients" / name;
    fs::create_directories(folder);
    write_file(folder / "device.pem",
               view_of(certs::certificate_to_pem(issued.certificate.get()) +
                       certs::certificate_to_pem(ca_of(issuer).certificate())));
    EXPECT_TRUE(certs::write_private_key_file(issued.key.get(), (folder / "device.key").string()));
    return folder;
  }

  // One request on a fresh connection as the client in `folder`.
  std::optional<HttpResponse> as(const fs::path& folder, const std::string& request) {
    TlsClient client(hub.port(), hub.pki / "root.pem", folder / "device.pem",
                     folder / "device.key");
    return client.exchange(request);
  }

  // The handshake-failure counter as /metrics reports it.
  std::uint64_t failed_handshakes() {
    const auto metrics = hub.call("clb", get("/metrics"));
    EXPECT_EQ(metrics.status, 200) << metrics.body;
    const auto at = metrics.body.find(kFailedHandshakes);
    EXPECT_NE(at, std::string::npos) << metrics.body;
    return at == std::string::npos
               ? 0
               : std::stoull(metrics.body.substr(at + kFailedHandshakes.size()));
  }

  // The `tls.refused` lines of the log so far.
  std::vector<json::object> refusals() {
    std::vector<json::object> lines;
    std::istringstream log(hub.process().log_text());
    for (std::string line; std::getline(log, line);) {
      boost::system::error_code ec;
      auto value = json::parse(line, ec);
      if (!ec && value.is_object() && value.as_object().contains("event") &&
          value.as_object().at("event") == json::value("tls.refused")) {
        lines.push_back(value.as_object());
      }
    }
    return lines;
  }

  // Connects once as `folder` and checks the refusal: the answer (none, or a problem of
  // `problem` with 403 before any request is read), one more handshake failure counted, and
  // exactly one more `tls.refused` line, with `reason`, naming the certificate by serial and
  // subject only.
  void expect_refused(const fs::path& folder, std::string_view reason,
                      const std::optional<std::string>& problem, X509* certificate) {
    const auto counted = failed_handshakes();
    const auto logged = refusals().size();
    const auto answer = as(folder, get("/v1/organisations"));
    if (problem) {
      ASSERT_TRUE(answer) << reason << ": no answer";
      EXPECT_EQ(answer->status, 403) << answer->body;
      EXPECT_NE(answer->body.find("urn:draaischijf:problem:" + *problem), std::string::npos)
          << answer->body;
      EXPECT_EQ(answer->body.find("\"organisations\""), std::string::npos) << "served anyway";
    } else {
      EXPECT_FALSE(answer) << reason << ": got an HTTP answer " << answer->status << " "
                           << answer->body;
    }
    EXPECT_EQ(failed_handshakes(), counted + 1) << reason << ": not counted";
    const auto lines = refusals();
    ASSERT_EQ(lines.size(), logged + 1) << reason << ": not logged once\n"
                                        << hub.process().log_text();
    const json::object& line = lines.back();
    EXPECT_EQ(line.at("reason"), json::value(reason)) << json::serialize(line);
    EXPECT_EQ(line.at("peer"), json::value("127.0.0.1")) << json::serialize(line);
    EXPECT_EQ(line.at("serial"), json::value(certs::serial_hex(certificate)))
        << json::serialize(line);
    // Fixed words, the peer and the certificate's serial and subject: nothing else of it.
    for (const auto& field : line) {
      EXPECT_TRUE(field.key() == "ts" || field.key() == "level" || field.key() == "event" ||
                  field.key() == "reason" || field.key() == "peer" || field.key() == "serial" ||
                  field.key() == "subject")
          << "the refusal logs " << field.key();
    }
    const std::string text = json::serialize(line);
    for (const std::string secret : {"PRIVATE", "BEGIN", "urn:draaischijf"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " logged: " << text;
    }
  }

  // A valid identity of `slug`'s staff role for a new device id.
  [[nodiscard]] certs::DeviceIdentity identity_of(const std::string& slug,
                                                  const std::string& role) const {
    return {hex(hub.org_id(slug)), slug, role, hex(protocol::random_id())};
  }

  // The client is served: the request reached a handler.
  void expect_served(const fs::path& folder) {
    const auto answer = as(folder, get("/v1/organisations"));
    ASSERT_TRUE(answer) << folder;
    EXPECT_EQ(answer->status, 200) << answer->body;
  }

  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(IdentityMappingTest, TheOrganisationCaMustNameTheCertificatesOrganisation) {
  // The CLB's CA certifies a school device: the CA does not speak for the school.
  const auto identity = identity_of("school", "school_leerkracht");
  const Issued forged = issue("clb", identity);
  expect_refused(write_client("by-another-ca", forged, "clb"),
                 "organisation CA does not speak for the certificate's organisation", std::nullopt,
                 forged.certificate.get());
  // The school's own CA certifying the same identity is served.
  expect_served(write_client("by-own-ca", issue("school", identity), "school"));
}

TEST_F(IdentityMappingTest, TheOrganisationTypeMustBeTheOneTheDirectoryRecords) {
  // The CLB's CA certifies a CLB device as if the CLB were a school.
  auto identity = identity_of("clb", "school_leerkracht");
  identity.org_type = "school";
  const Issued typed = issue("clb", identity);
  expect_refused(write_client("wrong-type", typed, "clb"), "unknown-organisation",
                 "unknown-organisation", typed.certificate.get());
  expect_served(write_client("right-type", issue("clb", identity_of("clb", "clb_onthaal")), "clb"));
}

TEST_F(IdentityMappingTest, ADeviceIdAnotherOrganisationOwnsIsRefused) {
  // The CLB's CA certifies a CLB device under the id of the school's enrolled staff device.
  auto identity = identity_of("clb", "clb_onthaal");
  identity.device_id = hex(hub.keys("school").device_id);
  const Issued taken = issue("clb", identity);
  expect_refused(write_client("taken-id", taken, "clb"), "device-removed", "device-removed",
                 taken.certificate.get());
  // The school's own device is still served under that id.
  const auto own = hub.call("school", get("/v1/organisations"));
  EXPECT_EQ(own.status, 200) << own.body;
}

TEST_F(IdentityMappingTest, ADeviceCertificateWithoutTheSanUrisIsRefused) {
  const auto ca = ca_of("clb");
  const auto identity = identity_of("clb", "clb_onthaal");
  const auto resign = [&](X509* certificate) {
    ASSERT_GT(X509_sign(certificate, ca.key(), EVP_sha256()), 0);
  };
  // No subjectAltName at all.
  Issued bare = issue("clb", identity);
  X509_EXTENSION_free(
      X509_delete_ext(bare.certificate.get(),
                      X509_get_ext_by_NID(bare.certificate.get(), NID_subject_alt_name, -1)));
  resign(bare.certificate.get());
  expect_refused(write_client("no-san", bare, "clb"),
                 "certificate does not name a Draaischijf device", std::nullopt,
                 bare.certificate.get());
  // Three of the four URIs: the device URI is left out.
  Issued partial = issue("clb", identity);
  X509* certificate = partial.certificate.get();
  X509_EXTENSION_free(
      X509_delete_ext(certificate, X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1)));
  const std::string uris = "URI:urn:draaischijf:org:" + identity.org_id +
                           ",URI:urn:draaischijf:org-type:clb,URI:urn:draaischijf:role:clb_onthaal";
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, uris.c_str());
  ASSERT_NE(san, nullptr);
  ASSERT_EQ(X509_add_ext(certificate, san, -1), 1);
  X509_EXTENSION_free(san);
  resign(certificate);
  expect_refused(write_client("no-device-uri", partial, "clb"),
                 "certificate does not name a Draaischijf device", std::nullopt, certificate);
  // The same identity with its four URIs is served.
  expect_served(write_client("all-uris", issue("clb", identity), "clb"));
}

}  // namespace
}  // namespace draaischijf::testing
