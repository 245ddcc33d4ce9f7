#pragma once

// Expected values computed in the test from the text of docs/PROTOCOL.md with libsodium directly,
// never with the protocol library the hub and the client share: a test that compares the hub's
// output with these fails when both sides changed together (a domain string, a field order).

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include <sodium.h>

namespace draaischijf::testing {

/// 1.6: BLAKE2b-256(domain ‖ 0x00 ‖ parts...), the message written out whole and hashed at once.
inline std::array<std::uint8_t, 32> blake2b_256_domain(
    std::string_view domain, std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::vector<std::uint8_t> message(domain.begin(), domain.end());
  message.push_back(0);
  for (const auto part : parts) {
    message.insert(message.end(), part.begin(), part.end());
  }
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), nullptr, 0);
  return out;
}

/// 8.3: the envelope hash is BLAKE2b-256 over "draaischijf/envelope-hash/v1" ‖ 0x00 ‖ envelope.
inline std::array<std::uint8_t, 32> independent_envelope_hash(
    std::span<const std::uint8_t> envelope) {
  return blake2b_256_domain("draaischijf/envelope-hash/v1", {envelope});
}

/// 8.4 and 1.7: the receipt's last 64 bytes are the Ed25519 signature of the hub key over
/// "draaischijf/receipt/v2" ‖ 0x00 ‖ every byte before them.
inline bool independent_receipt_signature_ok(std::span<const std::uint8_t> receipt,
                                             std::span<const std::uint8_t, 32> hub_public_key) {
  if (receipt.size() < 64) {
    return false;
  }
  constexpr std::string_view kDomain = "draaischijf/receipt/v2";
  std::vector<std::uint8_t> message(kDomain.begin(), kDomain.end());
  message.push_back(0);
  message.insert(message.end(), receipt.begin(), receipt.end() - 64);
  return crypto_sign_verify_detached(receipt.last(64).data(), message.data(), message.size(),
                                     hub_public_key.data()) == 0;
}

}  // namespace draaischijf::testing
