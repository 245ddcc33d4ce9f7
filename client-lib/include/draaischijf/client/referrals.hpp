#pragma once

// The referral lifecycle from a device (docs/WORKFLOW.md 3): a partner's device signs the
// status statements that move a referral it received (docs/PROTOCOL.md 7.18), the referring
// CLB's device signs its cancellation, and either lists its referrals. The hub is not trusted:
// every statement it serves is checked here against the pinned organisation keys and the
// transition table (policies::check_referral_history), and a referral whose served history
// does not check out, or whose state the statements do not prove, is flagged.
//
//   Referrals referrals{session};
//   referrals.set_status(message_id, {.state = ReferralState::waitlisted, .day = start});
//   for (const auto& r : referrals.list({.overdue_only = true}).value()) { ... r.flagged ... }

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/referral_status.hpp>

namespace draaischijf::client {

/// One step a device asks for: the state, the reason (declined) or outcome (closed) code, the
/// date (waitlisted: expected start; intake_planned: the intake), as days since 1970-01-01.
struct ReferralStep {
  protocol::ReferralState state = protocol::ReferralState::received;
  std::uint8_t code = 0;
  std::uint32_t day = 0;
};

/// A referral as the hub lists it, with what this device checked.
struct ReferralView {
  protocol::Id message_id{};
  protocol::Id referrer_org{};
  protocol::Id partner_org{};
  std::string kind;
  std::int64_t sent_at_ms = 0;
  protocol::ReferralState hub_state = protocol::ReferralState::sent;  // the hub's word
  protocol::ReferralState state = protocol::ReferralState::sent;      // what the statements prove
  std::uint32_t statements = 0;                                       // that checked out
  std::vector<policies::StatementCheck> checks;                       // one per statement served
  bool flagged = false;      // a statement failed its check, or the hub's state is not proved
  std::string received_due;  // YYYY-MM-DD, the hub's computation on its calendar
  std::string answered_due;
  bool overdue = false;
};

struct ReferralFilter {
  std::optional<protocol::ReferralState> state;
  std::optional<protocol::Id> partner;  // the other organisation
  bool overdue_only = false;
};

class Referrals {
 public:
  /// `session` must outlive this handle.
  explicit Referrals(Session& session) noexcept : state_(&session.state()) {}

  /// Signs and records the next statement on the referral `message_id` this device's
  /// organisation received (or, for `cancelled`, sent: `partner` picks the partner when the
  /// referral went to more than one). Refuses with hub_answer_invalid when the served history
  /// does not check out: a statement on top of an unproved state would prove nothing.
  [[nodiscard]] protocol::Result<ReferralView> set_status(
      const protocol::Id& message_id, const ReferralStep& step,
      std::optional<protocol::Id> partner = std::nullopt);
  /// Every referral of the organisation's side matching the filter (all pages), each checked.
  [[nodiscard]] protocol::Result<std::vector<ReferralView>> list(const ReferralFilter& filter = {});
  /// The referral's rows this organisation may see, each checked.
  [[nodiscard]] protocol::Result<std::vector<ReferralView>> get(const protocol::Id& message_id);

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
