#pragma once

// The referral lifecycle as a pure transition table (docs/WORKFLOW.md, "Referral lifecycle"):
// which state may follow which, who may set it, and each state's FHIR R4 Task.status. No I/O,
// no clock: the hub checks every signed status statement against it before recording it, and
// every client checks the statements the hub serves against it again.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/protocol/referral_status.hpp>

namespace draaischijf::policies {

using protocol::ReferralState;

/// Who may set a state: the partner organisation the referral went to, or the CLB that sent it
/// (only `cancelled`).
enum class ReferralParty { referrer, partner };

[[nodiscard]] ReferralParty party_of(ReferralState state) noexcept;

/// No statement follows a terminal state (declined, closed, cancelled): a reopened referral is
/// a new referral.
[[nodiscard]] bool is_terminal(ReferralState state) noexcept;

/// The states that may follow `from`, in code order (empty for a terminal state).
[[nodiscard]] std::span<const ReferralState> next_states(ReferralState from) noexcept;

[[nodiscard]] bool may_follow(ReferralState from, ReferralState to) noexcept;

/// The partner has answered: accepted, declined, waitlisted, or any later state
/// (partner_answered_days counts until this).
[[nodiscard]] bool is_answered(ReferralState state) noexcept;

/// The FHIR R4 Task.status code (http://hl7.org/fhir/task-status) and the businessStatus text
/// Draaischijf adds where one FHIR status holds two of its states (empty when none).
struct FhirTaskStatus {
  std::string_view status;
  std::string_view business_status;
};
[[nodiscard]] FhirTaskStatus fhir_task_status(ReferralState state) noexcept;

/// A statement's date field and the hub's due days: days since 1970-01-01 (1970-01-01 is 0,
/// which a statement reserves for "no date").
[[nodiscard]] std::uint32_t day_number(CivilDate date) noexcept;
[[nodiscard]] CivilDate date_of_day(std::uint32_t day) noexcept;

/// What a client found when it checked a statement the hub served (docs/PROTOCOL.md 7.18).
enum class StatementCheck {
  ok,
  unparsable,          // not a statement
  wrong_referral,      // about another referral or partner than the one asked for
  untrusted_signer,    // the certificate does not verify against the trusted organisation key
  bad_signature,       // the signature does not verify
  wrong_party,         // a state the signer's organisation may not set
  out_of_sequence,     // not the next sequence number
  illegal_transition,  // the state may not follow the one before
};
[[nodiscard]] std::string_view name_of(StatementCheck check) noexcept;

/// The trusted signing key of an organisation, or nullopt when the client trusts none.
using OrganisationKeyOf =
    std::function<std::optional<protocol::SigningPublicKey>(const protocol::Id& org)>;

struct ReferralHistoryCheck {
  ReferralState state = ReferralState::sent;  // after the statements that checked out
  std::vector<StatementCheck> checks;         // one per statement, in the order served
  [[nodiscard]] bool all_ok() const noexcept;
};

/// Checks the statements the hub served for the referral `referral_id` from `referrer_org` to
/// `partner_org`, in order from `sent`. The state advances only over statements that check out;
/// after the first that does not, the rest are out of sequence. Pure: the keys come from
/// the client's trust store.
[[nodiscard]] ReferralHistoryCheck check_referral_history(
    const protocol::Id& referral_id, const protocol::Id& referrer_org,
    const protocol::Id& partner_org, std::span<const std::vector<std::uint8_t>> statements,
    const OrganisationKeyOf& key_of);

}  // namespace draaischijf::policies
