// A device certificate the client relies on (an epoch member's, a signer's) is used only with an
// inclusion proof of its kind 4 entry in the directory log, as organisation keys and epochs are
// (docs/TRANSPARENCY.md): the real hub process behind the lying stand-in shows a certificate the
// organisation's key really signed but the hub never logged, and the client refuses it.

#include <algorithm>

#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/admin/dev_deployment.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using DeviceCertificateLog = TamperingTest;

TEST_F(DeviceCertificateLog, ADeviceCertificateSignedByTheOrganisationButNotLoggedIsNotUsed) {
  const auto pki = dir.path() / "data" / "dev-pki";
  const auto caw_device = server::load_dev_device_keys(pki / "caw").device_id;
  const std::string target = "/v1/devices/" + protocol::to_hex(caw_device);
  std::vector<std::string> requested;
  *tamper = [&](std::string_view t, HubReply&) { requested.emplace_back(t); };

  // As the hub logged it: proved once, then remembered.
  ASSERT_TRUE(device->directory().device_certificate(caw_device));
  const auto proofs = [&] {
    return std::count_if(requested.begin(), requested.end(), [](const std::string& t) {
      return t.starts_with("/v1/log/directory/proof/by-hash");
    });
  };
  EXPECT_GE(proofs(), 1);
  const auto proved = proofs();
  ASSERT_TRUE(device->directory().device_certificate(caw_device));
  EXPECT_EQ(proofs(), proved) << "a proved certificate is remembered";

  // The same device with another encryption key, signed by the CAW's own key (a hub holding a
  // stolen organisation key, or a rogue admin's approval the hub did not log).
  const auto organisation = server::load_dev_organisation_key(pki / "caw");
  const auto attacker = protocol::age::X25519Identity::generate();
  *tamper = [&](std::string_view t, HubReply& reply) {
    requested.emplace_back(t);
    if (t != target) {
      return;
    }
    rewrite(reply, [&](json::object& o) {
      auto certificate = protocol::parse_device_certificate(b64(o, "certificate")).value();
      certificate.encryption_key = attacker.public_key();
      o["certificate"] = protocol::base64_encode(
          protocol::encode(protocol::issue(certificate, organisation.signing)));
      o["encryption_key"] = protocol::base64_encode(attacker.public_key());
    });
  };
  const auto shown = device->directory().device_certificate(caw_device);
  ASSERT_FALSE(shown) << "a device certificate the directory log does not hold was used";
  EXPECT_EQ(shown.error(), make_error_code(client_errc::not_in_log)) << shown.error().message();
}

}  // namespace
}  // namespace draaischijf::testing
