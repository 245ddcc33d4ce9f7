#include <algorithm>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {
namespace {

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

std::string decision_detail(std::string_view outcome, const protocol::Id& recipient_org,
                            const protocol::Id& recipient_mailbox, std::string_view kind,
                            std::string_view purpose, std::string_view categories) {
  std::string detail = "outcome=";
  detail.append(outcome)
      .append(" recipient_org=")
      .append(protocol::hex_encode(recipient_org))
      .append(" mailbox=")
      .append(protocol::hex_encode(recipient_mailbox))
      .append(" kind=")
      .append(kind)
      .append(" purpose=")
      .append(purpose)
      .append(" categories=")
      .append(categories);
  return detail;
}

bool records_disclosure(const protocol::AuditRecordView& row, const Disclosure& line,
                        const protocol::Id& org, const protocol::Hash256& pupil) {
  return row.event == kPolicyDecisionEvent && row.at_ms == line.at_ms && same_bytes(row.org, org) &&
         same_bytes(row.message, line.message_id) && same_bytes(row.pupil, pupil) &&
         row.detail == decision_detail("allow", line.recipient_org, line.recipient_mailbox,
                                       line.kind, line.purpose, line.categories) &&
         row.user == line.sender_staff && row.role == line.sender_role &&
         row.on_behalf_of == line.approved_by && row.legal_basis == line.legal_basis &&
         row.rule_ids == line.rule_ids && row.policy_version == line.policy_version;
}

}  // namespace draaischijf::policies
