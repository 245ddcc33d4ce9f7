#pragma once

// An organisation's registration request: what its admin's device hands the hub operator after
// making the organisation signing key (`draaischijf admin org init`), signed with that new key
// as proof that the requester holds it. The operator registers it (`draaischijf-hub org add
// --request FILE --fingerprint F`) only after comparing the key's fingerprint with the one the
// organisation reads out over another channel (docs/PROTOCOL.md 7.16).
//
// Bytes (signed part first), domain "draaischijf/organisation-registration/v1":
//   "DROR" | version u8 = 1 | org id[16] | org type u8 (4.1) | name utf8_8 (display safe,
//   1..200 bytes) | signing key[32] | created_at u64 (seconds) | signature[64]

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

struct OrganisationRegistration {
  Id org_id{};
  OrgType org_type = OrgType::clb;
  std::string name;
  SigningPublicKey signing_key{};
  std::uint64_t created_at = 0;  // seconds since the Unix epoch, UTC
  Signature signature{};
};

inline constexpr std::string_view kRegistrationDomain = "draaischijf/organisation-registration/v1";
/// An organisation's name: 1 to 200 bytes, display safe (1.1), as the hub's directory takes it.
inline constexpr std::size_t kMaxOrganisationName = 200;

[[nodiscard]] std::vector<std::uint8_t> encode(const OrganisationRegistration& request);
/// Structure only (magic, version, known type, the name's repertoire and length, no trailing
/// bytes); the signature is checked by verify_registration.
[[nodiscard]] Result<OrganisationRegistration> parse_registration(std::span<const std::uint8_t> in);
/// Fills signing_key and signature from `organisation_key`.
[[nodiscard]] OrganisationRegistration sign_registration(OrganisationRegistration request,
                                                         const SigningKey& organisation_key);
/// Whether the request is signed by the key it names (signature_invalid if not).
[[nodiscard]] Result<void> verify_registration(const OrganisationRegistration& request);

/// The text form of a binary structure handed between people (a registration request, a first
/// admin's device certificate): comment lines starting with '#' (for people only, never read
/// back) and one line of base64.
[[nodiscard]] std::string armour(std::string_view comments, std::span<const std::uint8_t> bytes);
/// The bytes of the one base64 line; trailing_data when there is more than one.
[[nodiscard]] Result<std::vector<std::uint8_t>> unarmour(std::string_view text);

/// The request's text form, for mail or a USB stick: comment lines ('#', for people only, never
/// read back) and one line of base64. parse_registration_text reads the base64 line only.
[[nodiscard]] std::string registration_text(const OrganisationRegistration& request);
[[nodiscard]] Result<OrganisationRegistration> parse_registration_text(std::string_view text);

}  // namespace draaischijf::protocol
