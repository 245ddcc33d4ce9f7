#pragma once

// The entries of the hub's directory log (docs/PROTOCOL.md 13.4): what a client rebuilds from a
// directory answer and then finds, by an inclusion proof, in a checkpoint it accepted. Each
// entry is a kind byte and the statement's canonical fields.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

enum class DirectoryEntryKind : std::uint8_t {
  organisation_key = 1,      // an organisation and the Ed25519 key that signs its certificates
  epoch_certificate = 2,     // a mailbox epoch certificate, as the organisation signed it
  organisation_removed = 3,  // the operator removed an organisation; its id is never reused
  device_certificate = 4,   // an enrolment approved: the device certificate the organisation signed
  device_removed = 5,       // an organisation's admin removed one of its devices
  certificate_revoked = 6,  // a TLS certificate put on a CRL the hub enforces
  rule_set = 7,             // the operator-signed rule set the hub enforces
};

/// The longest serial a kind 6 entry carries (its length is one byte).
inline constexpr std::size_t kMaxRevokedSerialBytes = 255;

/// kind 1 || org id (16) || organisation type (u8) || signing key (32).
[[nodiscard]] std::vector<std::uint8_t> organisation_key_entry(const Id& org_id, OrgType type,
                                                               const SigningPublicKey& key);
/// kind 2 || the encoded epoch certificate (PROTOCOL.md 5).
[[nodiscard]] std::vector<std::uint8_t> epoch_certificate_entry(
    std::span<const std::uint8_t> certificate);

/// kind 3 || org id (16) || removed_at_ms (u64) || reason (u8, directory_bundle.hpp's
/// RemovalReason): the same statement the directory bundle's removal list signs.
[[nodiscard]] std::vector<std::uint8_t> organisation_removed_entry(const Id& org_id,
                                                                   std::uint64_t removed_at_ms,
                                                                   std::uint8_t reason);

/// kind 4 || the encoded device certificate (PROTOCOL.md 4), as the organisation signed it.
[[nodiscard]] std::vector<std::uint8_t> device_certificate_entry(
    std::span<const std::uint8_t> certificate);
/// kind 5 || org id (16) || device id (16) || removed_at_ms (u64).
[[nodiscard]] std::vector<std::uint8_t> device_removed_entry(const Id& org_id, const Id& device_id,
                                                             std::uint64_t removed_at_ms);

/// kind 6 || org id (16; all zero for a CRL that is not an organisation CA's) || serial length
/// (u8) || serial (big-endian, no leading zero bytes, at least one byte) || revoked_at_ms (u64).
/// `serial` has 1 to kMaxRevokedSerialBytes bytes (the caller's invariant).
[[nodiscard]] std::vector<std::uint8_t> certificate_revoked_entry(
    const Id& org_id, std::span<const std::uint8_t> serial, std::uint64_t revoked_at_ms);

/// kind 7 || SHA-256 of the rule file as signed (32) || key id of the operator key that signed
/// it (32) || version (u16 length || UTF-8). `version` is at most 65535 bytes (rule sets refuse
/// longer ones long before).
[[nodiscard]] std::vector<std::uint8_t> rule_set_entry(std::string_view rule_text,
                                                       std::string_view version,
                                                       const SigningPublicKey& operator_key);

}  // namespace draaischijf::protocol
