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
//   bundle <sequence of the last directory bundle imported>   (optional; refuses older ones)
//   removed <org id, 32 hex digits> <removed at, ms> <reason>   (from a v2 bundle: the
//       organisation was removed from the hub; it is not pinned and never pinned again)
//
// The file is the root of everything the device trusts, so it is strict both ways: a name must
// be display safe (protocol/display_text.hpp: no newline can smuggle in a second line), and an
// organisation, `hub` or `policy` appears at most once (a later line can never override an
// earlier pin). A pinned key changes only through replace(), which the CLI offers as
// `draaischijf trust replace` after showing the old and the new fingerprint.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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

/// An organisation the operator's directory bundle listed as removed (docs/PROTOCOL.md 12).
struct RemovedOrganisation {
  protocol::Id org_id{};
  std::uint64_t removed_at_ms = 0;
  std::string reason;  // protocol::name_of(RemovalReason)
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
  /// (client_errc::already_pinned), and so is a name that is not display safe (name_unsafe)
  /// and an organisation recorded as removed (organisation_removed; replace() likewise).
  [[nodiscard]] protocol::Result<void> pin(TrustedOrganisation organisation);
  /// Replaces the key of a pinned organisation (or pins a new one): only on a person's
  /// explicit request after comparing both fingerprints. Refuses an unsafe name.
  [[nodiscard]] protocol::Result<void> replace(TrustedOrganisation organisation);
  [[nodiscard]] const TrustedOrganisation* find(const protocol::Id& org_id) const;
  /// Unpins the organisation (if pinned) and records it as removed, for good.
  void mark_removed(RemovedOrganisation removal);
  /// The removal on record, or nullptr.
  [[nodiscard]] const RemovedOrganisation* removal(const protocol::Id& org_id) const;
  [[nodiscard]] const std::vector<RemovedOrganisation>& removals() const noexcept {
    return removed_;
  }
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
  /// The sequence number of the operator's directory bundle imported last (none before the
  /// first import): an older bundle is refused.
  void set_bundle_sequence(std::uint64_t sequence) { bundle_sequence_ = sequence; }
  [[nodiscard]] const std::optional<std::uint64_t>& bundle_sequence() const noexcept {
    return bundle_sequence_;
  }
  /// The organisation keys in the form envelope opening takes.
  [[nodiscard]] protocol::TrustStore store() const;

 private:
  std::vector<TrustedOrganisation> organisations_;
  std::vector<RemovedOrganisation> removed_;
  std::optional<protocol::SigningPublicKey> hub_key_;
  std::optional<protocol::SigningPublicKey> policy_key_;
  std::optional<std::uint64_t> bundle_sequence_;
};

/// What importing the operator's directory bundle does to the pinned keys, per organisation.
enum class BundleEntryState {
  added,      // not pinned before: pinned now
  unchanged,  // pinned with the same key
  changed,    // pinned with ANOTHER key: refused unless the person accepts the change
};

struct BundleEntry {
  protocol::Id org_id{};
  std::string type;                // vocabulary name
  std::string name;                // as pinned: display safe (spelt out where it was not)
  std::string fingerprint;         // of the key in the bundle
  std::string pinned_fingerprint;  // of the key pinned before (changed only)
};

/// An organisation a v2 bundle lists as removed, as this device knew it.
struct BundleRemovalEntry {
  RemovedOrganisation removal;
  bool pinned = false;      // pinned now: the import unpins it
  std::string name;         // as pinned (empty when not pinned)
  std::string fingerprint;  // of the key pinned (empty when not pinned)
};

/// A verified bundle checked against the pinned keys: what an import would change.
struct BundlePlan {
  std::uint64_t sequence = 0;
  std::uint64_t created_at_ms = 0;
  std::vector<std::pair<BundleEntryState, BundleEntry>> entries;  // in the bundle's order
  std::vector<TrustedOrganisation> pins;       // what is pinned on import, one per entry
  std::vector<std::uint8_t> bytes;             // the verified bundle, kept for its directory data
  std::vector<BundleRemovalEntry> removals{};  // v2: the organisations removed, in id order
  [[nodiscard]] std::size_t count(BundleEntryState state) const;
};

/// Checks `bundle` (protocol/directory_bundle.hpp) against `trust`: the signature under the
/// pinned operator key (client_errc::bundle_untrusted; also when no operator key is pinned),
/// the sequence against the last one imported (bundle_rollback), the bytes (bundle_invalid).
[[nodiscard]] protocol::Result<BundlePlan> plan_bundle_import(const TrustFile& trust,
                                                              std::span<const std::uint8_t> bundle);
/// `trust` with the plan applied: every key pinned, every removed organisation unpinned and
/// recorded as removed, the sequence recorded. A changed key is
/// refused (bundle_key_changed) unless `accept_changes`, a person's explicit request after
/// seeing the list.
[[nodiscard]] protocol::Result<TrustFile> apply_bundle_import(TrustFile trust,
                                                              const BundlePlan& plan,
                                                              bool accept_changes);

}  // namespace draaischijf::client
