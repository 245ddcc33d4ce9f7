#include "store/receipt_decisions.hpp"

#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::server {
namespace {

// The approvers of a record: the staff ids the gate joined with commas, in hex.
protocol::Result<std::vector<protocol::Id>> approver_ids(std::string_view joined) {
  std::vector<protocol::Id> ids;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    const auto bytes = protocol::hex_decode(joined.substr(0, comma));
    if (!bytes || bytes->size() != protocol::Id{}.size()) {
      return protocol::errc::field_out_of_range;
    }
    std::copy(bytes->begin(), bytes->end(), ids.emplace_back().begin());
    joined = comma == std::string_view::npos ? std::string_view() : joined.substr(comma + 1);
  }
  return ids;
}

}  // namespace

protocol::Result<protocol::ReceiptDecisions> receipt_decisions(
    std::span<const PolicyRecord> records) {
  if (records.empty()) {
    return protocol::errc::field_out_of_range;
  }
  protocol::ReceiptDecisions decided;
  decided.rule_set_version = records.front().policy_version;
  for (const PolicyRecord& record : records) {
    if (record.policy_version != decided.rule_set_version) {
      return protocol::errc::field_out_of_range;
    }
    auto approvers = approver_ids(record.on_behalf_of);
    if (!approvers) {
      return approvers.error();
    }
    decided.decisions.push_back(
        {record.recipient_mailbox, record.rule_ids, record.legal_basis, std::move(*approvers)});
  }
  if (auto valid = protocol::check_decisions(decided); !valid) {
    return valid.error();
  }
  return decided;
}

}  // namespace draaischijf::server
