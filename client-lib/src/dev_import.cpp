#include <map>
#include <sstream>

#include <sodium.h>

#include <draaischijf/certs/pki.hpp>
#include <draaischijf/client/administration.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "fixed_bytes.hpp"
#include "name_value.hpp"

namespace draaischijf::client {
namespace {

namespace fs = std::filesystem;
using protocol::Result;

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> hex_field(const std::map<std::string, std::string>& f,
                                                     const std::string& name) {
  const auto it = f.find(name);
  if (it == f.end()) {
    return std::nullopt;
  }
  return exactly<N>(protocol::hex_decode(it->second));
}

protocol::SecretKey<32> secret_of(std::array<std::uint8_t, 32> bytes) {
  auto secret = protocol::SecretKey<32>::copy_of(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return secret;
}

boost::system::error_code invalid() { return make_error_code(client_errc::profile_invalid); }

// The nearest file called `name` in `dir` or one of its two parents.
std::optional<fs::path> find_upwards(const fs::path& dir, const std::string& name) {
  fs::path at = fs::absolute(dir);
  for (int i = 0; i < 3; ++i, at = at.parent_path()) {
    if (fs::exists(at / name)) {
      return at / name;
    }
  }
  return std::nullopt;
}

Result<void> copy_text(const fs::path& from, const fs::path& to, unsigned mode) {
  const auto text = read_small_file(from);
  if (!text) {
    return invalid();
  }
  return write_file_atomically(to, *text, mode);
}

// The pinned keys: the operator's trust file, the hub's receipt key and, when given, the
// operator's policy key (without it the device sends without a policy pre-check).
Result<void> write_trust(const Profile& profile, const fs::path& trust_file,
                         const fs::path& hub_key_file,
                         const std::optional<fs::path>& policy_key_file) {
  const auto text = read_small_file(trust_file);
  const auto hub = read_small_file(hub_key_file);
  if (!text || !hub) {
    return invalid();
  }
  auto trust = TrustFile::parse(*text);
  const auto hub_key = exactly<32>(protocol::base64_decode(hub->substr(0, hub->find('\n'))));
  if (!trust || !hub_key) {
    return invalid();
  }
  trust->set_hub_key(*hub_key);
  if (policy_key_file) {
    const auto line = read_small_file(*policy_key_file);
    if (!line) {
      return invalid();
    }
    const auto key = policies::parse_operator_key(*line);
    if (!key) {
      return invalid();
    }
    trust->set_policy_key(*key);
  }
  return write_file_atomically(profile.trust_file(), trust->to_text());
}

}  // namespace

Result<DeviceSummary> import_dev_device(const fs::path& device_dir, const fs::path& profile_dir,
                                        const ProfileSettings& settings, const Unlock& unlock) {
  const auto keys_text = read_small_file(device_dir / "device.keys");
  const auto root = find_upwards(device_dir, "root.pem");
  const auto trust = find_upwards(device_dir, "trust.txt");
  if (!keys_text || !root || !trust) {
    return invalid();
  }
  const auto hub_key = root->parent_path().parent_path() / "hub-signing.pub";
  auto fields = name_value_lines(*keys_text);
  const auto org = hex_field<16>(fields, "org_id");
  const auto device = hex_field<16>(fields, "device_id");
  const auto staff = hex_field<16>(fields, "staff_id");
  auto signing = hex_field<32>(fields, "signing_seed");
  auto encryption = hex_field<32>(fields, "encryption_secret");
  if (!org || !device || !staff || !signing || !encryption || fields["role"].empty()) {
    return invalid();
  }
  DeviceSecrets secrets{*org,
                        *device,
                        *staff,
                        fields["role"],
                        protocol::SigningKey::from_seed(secret_of(*signing)),
                        protocol::age::X25519Identity::from_secret(secret_of(*encryption)),
                        std::nullopt};
  // The admin device of the development deployment also holds the organisation key.
  if (const auto organisation = read_small_file(device_dir.parent_path() / "organisation.keys");
      organisation && fields["role"] == "organisation_admin") {
    auto org_fields = name_value_lines(*organisation);
    auto seed = hex_field<32>(org_fields, "signing_seed");
    if (!seed || hex_field<16>(org_fields, "org_id") != org) {
      return invalid();
    }
    secrets.organisation = protocol::SigningKey::from_seed(secret_of(*seed));
  }
  auto profile = Profile::create(profile_dir, settings);
  if (!profile) {
    return profile.error();
  }
  const DeviceTls tls = profile->tls();
  for (const auto& [from, to, mode] :
       {std::tuple{*root, tls.ca, 0644U},
        std::tuple{device_dir / "device.pem", tls.certificate, 0644U},
        std::tuple{device_dir / "device.key", tls.private_key, 0600U}}) {
    if (auto copied = copy_text(from, to, mode); !copied) {
      return copied.error();
    }
  }
  // Written by the development hub when it starts; older deployments have none.
  if (auto written =
          write_trust(*profile, *trust, hub_key, find_upwards(device_dir, "policy-signing.pub"));
      !written) {
    return written.error();
  }
  if (auto saved = save_key_store(profile->key_store(), secrets, unlock); !saved) {
    return saved.error();
  }
  return DeviceSummary{*org, *device, secrets.role};
}

Result<DeviceSummary> start_enrolment(const fs::path& profile_dir, const EnrolmentRequest& request,
                                      const Unlock& unlock) {
  if (!protocol::parse_name<protocol::StaffRole>(request.role)) {
    return invalid();
  }
  auto profile = Profile::create(profile_dir, request.settings);
  if (!profile) {
    return profile.error();
  }
  if (auto copied = copy_text(request.hub_root, profile->tls().ca, 0644); !copied) {
    return copied.error();
  }
  if (auto written = write_trust(*profile, request.trust, request.hub_key, request.policy_key);
      !written) {
    return written.error();
  }
  DeviceSecrets secrets{request.org_id,
                        protocol::random_id(),
                        protocol::random_id(),
                        request.role,
                        protocol::SigningKey::generate(),
                        protocol::age::X25519Identity::generate(),
                        std::nullopt};
  auto tls_key = certs::generate_p256_key();
  if (!tls_key) {
    return tls_key.error();
  }
  auto csr = certs::make_certificate_request(tls_key->get());
  if (!csr) {
    return csr.error();
  }
  if (auto written =
          certs::write_private_key_file(tls_key->get(), profile->tls().private_key.string());
      !written) {
    return written.error();
  }
  if (auto written = write_file_atomically(profile->certificate_request(), *csr); !written) {
    return written.error();
  }
  if (auto saved = save_key_store(profile->key_store(), secrets, unlock); !saved) {
    return saved.error();
  }
  return DeviceSummary{secrets.org_id, secrets.device_id, secrets.role};
}

Result<std::string> finish_enrolment(const Profile& profile, const fs::path& certificate_chain,
                                     const Unlock& unlock,
                                     std::optional<protocol::Id> claimed_person) {
  if (auto copied = copy_text(certificate_chain, profile.tls().certificate, 0644); !copied) {
    return copied.error();
  }
  auto session = Session::open(profile, unlock);
  if (!session) {
    return session.error();
  }
  if (auto requested = Administration{*session}.request_enrolment(claimed_person); !requested) {
    return requested.error();
  }
  const auto& device = session->device();
  return device_fingerprint(device.signing.public_key(), device.encryption.public_key(),
                            device.role);
}

}  // namespace draaischijf::client
