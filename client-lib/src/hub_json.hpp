#pragma once

// Reading the hub's JSON answers: every field is checked for its type and form, and a missing
// or malformed one makes the whole answer invalid (never a default value).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/hub_connection.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "fixed_bytes.hpp"

namespace draaischijf::client::hub_json {

namespace json = boost::json;

[[nodiscard]] inline std::optional<json::object> object_of(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  return std::move(value.as_object());
}

[[nodiscard]] inline std::optional<std::string> text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->as_string());
}

[[nodiscard]] inline std::optional<std::uint64_t> count(const json::object& o,
                                                        std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_uint64()) {
    return v->as_uint64();
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    return static_cast<std::uint64_t>(v->as_int64());
  }
  return std::nullopt;
}

[[nodiscard]] inline std::optional<bool> flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) {
    return std::nullopt;
  }
  return v->as_bool();
}

[[nodiscard]] inline std::optional<std::vector<std::uint8_t>> base64(const json::object& o,
                                                                     std::string_view key) {
  const auto t = text(o, key);
  if (!t) {
    return std::nullopt;
  }
  auto bytes = protocol::base64_decode(*t);
  if (!bytes) {
    return std::nullopt;
  }
  return std::move(*bytes);
}

template <std::size_t N>
[[nodiscard]] std::optional<std::array<std::uint8_t, N>> fixed(
    std::optional<std::vector<std::uint8_t>> bytes) {
  if (!bytes) {
    return std::nullopt;
  }
  return exactly<N>(std::move(*bytes));
}

[[nodiscard]] inline std::optional<protocol::Id> id(const json::object& o, std::string_view key) {
  const auto t = text(o, key);
  if (!t) {
    return std::nullopt;
  }
  return exactly<16>(protocol::hex_decode(*t));
}

[[nodiscard]] inline std::optional<protocol::Id> parse_id(std::string_view hex) {
  return exactly<16>(protocol::hex_decode(hex));
}

/// The array under `key`, its objects only; nullopt when absent or holding anything else.
[[nodiscard]] inline std::optional<std::vector<json::object>> objects(const json::object& o,
                                                                      std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) {
    return std::nullopt;
  }
  std::vector<json::object> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_object()) {
      return std::nullopt;
    }
    out.push_back(item.as_object());
  }
  return out;
}

[[nodiscard]] inline HubProblem problem_of(const HubReply& reply) {
  HubProblem problem{reply.status, {}, {}, {}};
  if (const auto body = object_of(reply.body)) {
    problem.type = text(*body, "type").value_or("");
    problem.title = text(*body, "title").value_or("");
    problem.detail = text(*body, "detail").value_or("");
  }
  if (problem.title.empty()) {
    problem.title = "HTTP " + std::to_string(reply.status);
  }
  return problem;
}

}  // namespace draaischijf::client::hub_json
