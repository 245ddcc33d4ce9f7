#pragma once

// HKDF-SHA-256 (RFC 5869) on libsodium's HMAC-SHA-256: libsodium 1.0.18 has no HKDF of its own.

#include <cstdint>
#include <span>
#include <string_view>

#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

inline constexpr std::size_t kHkdfSha256MaxOutput = std::size_t{255} * 32;

/// Extract-then-expand. `length` must be at most kHkdfSha256MaxOutput (a broken invariant
/// otherwise: every caller asks for a fixed size).
[[nodiscard]] SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm,
                                      std::span<const std::uint8_t> salt, std::string_view info,
                                      std::size_t length);

/// HMAC-SHA-256 with a key of any length.
void hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                 std::span<std::uint8_t, 32> out);

}  // namespace draaischijf::protocol
