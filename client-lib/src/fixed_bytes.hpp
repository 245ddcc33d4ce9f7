#pragma once

// Decoded text (hex, base64) into a fixed-size array: the one place that checks the length.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <sodium.h>

#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::client {

/// The decoded bytes when there are exactly N; nullopt on a decoding error or another length.
/// The decoded copy is wiped, since seeds pass through here.
template <std::size_t N>
[[nodiscard]] std::optional<std::array<std::uint8_t, N>> exactly(
    protocol::Result<std::vector<std::uint8_t>> decoded) {
  if (!decoded) {
    return std::nullopt;
  }
  std::optional<std::array<std::uint8_t, N>> out;
  if (decoded->size() == N) {
    out.emplace();
    std::copy(decoded->begin(), decoded->end(), out->begin());
  }
  sodium_memzero(decoded->data(), decoded->size());
  return out;
}

}  // namespace draaischijf::client
