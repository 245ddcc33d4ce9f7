#pragma once

// The embedded development deployment: started without a configuration file, the hub creates
// (once) a complete deployment in its data directory and serves with it on 127.0.0.1:8443:
//
//   dev-pki/root/, orgs/<id>/, crl/, server.pem, server.key   the PKI (certs/authority.hpp)
//   dev-pki/root.pem                                           the trust anchor for clients
//   dev-pki/<slug>/organisation.keys                           the organisation's Ed25519 key
//   dev-pki/<slug>/{device.pem, device.key, device.keys, id.txt}        the staff device
//   dev-pki/<slug>/admin/{device.pem, device.key, device.keys, id.txt}  the admin device
//
// for three demo organisations (slugs clb, school, caw), each in the directory with its
// enrolled devices and one mailbox whose member is the staff device. device.keys holds the
// device's end-to-end keys for the CLI. Nothing here is fit for production: the keys are
// generated on the spot and protected by file modes only.

#include <filesystem>
#include <string>
#include <vector>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/net/hub.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/directory.hpp>

namespace draaischijf::server {

struct DevOrganisation {
  std::string slug;  // folder name: clb, school, caw
  std::string name;
  std::string type;     // vocabulary name
  std::string role;     // the staff device's role
  std::string mailbox;  // the name of its mailbox
};

/// A device's end-to-end keys from its device.keys file (for the CLI and the tests).
struct DevDeviceKeys {
  protocol::Id org_id{};
  protocol::Id device_id{};
  protocol::Id staff_id{};
  std::string role;
  protocol::SigningKey signing;
  protocol::age::X25519Identity encryption;
};
[[nodiscard]] DevDeviceKeys load_dev_device_keys(const std::filesystem::path& folder);

/// An organisation's id and Ed25519 signing key from its organisation.keys file.
struct DevOrganisationKey {
  protocol::Id org_id{};
  protocol::SigningKey signing;
};
[[nodiscard]] DevOrganisationKey load_dev_organisation_key(const std::filesystem::path& folder);

/// The demo organisations of the development deployment.
[[nodiscard]] std::vector<DevOrganisation> dev_organisations();

/// Creates the PKI and the key files under `dir` unless they are there, refreshes CRLs that are
/// past half their lifetime, points `config.tls` at them and returns the listener material.
/// Throws std::runtime_error (startup) when files cannot be written or read.
[[nodiscard]] TlsMaterial ensure_dev_pki(const std::filesystem::path& dir, HubConfig& config,
                                         const protocol::Clock& clock = protocol::system_clock());

/// Re-issues the development CRLs once half their lifetime has passed, so a development hub
/// that runs for weeks never fails closed on its own CRLs. Throws std::runtime_error when they
/// cannot be written.
void refresh_dev_crls(const std::filesystem::path& dir,
                      const protocol::Clock& clock = protocol::system_clock());

/// Puts the demo organisations, their enrolled devices and their mailboxes in the directory
/// unless they are there. Throws std::runtime_error (startup) on failure.
void ensure_dev_directory(Directory& directory, ConsentRegistry& consents,
                          const std::filesystem::path& dir,
                          const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::server
