#pragma once

// What the configuration's readers share (config.cpp holds the table of keys, the other files
// one section each): each reader validates one value and returns what is wrong with it, or an
// empty string.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server::config_detail {

template <class T>
std::string read_integer(const toml::node& node, T& out, std::int64_t min, std::int64_t max) {
  const auto value = node.value<std::int64_t>();
  if (!node.is_integer() || !value) {
    return "expected an integer";
  }
  if (*value < min || *value > max) {
    return "expected a value from " + std::to_string(min) + " to " + std::to_string(max);
  }
  out = static_cast<T>(*value);
  return {};
}

inline std::string read_string(const toml::node& node, std::string& out) {
  const auto value = node.value<std::string>();
  if (!node.is_string() || !value) {
    return "expected a string";
  }
  out = *value;
  return {};
}

/// A key of [workflow] (workflow_config.cpp): nullopt when `name` is not under "workflow.",
/// else the error ("" when the value was taken).
[[nodiscard]] std::optional<std::string> read_workflow_setting(std::string_view name,
                                                               const toml::node& node,
                                                               HubConfig& config);

/// [[witness]] and [transparency] (witness_config.cpp): nullopt when `name` is neither, else the
/// error ("" when the value was taken).
[[nodiscard]] std::optional<std::string> read_transparency_setting(std::string_view name,
                                                                   const toml::node& node,
                                                                   HubConfig& config);

/// What only the whole [workflow] section can show (one target against another).
void check_workflow(const HubConfig& config, std::vector<ConfigError>& errors);

}  // namespace draaischijf::server::config_detail
