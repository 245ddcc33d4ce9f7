#pragma once

// What the record says about disclosures, as values both the hub (which keeps the record) and
// the client (which reads it for a CLB) use. Their JSON form is in record_json.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::policies {

/// One line of the disclosure register: a message about a pupil that was allowed out, to whom,
/// when, on what basis and with whose approval (docs/POLICY.md 9).
struct Disclosure {
  std::int64_t at_ms = 0;
  protocol::Id message_id{};
  std::string sender_staff;
  std::string sender_role;
  protocol::Id recipient_org{};
  protocol::Id recipient_mailbox{};
  std::string kind;
  std::string purpose;
  std::string categories;   // comma separated
  std::string legal_basis;  // consent:ID or rule:IDS
  std::string rule_ids;
  std::string policy_version;
  std::string approved_by;  // the staff ids of counted second approvals
};

/// The event of the audit row the hub writes for every policy decision on a submission.
inline constexpr std::string_view kPolicyDecisionEvent = "policy.decision";

/// The detail of a policy.decision audit row: "outcome=O recipient_org=<hex> mailbox=<hex>
/// kind=K purpose=P categories=C". The hub writes it; a reader proving a disclosure rebuilds it.
[[nodiscard]] std::string decision_detail(std::string_view outcome,
                                          const protocol::Id& recipient_org,
                                          const protocol::Id& recipient_mailbox,
                                          std::string_view kind, std::string_view purpose,
                                          std::string_view categories);

/// Whether `row` is the audit row of the allow that put `line` in the register of `org` about
/// `pupil`: a policy.decision of that organisation, at the same time and for the same message,
/// whose detail and NEN 7513 fields are the line's (its approvers as on-behalf-of). A register
/// line is proved by the record log only through such a row (docs/PROTOCOL.md 13.7).
[[nodiscard]] bool records_disclosure(const protocol::AuditRecordView& row, const Disclosure& line,
                                      const protocol::Id& org, const protocol::Hash256& pupil);

/// A register line with what proves it: the audit row of its decision and that row's index in
/// the hub's record log; no row once retention deleted it (audit rows and register lines have
/// periods of their own).
struct RecordedDisclosure {
  Disclosure line;
  std::optional<protocol::AuditRecord> decision;
  std::uint64_t record_index = 0;
};

/// A queued message its sender's CLB took back: the consent it was sent under was revoked
/// before the recipient fetched it. Its content never reaches the recipient.
struct Withdrawal {
  protocol::Id mailbox_id{};  // the recipient mailbox it was queued in
  std::int64_t sequence = 0;
  protocol::Id message_id{};
};

}  // namespace draaischijf::policies
