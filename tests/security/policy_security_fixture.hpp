#pragma once

// What the policy security tests share: a development hub, and a way to enrol one more device
// of an organisation with a role of the test's choosing (its TLS certificate from the
// organisation CA, its end-to-end certificate approved by the organisation's admin device).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {

/// A device enrolled by the test: its TLS folder, keys and end-to-end certificate.
struct ExtraDevice {
  std::filesystem::path folder;
  protocol::Id device_id = protocol::random_id();
  protocol::Id staff_id = protocol::random_id();  // the person the admin certifies it for
  protocol::SigningKey signing = protocol::SigningKey::generate();
  protocol::age::X25519Identity encryption = protocol::age::X25519Identity::generate();
  protocol::DeviceCertificate certificate;
};

/// A new device of `slug` with `role` that asked to be enrolled and waits for its admin: its
/// TLS certificate from the organisation's CA and its enrolment request at the hub.
inline ExtraDevice request_enrolment(DevHub& hub, const std::filesystem::path& dir,
                                     const std::string& slug, const std::string& role) {
  ExtraDevice device;
  const auto organisation = hub.organisation_key(slug);
  const std::string org_type = slug == "clb" ? "clb" : (slug == "school" ? "school" : "caw");
  auto ca = certs::Authority::load(hub.pki / "orgs" / hex(organisation.org_id)).value();
  const auto key = certs::generate_p256_key().value();
  const auto tls =
      ca.issue_device(key.get(), {hex(organisation.org_id), org_type, role, hex(device.device_id)},
                      certs::Validity::starting_now(std::chrono::hours(1)))
          .value();
  device.folder = dir / ("device-" + hex(device.device_id));
  std::filesystem::create_directories(device.folder);
  write_file(device.folder / "device.pem", view_of(certs::certificate_to_pem(tls.get()) +
                                                   certs::certificate_to_pem(ca.certificate())));
  EXPECT_TRUE(certs::write_private_key_file(key.get(), (device.folder / "device.key").string()));

  TlsClient requester(hub.port(), hub.pki / "root.pem", device.folder / "device.pem",
                      device.folder / "device.key");
  const boost::json::object request{
      {"signing_key", protocol::base64_encode(device.signing.public_key())},
      {"encryption_key", protocol::base64_encode(device.encryption.public_key())}};
  const auto requested =
      requester.exchange(post("/v1/enrolments", boost::json::serialize(request)));
  EXPECT_TRUE(requested && requested->status == 202) << (requested ? requested->body : "");
  device.certificate.org_id = organisation.org_id;
  device.certificate.org_type = protocol::parse_name<protocol::OrgType>(org_type).value();
  device.certificate.role = protocol::parse_name<protocol::StaffRole>(role).value();
  return device;
}

/// Enrols a new device of `slug` with `role` (a StaffRole name) for the person `staff_id` (a new
/// person when nullopt); its e2e certificate is valid until `not_after` (seconds since the
/// epoch; default: no end). The request names no person: the admin's certificate does.
inline ExtraDevice enrol_device(DevHub& hub, const std::filesystem::path& dir,
                                const std::string& slug, const std::string& role,
                                std::uint64_t not_after = ~std::uint64_t{0},
                                std::optional<protocol::Id> staff_id = std::nullopt) {
  ExtraDevice device = request_enrolment(hub, dir, slug, role);
  device.staff_id = staff_id.value_or(device.staff_id);
  protocol::DeviceCertificate& c = device.certificate;
  c.device_id = device.device_id;
  c.staff_id = device.staff_id;
  c.signing_key = device.signing.public_key();
  c.encryption_key = device.encryption.public_key();
  c.not_after = not_after;
  c = protocol::issue(c, hub.organisation_key(slug).signing);
  const auto approved = hub.call(
      slug,
      post("/v1/enrolments/" + hex(device.device_id) + "/approve", text_of(protocol::encode(c))),
      true);
  EXPECT_EQ(approved.status, 200) << approved.body;
  return device;
}

/// One request as `device`.
inline HttpResponse call_as(DevHub& hub, const ExtraDevice& device, const std::string& request) {
  TlsClient client(hub.port(), hub.pki / "root.pem", device.folder / "device.pem",
                   device.folder / "device.key");
  return client.exchange(request).value_or(HttpResponse{});
}

/// The `type` slug of a problem answer ("" when the body is not a problem document).
inline std::string problem_slug(const HttpResponse& response) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(response.body, ec);
  const auto* type = !ec && value.is_object() ? value.as_object().if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string()) {
    return {};
  }
  const std::string text(type->as_string());
  return text.substr(text.rfind(':') + 1);
}

}  // namespace draaischijf::testing
