#include <algorithm>

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

std::span<const std::uint8_t> text_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

Hash256 audit_row_hash(const AuditRecordView& row) {
  std::vector<std::uint8_t> fields;
  wire::Writer w(fields);
  w.u64(static_cast<std::uint64_t>(row.id));
  w.u64(static_cast<std::uint64_t>(row.at_ms));
  for (const auto part :
       {text_bytes(row.event), row.org, row.device, row.message, text_bytes(row.detail), row.pupil,
        text_bytes(row.user), text_bytes(row.on_behalf_of), text_bytes(row.role),
        text_bytes(row.legal_basis), text_bytes(row.rule_ids), text_bytes(row.policy_version)}) {
    w.bytes32(part);
  }
  return hash256("draaischijf/audit-record/v1", {fields});
}

std::optional<Hash256> named_receipt(std::string_view event, std::string_view detail) {
  // Every audit row passes here: only an acceptance's detail is searched.
  if (event != kEnvelopeAcceptedEvent) {
    return std::nullopt;
  }
  const auto at = detail.rfind(kReceiptDetailField);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto bytes = hex_decode(detail.substr(at + kReceiptDetailField.size()));
  if (!bytes || bytes->size() != Hash256{}.size()) {
    return std::nullopt;
  }
  Hash256 digest{};
  std::copy(bytes->begin(), bytes->end(), digest.begin());
  return digest;
}

Hash256 audit_record_entry(std::string_view event, std::string_view detail,
                           const Hash256& row_hash) {
  const auto digest = named_receipt(event, detail);
  return digest ? receipt_record_entry(*digest, row_hash) : row_hash;
}

}  // namespace draaischijf::protocol
