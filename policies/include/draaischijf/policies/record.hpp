#pragma once

// What the record says about disclosures, as values both the hub (which keeps the record) and
// the client (which reads it for a CLB) use. Their JSON form is in record_json.hpp.

#include <cstdint>
#include <string>

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

/// A queued message its sender's CLB took back: the consent it was sent under was revoked
/// before the recipient fetched it. Its content never reaches the recipient.
struct Withdrawal {
  protocol::Id mailbox_id{};  // the recipient mailbox it was queued in
  std::int64_t sequence = 0;
  protocol::Id message_id{};
};

}  // namespace draaischijf::policies
