#pragma once

// The hub's signed receipt for an accepted envelope: proof for the sender that the hub stored
// exactly these bytes at that time under that sequence number, and proof the hub cannot later
// deny. Signed with the hub's own Ed25519 key, which clients pin like an organisation key.

#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

struct Receipt {
  Id message_id{};
  Hash256 envelope_hash{};
  std::uint64_t received_at_ms = 0;
  std::uint64_t sequence = 0;
  KeyId hub_key{};
  Signature signature{};
};

inline constexpr std::size_t kReceiptSize = 4 + 1 + 16 + 32 + 8 + 8 + 32 + 64;

[[nodiscard]] Receipt sign_receipt(const Id& message_id, const Hash256& envelope_hash,
                                   std::uint64_t received_at_ms, std::uint64_t sequence,
                                   const SigningKey& hub_key);
/// errc::certificate_untrusted for another hub key, errc::signature_invalid for a bad signature.
[[nodiscard]] Result<void> verify(const Receipt& receipt, const SigningPublicKey& hub_key);
[[nodiscard]] std::vector<std::uint8_t> encode(const Receipt& receipt);
[[nodiscard]] Result<Receipt> parse_receipt(std::span<const std::uint8_t> in);

}  // namespace draaischijf::protocol
