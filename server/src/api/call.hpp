#pragma once

// What every /v1 handler shares: the request on its way through the router (Call), with its
// JSON and problem answers, and the small parsers of path and body fields. Private to the hub.

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/merkle.hpp>

#include "api/api.hpp"

namespace draaischijf::server::api_call {

namespace json = boost::json;
using protocol::Id;

inline constexpr std::size_t kMaxJsonBody = 1024 * 1024;
inline constexpr std::size_t kDefaultPage = 100;
inline constexpr std::size_t kMaxPage = 1000;

inline std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }
inline std::string b64(std::span<const std::uint8_t> bytes) {
  return protocol::base64_encode(bytes);
}
/// A Merkle proof as the log routes write one: its hashes in unpadded base64, leaf first.
inline json::array hashes_json(std::span<const protocol::merkle::Hash> hashes) {
  json::array out;
  for (const auto& h : hashes) {
    out.emplace_back(b64(h));
  }
  return out;
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed_from(std::optional<std::vector<std::uint8_t>> in) {
  if (!in || in->size() != N) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> out{};
  std::copy(in->begin(), in->end(), out.begin());
  return out;
}

inline std::optional<std::vector<std::uint8_t>> decoded(
    protocol::Result<std::vector<std::uint8_t>> r) {
  return r ? std::optional(std::move(*r)) : std::nullopt;
}

inline std::optional<Id> parse_id(std::string_view text) {
  return fixed_from<16>(decoded(protocol::hex_decode(text)));
}

inline std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || text.empty() ||
      (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  return value;
}

// A query value as the client percent-encoded it ("Sint-Niklaas", "Sint%20Niklaas", '+' for a
// space); nullopt for a broken escape.
inline std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      unsigned value = 0;
      const char* first = text.data() + i + 1;
      if (i + 2 >= text.size() || std::from_chars(first, first + 2, value, 16).ptr != first + 2) {
        return std::nullopt;
      }
      out += static_cast<char>(value);
      i += 2;
    }
  }
  return out;
}

// A request on its way through the router.
struct Call {
  ApiParts& parts;
  const Caller& caller;
  ApiRequest& request;
  const std::string& request_id;
  std::vector<std::string_view> params;  // the {placeholders} of the route, in order
  std::string_view query;

  [[nodiscard]] Actor actor() const { return {caller.org_id, caller.device_id}; }
  /// The hub's time, from the injected clock.
  [[nodiscard]] std::int64_t now_ms() const { return parts.clock.now_ms(); }

  [[nodiscard]] Reply json(Status status, const json::value& body) const {
    return {static_cast<unsigned>(status), "application/json", json::serialize(body), {}};
  }
  [[nodiscard]] Reply problem(ProblemKind kind, std::string extra = {},
                              json::object extensions = {}) const {
    return problem_reply(problem_type(kind), request_id, std::move(extra), std::move(extensions));
  }
  [[nodiscard]] Reply problem(const boost::system::error_code& error, std::string extra = {},
                              json::object extensions = {}) const {
    if (extra.empty() && error.category() == directory_category() &&
        error != directory_errc::not_found) {
      extra = "Reason: " + error.message() + ".";  // fixed strings: no user data
    }
    return problem_reply(problem_type_for(error), request_id, std::move(extra),
                         std::move(extensions));
  }
  [[nodiscard]] std::optional<std::string_view> query_value(std::string_view key) const {
    std::string_view rest = query;
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == key) {
        return pair.substr(eq + 1);
      }
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return std::nullopt;
  }
  [[nodiscard]] std::optional<json::object> json_body() const {
    if (request.body.size() > kMaxJsonBody) {
      return std::nullopt;
    }
    boost::system::error_code ec;
    json::value value = json::parse(
        std::string_view(reinterpret_cast<const char*>(request.body.data()), request.body.size()),
        ec);
    if (ec || !value.is_object()) {
      return std::nullopt;
    }
    return std::move(value.as_object());
  }
};

inline std::optional<std::string_view> string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string_view(v->as_string());
}

inline std::optional<std::vector<std::uint8_t>> bytes_field(const json::object& o,
                                                            std::string_view key) {
  const auto text = string_field(o, key);
  return text ? decoded(protocol::base64_decode(*text)) : std::nullopt;
}

using Handler = Task<Reply> (*)(Call&);

// {"<key>": [to_json(item), ...]}
template <class Items, class ToJson>
json::object listing(std::string_view key, const Items& items, ToJson to_json) {
  json::array out;
  for (const auto& item : items) {
    out.push_back(to_json(item));
  }
  return {{key, std::move(out)}};
}

}  // namespace draaischijf::server::api_call
