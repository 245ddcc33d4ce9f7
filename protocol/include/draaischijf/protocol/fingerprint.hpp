#pragma once

// What people compare when they check a key out of band: a hub operator registering an
// organisation, a user pinning one, an admin approving a device. Both the client and the hub
// print these, so they live here, beside the keys they are made from.

#include <string>
#include <string_view>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

/// The first 20 bytes of the key's key id (docs/PROTOCOL.md 1.6) as ten groups of four hex
/// digits, e.g. "3f2a 9c01 ...".
[[nodiscard]] std::string fingerprint(const SigningPublicKey& key);
/// A device's fingerprint covers both of its public keys and the role it claims (a vocabulary
/// name, from its client certificate), so that a hub can swap neither a key nor the role the
/// admin (or, for an organisation's first admin, the hub operator) then certifies.
[[nodiscard]] std::string device_fingerprint(const SigningPublicKey& signing_key,
                                             const X25519PublicKey& encryption_key,
                                             std::string_view role);
/// The same fingerprint with spaces, dashes, colons and case ignored, as people type it.
[[nodiscard]] bool same_fingerprint(std::string_view a, std::string_view b);

}  // namespace draaischijf::protocol
