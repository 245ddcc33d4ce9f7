#pragma once

// Pupil pseudonyms (PROTOCOL.md 7.14). The outer part names the pupil a message is about with a
// 32-byte pseudonym the hub uses to match consents and to keep the disclosure register. The
// pseudonym is not the sender's word: it is derived from the sending organisation's own pupil
// reference with a salt only that organisation's devices can compute, and the signed inner part
// carries the reference and the salt, so every recipient checks label against content.
//
//   salt       = BLAKE2b-256 keyed with the organisation's pupil key,
//                over "draaischijf/pupil-salt/v1" ‖ reference
//   pseudonym  = hash256("draaischijf/pupil-pseudonym/v1", salt ‖ reference)
//
// The hub sees only the pseudonym and, without the pupil key, cannot test a guessed reference
// against it. A recipient learns the salt of the pupils it receives data about, which lets it
// recognise that pupil again and nothing more; a reply carries the binding it was given, so a
// partner's answer names the pupil under the CLB's own pseudonym.
//
// The pupil key is derived from the organisation signing key on the admin's device and reaches
// every other device of the organisation in a box sealed to the device's certified encryption
// key and signed by the organisation key (a hub cannot hand a device a key of its own choosing).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/secret.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

inline constexpr std::size_t kMaxPupilReference = 128;
/// A sealed pupil key (32 bytes, crypto_box_seal overhead 48) and the organisation's signature.
inline constexpr std::size_t kPupilKeyBoxSize = 32 + 48 + 64;

/// A pupil as the signed inner part names them.
struct PupilBinding {
  std::string reference;  // the organisation's own pupil id: display-safe UTF-8, 1..128 bytes
  Hash256 salt{};
  bool operator==(const PupilBinding&) const = default;
};

/// The organisation-wide key pseudonyms are derived with. Move-only; wipes itself.
class PupilKey {
 public:
  /// From the organisation signing key: every admin device of the organisation derives the same.
  [[nodiscard]] static PupilKey of_organisation(const SigningKey& organisation);
  [[nodiscard]] static PupilKey from_bytes(std::span<const std::uint8_t, 32> bytes) noexcept;
  [[nodiscard]] const SecretKey<32>& secret() const noexcept { return key_; }

 private:
  explicit PupilKey(SecretKey<32> key) : key_(std::move(key)) {}
  SecretKey<32> key_;
};

/// Data categories that are about one pupil: all but `geaggregeerd`. An envelope carrying any
/// of them must name its pupil (pupil_missing otherwise).
[[nodiscard]] bool names_a_pupil(CategorySet categories) noexcept;

/// field_out_of_range for an empty, too long or not display-safe reference.
[[nodiscard]] Result<PupilBinding> bind_pupil(const PupilKey& key, std::string_view reference);

/// The outer pseudonym a binding stands for.
[[nodiscard]] Hash256 pupil_pseudonym(const PupilBinding& binding);

/// A binding that is well-formed: the reference rules of bind_pupil().
[[nodiscard]] bool is_valid_reference(std::string_view reference) noexcept;

/// The pupil key for `device_id`, sealed to its encryption key and signed by the organisation.
[[nodiscard]] std::vector<std::uint8_t> seal_pupil_key(const PupilKey& key, const Id& org_id,
                                                       const Id& device_id,
                                                       const X25519PublicKey& device_key,
                                                       const SigningKey& organisation);

/// Checks the organisation's signature over the box for this device, then opens it:
/// signature_invalid, seed_box_invalid.
[[nodiscard]] Result<PupilKey> open_pupil_key(std::span<const std::uint8_t> box, const Id& org_id,
                                              const Id& device_id,
                                              const age::X25519Identity& device_key,
                                              const SigningPublicKey& organisation);

}  // namespace draaischijf::protocol
