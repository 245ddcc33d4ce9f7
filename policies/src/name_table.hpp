#pragma once

// Enum <-> stable name tables (the names in JSON, the configuration and the CLI), shared by the
// workflow vocabularies (targets.cpp, case_states.cpp).

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace draaischijf::policies::names {

template <class Enum, std::size_t N>
using Table = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, std::size_t N>
std::string_view name_in(const Table<Enum, N>& table, Enum value) noexcept {
  for (const auto& [entry, name] : table) {
    if (entry == value) {
      return name;
    }
  }
  return {};
}

template <class Enum, std::size_t N>
std::optional<Enum> parse_in(const Table<Enum, N>& table, std::string_view name) noexcept {
  for (const auto& [entry, entry_name] : table) {
    if (entry_name == name) {
      return entry;
    }
  }
  return std::nullopt;
}

}  // namespace draaischijf::policies::names
