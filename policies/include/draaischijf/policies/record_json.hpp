#pragma once
// The wire form of the record's values (GET /v1/disclosures, the withdrawals a revocation
// answers with), written by the hub and read by the client from this one place:
//
//   {"at_ms": 1764979200000, "message_id": "<32 hex>", "sender_staff": "<32 hex>",
//    "sender_role": "clb_psycholoog", "recipient_org": "<32 hex>",
//    "recipient_mailbox": "<32 hex>", "kind": "doorverwijzing", "purpose": "doorverwijzing",
//    "categories": "psychisch_sociaal", "legal_basis": "consent:<32 hex>", "rule_ids": "R06",
//    "policy_version": "...", "approved_by": ""}
//   {"mailbox_id": "<32 hex>", "sequence": 12, "message_id": "<32 hex>"}
//   {"row_id": 812, "at_ms": 1764979200000, "event": "policy.decision", "org_id": "<32 hex>",
//    "device_id": "<32 hex>", "message_id": "<32 hex>", "detail": "outcome=allow ...",
//    "pupil": "<64 hex>", "user_id": "<32 hex>", "on_behalf_of": "", "role": "clb_psycholoog",
//    "legal_basis": "consent:<32 hex>", "rule_ids": "R06", "policy_version": "..."}
//                 (an audit row as the record log hashes it, protocol/audit_record.hpp)
//   [{"mailbox_id": "<32 hex>", "rule_ids": "R06", "legal_basis": "consent:<32 hex>",
//     "approvers": ["<32 hex>"]}]   (the decisions a receipt signs, for reading)
//
// Header-only, like consent_json.hpp: Boost.JSON's implementation is compiled once into each
// program that uses it.

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include <boost/json.hpp>

#include <draaischijf/policies/consent_json.hpp>
#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/receipt.hpp>

namespace draaischijf::policies {

namespace record_json_detail {

inline std::optional<protocol::Id> id(const boost::json::object& o, std::string_view key) {
  const auto text = consent_json_detail::text(o, key);
  if (!text) {
    return std::nullopt;
  }
  const auto bytes = protocol::hex_decode(*text);
  if (!bytes || bytes->size() != protocol::Id{}.size()) {
    return std::nullopt;
  }
  protocol::Id out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// Hex of any length (an absent or empty id is empty); nullopt for anything but hex.
inline std::optional<std::vector<std::uint8_t>> any_hex(const boost::json::object& o,
                                                        std::string_view key) {
  const auto text = consent_json_detail::text(o, key);
  if (!text) {
    return std::nullopt;
  }
  auto bytes = protocol::hex_decode(*text);
  return bytes ? std::optional(std::move(*bytes)) : std::nullopt;
}

inline std::optional<std::int64_t> count(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64() || v->as_int64() < 0) {
    return std::nullopt;
  }
  return v->as_int64();
}

}  // namespace record_json_detail

[[nodiscard]] inline boost::json::object to_json(const Disclosure& d) {
  return {{"at_ms", d.at_ms},
          {"message_id", protocol::hex_encode(d.message_id)},
          {"sender_staff", d.sender_staff},
          {"sender_role", d.sender_role},
          {"recipient_org", protocol::hex_encode(d.recipient_org)},
          {"recipient_mailbox", protocol::hex_encode(d.recipient_mailbox)},
          {"kind", d.kind},
          {"purpose", d.purpose},
          {"categories", d.categories},
          {"legal_basis", d.legal_basis},
          {"rule_ids", d.rule_ids},
          {"policy_version", d.policy_version},
          {"approved_by", d.approved_by}};
}

/// Nothing when a required field is missing or malformed; text fields default to empty.
[[nodiscard]] inline std::optional<Disclosure> disclosure_from_json(const boost::json::object& o) {
  namespace d = record_json_detail;
  const auto at = d::count(o, "at_ms");
  const auto message = d::id(o, "message_id");
  const auto org = d::id(o, "recipient_org");
  const auto mailbox = d::id(o, "recipient_mailbox");
  if (!at || !message || !org || !mailbox) {
    return std::nullopt;
  }
  const auto text = [&](std::string_view key) {
    return consent_json_detail::text(o, key).value_or("");
  };
  return Disclosure{*at,
                    *message,
                    text("sender_staff"),
                    text("sender_role"),
                    *org,
                    *mailbox,
                    text("kind"),
                    text("purpose"),
                    text("categories"),
                    text("legal_basis"),
                    text("rule_ids"),
                    text("policy_version"),
                    text("approved_by")};
}

[[nodiscard]] inline boost::json::object to_json(const Withdrawal& w) {
  return {{"mailbox_id", protocol::hex_encode(w.mailbox_id)},
          {"sequence", w.sequence},
          {"message_id", protocol::hex_encode(w.message_id)}};
}

[[nodiscard]] inline std::optional<Withdrawal> withdrawal_from_json(const boost::json::object& o) {
  namespace d = record_json_detail;
  const auto mailbox = d::id(o, "mailbox_id");
  const auto sequence = d::count(o, "sequence");
  const auto message = d::id(o, "message_id");
  if (!mailbox || !sequence || !message) {
    return std::nullopt;
  }
  return Withdrawal{*mailbox, *sequence, *message};
}

[[nodiscard]] inline boost::json::object to_json(const protocol::AuditRecordView& r) {
  return {{"row_id", r.id},
          {"at_ms", r.at_ms},
          {"event", r.event},
          {"org_id", protocol::hex_encode(r.org)},
          {"device_id", protocol::hex_encode(r.device)},
          {"message_id", protocol::hex_encode(r.message)},
          {"detail", r.detail},
          {"pupil", protocol::hex_encode(r.pupil)},
          {"user_id", r.user},
          {"on_behalf_of", r.on_behalf_of},
          {"role", r.role},
          {"legal_basis", r.legal_basis},
          {"rule_ids", r.rule_ids},
          {"policy_version", r.policy_version}};
}

/// Nothing when a field is missing or malformed: every field takes part in the row's hash.
[[nodiscard]] inline std::optional<protocol::AuditRecord> audit_record_from_json(
    const boost::json::object& o) {
  namespace d = record_json_detail;
  const auto id = d::count(o, "row_id");
  const auto at = d::count(o, "at_ms");
  auto org = d::any_hex(o, "org_id");
  auto device = d::any_hex(o, "device_id");
  auto message = d::any_hex(o, "message_id");
  auto pupil = d::any_hex(o, "pupil");
  std::array<std::optional<std::string>, 8> texts;
  constexpr std::array<std::string_view, 8> kTextKeys = {
      "event", "detail",      "user_id",  "on_behalf_of",
      "role",  "legal_basis", "rule_ids", "policy_version"};
  for (std::size_t i = 0; i < kTextKeys.size(); ++i) {
    texts[i] = consent_json_detail::text(o, kTextKeys[i]);
  }
  if (!id || !at || !org || !device || !message || !pupil ||
      std::any_of(texts.begin(), texts.end(), [](const auto& t) { return !t; })) {
    return std::nullopt;
  }
  return protocol::AuditRecord{*id,
                               *at,
                               std::move(*texts[0]),
                               std::move(*org),
                               std::move(*device),
                               std::move(*message),
                               std::move(*texts[1]),
                               std::move(*pupil),
                               std::move(*texts[2]),
                               std::move(*texts[3]),
                               std::move(*texts[4]),
                               std::move(*texts[5]),
                               std::move(*texts[6]),
                               std::move(*texts[7])};
}

/// The decisions a hub receipt signs, as the hub's 201 answer and the CLI's --json show them;
/// the signed receipt is what counts.
[[nodiscard]] inline boost::json::array to_json(
    std::span<const protocol::ReceiptDecision> decided) {
  boost::json::array out;
  for (const protocol::ReceiptDecision& d : decided) {
    boost::json::array approvers;
    for (const protocol::Id& approver : d.approvers) {
      approvers.push_back(boost::json::value(protocol::hex_encode(approver)));
    }
    out.push_back({{"mailbox_id", protocol::hex_encode(d.mailbox_id)},
                   {"rule_ids", d.rule_ids},
                   {"legal_basis", d.legal_basis},
                   {"approvers", std::move(approvers)}});
  }
  return out;
}

}  // namespace draaischijf::policies
