#include <sodium.h>

#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/hkdf.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::string_view kKeyInfo = "draaischijf/pupil-key/v1";
constexpr std::string_view kSaltDomain = "draaischijf/pupil-salt/v1";
constexpr std::string_view kPseudonymDomain = "draaischijf/pupil-pseudonym/v1";
constexpr std::string_view kBoxDomain = "draaischijf/pupil-key-box/v1";
constexpr std::size_t kBoxSize = 32 + crypto_box_SEALBYTES;
static_assert(kBoxSize + 64 == kPupilKeyBoxSize);

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// What the organisation signs for one device: which organisation, which device, which box.
std::vector<std::uint8_t> box_statement(const Id& org_id, const Id& device_id,
                                        std::span<const std::uint8_t> sealed) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(org_id);
  w.bytes(device_id);
  w.bytes(sealed);
  return out;
}

}  // namespace

PupilKey PupilKey::of_organisation(const SigningKey& organisation) {
  // A one-way derivation: the pupil key reveals nothing of the signing key it comes from.
  const SecretKey<32> seed = organisation.expose_seed();
  const SecretBytes derived = hkdf_sha256(seed.expose(), {}, kKeyInfo, 32);
  return PupilKey(SecretKey<32>::copy_of(derived.expose().first<32>()));
}

PupilKey PupilKey::from_bytes(std::span<const std::uint8_t, 32> bytes) noexcept {
  return PupilKey(SecretKey<32>::copy_of(bytes));
}

bool names_a_pupil(CategorySet categories) noexcept {
  const std::uint32_t aggregate = CategorySet().add(DataCategory::geaggregeerd).bits();
  return (categories.bits() & ~aggregate) != 0;
}

bool is_valid_reference(std::string_view reference) noexcept {
  return !reference.empty() && reference.size() <= kMaxPupilReference && is_display_safe(reference);
}

Result<PupilBinding> bind_pupil(const PupilKey& key, std::string_view reference) {
  if (!is_valid_reference(reference)) {
    return errc::field_out_of_range;
  }
  ensure_sodium();
  PupilBinding binding;
  binding.reference = std::string(reference);
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.secret().expose().data(), key.secret().kSize, 32);
  crypto_generichash_update(&state, bytes_of(kSaltDomain).data(), kSaltDomain.size());
  crypto_generichash_update(&state, bytes_of(reference).data(), reference.size());
  crypto_generichash_final(&state, binding.salt.data(), binding.salt.size());
  // Keyed with the pupil key: do not leave it on the stack.
  sodium_memzero(&state, sizeof state);
  return binding;
}

Hash256 pupil_pseudonym(const PupilBinding& binding) {
  return hash256(kPseudonymDomain, {binding.salt, bytes_of(binding.reference)});
}

std::vector<std::uint8_t> seal_pupil_key(const PupilKey& key, const Id& org_id, const Id& device_id,
                                         const X25519PublicKey& device_key,
                                         const SigningKey& organisation) {
  ensure_sodium();
  std::vector<std::uint8_t> box(kBoxSize);
  crypto_box_seal(box.data(), key.secret().expose().data(), key.secret().kSize, device_key.data());
  const Signature signature = organisation.sign(kBoxDomain, box_statement(org_id, device_id, box));
  box.insert(box.end(), signature.begin(), signature.end());
  return box;
}

Result<PupilKey> open_pupil_key(std::span<const std::uint8_t> box, const Id& org_id,
                                const Id& device_id, const age::X25519Identity& device_key,
                                const SigningPublicKey& organisation) {
  if (box.size() != kPupilKeyBoxSize) {
    return errc::seed_box_invalid;
  }
  const auto sealed = box.first(kBoxSize);
  Signature signature{};
  std::copy(box.begin() + kBoxSize, box.end(), signature.begin());
  // Anyone can write a sealed box: only the organisation's signature makes the key its own.
  if (!verify_signature(organisation, kBoxDomain, box_statement(org_id, device_id, sealed),
                        signature)) {
    return errc::signature_invalid;
  }
  ensure_sodium();
  SecretKey<32> key;
  if (crypto_box_seal_open(key.expose_mutable().data(), sealed.data(), sealed.size(),
                           device_key.public_key().data(),
                           device_key.secret().expose().data()) != 0) {
    return errc::seed_box_invalid;
  }
  return PupilKey::from_bytes(key.expose());
}

}  // namespace draaischijf::protocol
