#pragma once

// Making a device profile: from a development deployment's files, or by enrolment, where the
// device makes every key itself and only public halves leave it (a certificate request for the
// TLS key, an enrolment request for the end-to-end keys).

#include <filesystem>
#include <optional>

#include <draaischijf/client/key_store.hpp>
#include <draaischijf/client/profile.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::client {

struct DeviceSummary {
  protocol::Id org_id{};
  protocol::Id device_id{};
  std::string role;
};

/// Creates a profile from a device folder of the development deployment (dev-pki/<org> or
/// dev-pki/<org>/admin): its TLS files, its end-to-end keys (sealed into the new key store),
/// the organisation key for the admin device, the deployment's trust file, the hub key and the
/// policy operator key (dev-pki/policy-signing.pub, when the hub has written it).
[[nodiscard]] protocol::Result<DeviceSummary> import_dev_device(
    const std::filesystem::path& device_dir, const std::filesystem::path& profile_dir,
    const ProfileSettings& settings, const Unlock& unlock);

struct EnrolmentRequest {
  protocol::Id org_id{};
  std::string org_type;            // vocabulary name, for the operator's command
  std::string role;                // vocabulary name
  std::filesystem::path hub_root;  // the hub root CA (PEM), from the operator
  std::filesystem::path trust;     // the trust file, from the operator (out of band)
  std::filesystem::path hub_key;   // the hub's receipt key (base64), from the operator
  /// The operator's policy key (policy-signing.pub), for the pre-check; none: no pre-check.
  std::optional<std::filesystem::path> policy_key;
  ProfileSettings settings;
};

/// Creates the profile with fresh keys: the key store, the TLS key (0600) and tls/request.csr
/// for the organisation's certificate authority. The device id is chosen here.
[[nodiscard]] protocol::Result<DeviceSummary> start_enrolment(
    const std::filesystem::path& profile_dir, const EnrolmentRequest& request,
    const Unlock& unlock);

/// Installs the device certificate the authority issued (checking it is for this device's TLS
/// key) and asks the hub to enrol the end-to-end keys, as a device of `claimed_person` when
/// given. Returns the fingerprint the organisation admin compares before approving.
[[nodiscard]] protocol::Result<std::string> finish_enrolment(
    const Profile& profile, const std::filesystem::path& certificate_chain, const Unlock& unlock,
    std::optional<protocol::Id> claimed_person = std::nullopt);

}  // namespace draaischijf::client
