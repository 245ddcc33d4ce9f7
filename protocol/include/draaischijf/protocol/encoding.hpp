#pragma once

// Text encodings used by age and by the project's own key strings. Decoders are strict: a string
// that has more than one encoding of the same bytes is refused (age spec: canonical base64).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

/// Standard-alphabet base64 without padding (RFC 4648 section 4, as age writes it).
[[nodiscard]] std::string base64_encode(std::span<const std::uint8_t> bytes);
/// Refuses padding, whitespace, other alphabets and non-zero unused trailing bits.
[[nodiscard]] Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

/// Lower-case hexadecimal.
[[nodiscard]] std::string hex_encode(std::span<const std::uint8_t> bytes);
/// Accepts lower-case hexadecimal only (the canonical form).
[[nodiscard]] Result<std::vector<std::uint8_t>> hex_decode(std::string_view text);

/// Bech32 (BIP 173, not Bech32m) with the age convention of no length limit. `upper` writes the
/// whole string in upper case, as age does for secret keys.
[[nodiscard]] std::string bech32_encode(std::string_view hrp, std::span<const std::uint8_t> data,
                                        bool upper);

struct Bech32Decoded {
  std::string hrp;    // lower case
  SecretBuffer data;  // may be an age secret key: wiped when freed
};
/// Refuses mixed case, a bad checksum and non-zero padding bits.
[[nodiscard]] Result<Bech32Decoded> bech32_decode(std::string_view text);

}  // namespace draaischijf::protocol
