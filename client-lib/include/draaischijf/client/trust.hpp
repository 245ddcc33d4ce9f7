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
//
// The file is the root of everything the device trusts, so it is strict both ways: a name must
// be display safe (protocol/display_text.hpp: no newline can smuggle in a second line), and an
// organisation, `hub` or `policy` appears at most once (a later line can never override an
// earlier pin). A pinned key changes only through replace(), which the CLI offers as
// `draaischijf trust replace` after showing the old and the new fingerprint.

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
/// A device's fingerprint covers both of its public keys and the role it claims (a vocabulary
/// name, from its client certificate), so that a hub can swap neither a key nor the role the
/// admin then certifies.
[[nodiscard]] std::string device_fingerprint(const protocol::SigningPublicKey& signing_key,
                                             const protocol::X25519PublicKey& encryption_key,
                                             std::string_view role);
/// The same fingerprint with spaces and case ignored, as people type it.
[[nodiscard]] bool same_fingerprint(std::string_view a, std::string_view b);

struct TrustedOrganisation {
  protocol::Id org_id{};
  protocol::SigningPublicKey key{};
  std::string name;
};

/// Whether a pin may replace a key pinned before: only a person's explicit request may.
enum class PinMode { only_new, replace_existing };

/// Why a trust file was refused, for the person who must repair it.
struct TrustFileProblem {
  std::size_t line = 0;  // 1-based
  std::string reason;    // never quotes the line: it may hold anything
};

class TrustFile {
 public:
  /// Refuses a malformed, unsafe or repeated line with client_errc::trust_file_invalid, and
  /// says which and why in `problem`.
  [[nodiscard]] static protocol::Result<TrustFile> parse(std::string_view text,
                                                         TrustFileProblem* problem = nullptr);
  [[nodiscard]] std::string to_text() const;

  /// Pins an organisation's key. Pinning the key already pinned changes nothing (the name
  /// pinned first stays); another key for a pinned organisation is refused
  /// (client_errc::already_pinned), and so is a name that is not display safe (name_unsafe).
  [[nodiscard]] protocol::Result<void> pin(TrustedOrganisation organisation);
  /// Replaces the key of a pinned organisation (or pins a new one): only on a person's
  /// explicit request after comparing both fingerprints. Refuses an unsafe name.
  [[nodiscard]] protocol::Result<void> replace(TrustedOrganisation organisation);
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
