#include <vector>

#include <sodium.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {
namespace {

// The signed message is the domain, a zero byte, then the object: no domain is a prefix of
// another once the zero byte is there.

std::vector<std::uint8_t> framed(std::string_view domain, std::span<const std::uint8_t> message) {
  std::vector<std::uint8_t> out;
  out.reserve(domain.size() + 1 + message.size());
  out.insert(out.end(), domain.begin(), domain.end());
  out.push_back(0);
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace

Id random_id() {
  Id id{};
  random_fill(id);
  return id;
}

bool is_zero(std::span<const std::uint8_t> bytes) noexcept {
  std::uint8_t any = 0;
  for (const std::uint8_t b : bytes) {
    any |= b;
  }
  return any == 0;
}

std::string to_hex(std::span<const std::uint8_t> bytes) { return hex_encode(bytes); }

KeyId key_id_of(const SigningPublicKey& key) { return hash256("draaischijf/key-id/v1", {key}); }

SigningKey SigningKey::generate() { return from_seed(SecretKey<32>::random()); }

SigningKey SigningKey::from_seed(const SecretKey<32>& seed) {
  ensure_sodium();
  SecretKey<64> secret;
  SigningPublicKey public_key{};
  crypto_sign_seed_keypair(public_key.data(), secret.expose_mutable().data(), seed.expose().data());
  return {std::move(secret), public_key};
}

SecretKey<32> SigningKey::expose_seed() const {
  return SecretKey<32>::copy_of(secret_.expose().first<32>());
}

Signature SigningKey::sign(std::string_view domain, std::span<const std::uint8_t> message) const {
  // Pure Ed25519 over the framed message (not Ed25519ph): verifiers with any library can check it.
  const std::vector<std::uint8_t> signed_message = framed(domain, message);
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, signed_message.data(), signed_message.size(),
                       secret_.expose().data());
  return signature;
}

bool verify_signature(const SigningPublicKey& key, std::string_view domain,
                      std::span<const std::uint8_t> message, const Signature& signature) {
  ensure_sodium();
  const std::vector<std::uint8_t> signed_message = framed(domain, message);
  return crypto_sign_verify_detached(signature.data(), signed_message.data(), signed_message.size(),
                                     key.data()) == 0;
}

Hash256 hash256(std::string_view domain,
                std::initializer_list<std::span<const std::uint8_t>> parts) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                            domain.size());
  const unsigned char zero = 0;
  crypto_generichash_update(&state, &zero, 1);
  for (const auto part : parts) {
    crypto_generichash_update(&state, part.data(), part.size());
  }
  Hash256 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

}  // namespace draaischijf::protocol
