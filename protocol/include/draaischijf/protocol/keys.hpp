#pragma once

// Identifiers and Ed25519 signing keys. Signing keys and encryption (X25519) keys are always
// separate key pairs: a device has one of each, an organisation signs with its own key only.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

/// A random 128-bit identifier (organisation, device, staff member, mailbox, message, thread).
using Id = std::array<std::uint8_t, 16>;
using Signature = std::array<std::uint8_t, 64>;
using SigningPublicKey = std::array<std::uint8_t, 32>;
/// BLAKE2b-256 over a domain string and the public key: names a signing key in certificates.
using KeyId = std::array<std::uint8_t, 32>;
using Hash256 = std::array<std::uint8_t, 32>;

[[nodiscard]] Id random_id();
[[nodiscard]] bool is_zero(std::span<const std::uint8_t> bytes) noexcept;
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

[[nodiscard]] KeyId key_id_of(const SigningPublicKey& key);

/// An Ed25519 key pair. Signing always names a domain, so a signature over one kind of object
/// can never be taken for a signature over another (CVE-2022-39251 was such a confusion).
class SigningKey {
 public:
  [[nodiscard]] static SigningKey generate();
  /// From the 32-byte seed (for key files); the seed is the secret.
  [[nodiscard]] static SigningKey from_seed(const SecretKey<32>& seed);

  [[nodiscard]] const SigningPublicKey& public_key() const noexcept { return public_key_; }
  [[nodiscard]] KeyId key_id() const { return key_id_of(public_key_); }
  [[nodiscard]] Signature sign(std::string_view domain,
                               std::span<const std::uint8_t> message) const;
  /// The 32-byte seed, for writing to a protected key file.
  [[nodiscard]] SecretKey<32> expose_seed() const;

 private:
  SigningKey(SecretKey<64> secret, const SigningPublicKey& public_key)
      : secret_(std::move(secret)), public_key_(public_key) {}
  SecretKey<64> secret_;
  SigningPublicKey public_key_{};
};

/// Verifies a domain-separated Ed25519 signature (libsodium 1.0.18 rejects small-order and
/// non-canonical points, which pins the verifier for audits).
[[nodiscard]] bool verify_signature(const SigningPublicKey& key, std::string_view domain,
                                    std::span<const std::uint8_t> message,
                                    const Signature& signature);

/// BLAKE2b-256 of a domain string followed by the parts.
[[nodiscard]] Hash256 hash256(std::string_view domain,
                              std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace draaischijf::protocol
