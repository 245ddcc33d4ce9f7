#pragma once

// Row helpers the message store and the directory share.

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <draaischijf/server/sqlite.hpp>

namespace draaischijf::server::rows {

template <std::size_t N>
[[nodiscard]] std::array<std::uint8_t, N> fixed(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

/// One audit row. Details name ids, counts and kinds: never content or personal data.
[[nodiscard]] sqlite::Result<void> insert_audit(sqlite::Database& db, std::int64_t at_ms,
                                                std::string_view event,
                                                std::span<const std::uint8_t> org,
                                                std::span<const std::uint8_t> device,
                                                std::span<const std::uint8_t> message,
                                                std::string_view detail);

/// Steps through every row, calling `each(statement)`.
template <class Each>
[[nodiscard]] sqlite::Result<void> for_each_row(sqlite::Statement& statement, Each&& each) {
  while (true) {
    auto row = statement.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
    each(statement);
  }
}

}  // namespace draaischijf::server::rows
