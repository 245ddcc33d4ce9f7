#pragma once

// One audit row of the hub as its record log holds it (docs/PROTOCOL.md 13.4): the fields the
// row hash covers and the entry made from them. The hub appends the entry when it writes the
// row; `audit verify`, a checked DPO export and a client reading the disclosure register rebuild
// it from the row alone, so the definition lives here, once.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

/// The event of an accepted envelope's row, whose detail may name its version 3 receipt.
inline constexpr std::string_view kEnvelopeAcceptedEvent = "envelope.accepted";
/// What an acceptance row's detail ends with, followed by the receipt digest in 64 hex digits.
inline constexpr std::string_view kReceiptDetailField = " receipt=";

/// The row's fields as the hash takes them; an absent value is empty.
struct AuditRecordView {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::string_view event;
  std::span<const std::uint8_t> org;
  std::span<const std::uint8_t> device;
  std::span<const std::uint8_t> message;
  std::string_view detail;
  std::span<const std::uint8_t> pupil;
  std::string_view user;
  std::string_view on_behalf_of;
  std::string_view role;
  std::string_view legal_basis;
  std::string_view rule_ids;
  std::string_view policy_version;
};

/// The same fields, owned (what a reader parsed from an answer or an export).
struct AuditRecord {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::string event;
  std::vector<std::uint8_t> org;
  std::vector<std::uint8_t> device;
  std::vector<std::uint8_t> message;
  std::string detail;
  std::vector<std::uint8_t> pupil;
  std::string user;
  std::string on_behalf_of;
  std::string role;
  std::string legal_basis;
  std::string rule_ids;
  std::string policy_version;

  [[nodiscard]] AuditRecordView view() const noexcept {
    return {id,    at_ms, event,        org,  device,      message,  detail,
            pupil, user,  on_behalf_of, role, legal_basis, rule_ids, policy_version};
  }
};

/// hash256("draaischijf/audit-record/v1", id (u64) ‖ at_ms (u64) ‖ each other field as bytes32,
/// in the order of AuditRecordView).
[[nodiscard]] Hash256 audit_row_hash(const AuditRecordView& row);

/// The receipt digest an acceptance row's detail ends with (kReceiptDetailField); nullopt for
/// any other event, or a detail that names none.
[[nodiscard]] std::optional<Hash256> named_receipt(std::string_view event, std::string_view detail);

/// The row's record-log entry given its hash: the hash itself, or for an acceptance that names
/// a receipt digest, receipt_record_entry(digest, row_hash).
[[nodiscard]] Hash256 audit_record_entry(std::string_view event, std::string_view detail,
                                         const Hash256& row_hash);
[[nodiscard]] inline Hash256 audit_record_entry(const AuditRecordView& row) {
  return audit_record_entry(row.event, row.detail, audit_row_hash(row));
}

}  // namespace draaischijf::protocol
