#pragma once

// The keys a device trusts, verified out of band: each organisation's Ed25519 signing key (it
// signs that organisation's device and mailbox-epoch certificates), the hub's receipt key, and
// the hub operator's policy key (it signs the rule set the client's pre-check uses).
// The hub serves the directory but is not trusted with it: everything it serves is checked
// against these keys, so a hub that swaps a key is caught (docs/PROTOCOL.md 4, 5).
//
// File (UTF-8 text, one entry per line, '#' starts a comment):
//   org <org id, 32 hex digits> <signing key, base64> <name shown to people>
//   hub <receipt key, base64>
//   policy <operator's policy signing key, base64>   (optional: without it, no pre-check)

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::client {

/// What people compare when they verify a key out of band: the first 20 bytes of its key id
/// (docs/PROTOCOL.md 1.6) as ten groups of four hex digits.
[[nodiscard]] std::string fingerprint(const protocol::SigningPublicKey& key);
/// A device's fingerprint covers both of its public keys, so neither can be swapped alone.
[[nodiscard]] std::string device_fingerprint(const protocol::SigningPublicKey& signing_key,
                                             const protocol::X25519PublicKey& encryption_key);
/// The same fingerprint with spaces and case ignored, as people type it.
[[nodiscard]] bool same_fingerprint(std::string_view a, std::string_view b);

struct TrustedOrganisation {
  protocol::Id org_id{};
  protocol::SigningPublicKey key{};
  std::string name;
};

class TrustFile {
 public:
  /// Refuses a malformed line with protocol::errc::non_canonical (its number in `bad_line`).
  [[nodiscard]] static protocol::Result<TrustFile> parse(std::string_view text,
                                                         std::size_t* bad_line = nullptr);
  [[nodiscard]] std::string to_text() const;

  /// Adds or replaces the organisation's key.
  void pin(TrustedOrganisation organisation);
  [[nodiscard]] const TrustedOrganisation* find(const protocol::Id& org_id) const;
  [[nodiscard]] const std::vector<TrustedOrganisation>& organisations() const noexcept {
    return organisations_;
  }
  void set_hub_key(const protocol::SigningPublicKey& key) { hub_key_ = key; }
  [[nodiscard]] const std::optional<protocol::SigningPublicKey>& hub_key() const noexcept {
    return hub_key_;
  }
  void set_policy_key(const protocol::SigningPublicKey& key) { policy_key_ = key; }
  [[nodiscard]] const std::optional<protocol::SigningPublicKey>& policy_key() const noexcept {
    return policy_key_;
  }
  /// The organisation keys in the form envelope opening takes.
  [[nodiscard]] protocol::TrustStore store() const;

 private:
  std::vector<TrustedOrganisation> organisations_;
  std::optional<protocol::SigningPublicKey> hub_key_;
  std::optional<protocol::SigningPublicKey> policy_key_;
};

}  // namespace draaischijf::client
