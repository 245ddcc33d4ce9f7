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

/// The strings of the array under `key`; nullopt when absent or holding anything else.
[[nodiscard]] inline std::optional<std::vector<std::string>> texts(const json::object& o,
                                                                   std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) {
      return std::nullopt;
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

inline constexpr std::string_view kPolicyRefused = "urn:draaischijf:problem:policy-refused";
inline constexpr std::string_view kConsentInvalid = "urn:draaischijf:problem:consent-invalid";

/// The policy-refused problem's extension members. The outcome, rule ids and reasons must be
/// there; the rest is read when present.
[[nodiscard]] inline std::optional<PolicyRefusal> policy_refusal_of(const json::object& body) {
  PolicyRefusal refusal;
  refusal.by_hub = true;
  const auto outcome = text(body, "outcome");
  auto rule_ids = texts(body, "rule_ids");
  const auto reasons = objects(body, "reasons");
  if (!outcome || !rule_ids || !reasons) {
    return std::nullopt;
  }
  refusal.outcome = *outcome;
  refusal.rule_ids = std::move(*rule_ids);
  for (const auto& r : *reasons) {
    refusal.reasons.push_back({text(r, "rule_id").value_or(""), text(r, "nl").value_or(""),
                               text(r, "en").value_or(""), text(r, "source").value_or("")});
  }
  refusal.consent_from = text(body, "consent_from").value_or("");
  refusal.approval_role = text(body, "approval_role").value_or("");
  refusal.recipient_org = id(body, "recipient_org").value_or(protocol::Id{});
  refusal.policy_version = text(body, "policy_version").value_or("");
  refusal.notes = texts(body, "notes").value_or(std::vector<std::string>{});
  // Which consent on record did not count and why (docs/POLICY.md 6), in the same list.
  for (const auto& n : objects(body, "consent_notes").value_or(std::vector<json::object>{})) {
    refusal.notes.push_back(text(n, "en").value_or(""));
  }
  return refusal;
}

/// The consent-invalid problem's issues.
[[nodiscard]] inline std::vector<ConsentIssueText> consent_issues_of(const json::object& body) {
  std::vector<ConsentIssueText> out;
  for (const auto& i : objects(body, "issues").value_or(std::vector<json::object>{})) {
    out.push_back({text(i, "issue").value_or(""), text(i, "rule_id").value_or(""),
                   text(i, "nl").value_or(""), text(i, "en").value_or("")});
  }
  return out;
}

[[nodiscard]] inline HubProblem problem_of(const HubReply& reply) {
  HubProblem problem;
  problem.status = reply.status;
  problem.retry_after_seconds = reply.retry_after_seconds;
  if (const auto body = object_of(reply.body)) {
    problem.type = text(*body, "type").value_or("");
    problem.title = text(*body, "title").value_or("");
    problem.detail = text(*body, "detail").value_or("");
    if (problem.type == kPolicyRefused) {
      problem.policy = policy_refusal_of(*body);
    } else if (problem.type == kConsentInvalid) {
      problem.issues = consent_issues_of(*body);
    }
  }
  if (problem.title.empty()) {
    problem.title = "HTTP " + std::to_string(reply.status);
  }
  return problem;
}

}  // namespace draaischijf::client::hub_json
