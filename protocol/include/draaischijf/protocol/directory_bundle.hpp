#pragma once

// The hub operator's signed directory bundle (docs/PROTOCOL.md 12): every organisation on the
// hub with its id, type, name, end-to-end signing key, region, offers and (for a school) its
// CLB, signed with the operator key that also signs the policy rule set, under a domain of its
// own. A device that pinned the operator key once imports the bundle and pins every
// organisation's key without typing a fingerprint; the sequence number makes an older bundle
// unable to replace a newer one.
//
// Encoding (canonical: parsing then encoding gives the input back byte for byte):
//   "DRDB" | version u8 (1 or 2) | operator key id[32] | sequence u64 | created_at_ms u64
//   | count u16 | organisation * count | [version 2: removal count u16 | removal * count]
//   | signature[64]
//   organisation: org id[16] | org type u8 | signing key[32] | name utf8 (u16 length)
//                 | province u8 (0: none) | municipality utf8 (u8 length, empty: none)
//                 | offer count u8 | offer u8 * count (ascending) | has clb u8 (0|1) | clb id[16]?
//   removal (version 2): org id[16] | removed_at_ms u64 | reason u8 (RemovalReason)
// Organisations are in ascending id order, each once; removals likewise, and no id is in both
// lists. The signature is Ed25519 over the domain kDirectoryBundleDomain and every byte before
// it, the version byte and the removal list included, so a removal cannot be added, dropped or
// changed without the operator key. Version 1 (no removal list) still opens.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

inline constexpr std::string_view kDirectoryBundleDomain = "draaischijf/directory-bundle/v1";
inline constexpr std::uint8_t kDirectoryBundleVersion = 2;
inline constexpr std::uint8_t kDirectoryBundleVersionWithoutRemovals = 1;
inline constexpr std::size_t kMaxBundleOrganisations = 65535;
inline constexpr std::size_t kMaxBundleNameBytes = 1000;

struct BundleOrganisation {
  Id org_id{};
  OrgType type = OrgType::clb;
  std::string name;
  SigningPublicKey signing_key{};
  std::optional<Province> province{};
  std::string municipality{};
  std::vector<Offer> offers{};  // ascending, each once
  std::optional<Id> clb{};
};

/// Why the operator removed an organisation from the hub (draaischijf-hub org remove).
enum class RemovalReason : std::uint8_t {
  ceased = 1,           // the organisation stopped existing
  merged = 2,           // merged into another organisation (which has its own id)
  key_compromised = 3,  // its organisation key or devices can no longer be trusted
  left_network = 4,     // it no longer takes part in the network
  other = 5,
};
/// "ceased", "merged", "key-compromised", "left-network", "other".
[[nodiscard]] std::string_view name_of(RemovalReason reason);
[[nodiscard]] std::optional<RemovalReason> parse_removal_reason(std::string_view name);
/// The names above, separated by ", " (for usage messages).
[[nodiscard]] std::string removal_reason_names();

/// An organisation the operator removed: its id is never used again.
struct BundleRemoval {
  Id org_id{};
  std::uint64_t removed_at_ms = 0;
  RemovalReason reason = RemovalReason::other;
};

struct DirectoryBundle {
  std::uint64_t sequence = 0;
  std::uint64_t created_at_ms = 0;
  std::vector<BundleOrganisation> organisations;  // any order: signing sorts them
  std::vector<BundleRemoval> removals{};          // any order: signing sorts them
  // What the signer writes (kDirectoryBundleVersion unless asked otherwise) and what the
  // parser read; version 1 has no removal list.
  std::uint8_t version = kDirectoryBundleVersion;
};

/// The signed bundle's bytes. Organisations and removals are sorted by id; a repeated id (in
/// either list or across both), removals in a version 1 bundle, more than
/// kMaxBundleOrganisations organisations or removals, a name longer than kMaxBundleNameBytes, a
/// municipality longer than 255 bytes or more than 255 offers is errc::field_out_of_range.
[[nodiscard]] Result<std::vector<std::uint8_t>> sign_directory_bundle(
    DirectoryBundle bundle, const SigningKey& operator_key);

/// Parses the bundle and verifies its signature under `operator_key`: errc::signature_invalid
/// when another key signed it or a byte changed after signing; the parser's own errors
/// (truncated, bad_magic, unsupported_version, non_canonical, ...) for a damaged file.
[[nodiscard]] Result<DirectoryBundle> open_directory_bundle(std::span<const std::uint8_t> bytes,
                                                            const SigningPublicKey& operator_key);

}  // namespace draaischijf::protocol
