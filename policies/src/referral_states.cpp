#include <algorithm>
#include <array>
#include <chrono>

#include <draaischijf/policies/referral_states.hpp>

namespace draaischijf::policies {
namespace {

using S = ReferralState;

// One row per state: what may follow it. The partner may answer without a separate `received`
// (its answer shows it received the referral); `waitlisted` and `intake_planned` may repeat
// with a new date; the CLB may cancel until the help has started, after which only the
// partner closes it (with an outcome such as client_stopped).
constexpr std::array<S, 6> kFromSent = {S::received,   S::accepted,       S::declined,
                                        S::waitlisted, S::intake_planned, S::cancelled};
constexpr std::array<S, 5> kFromReceived = {S::accepted, S::declined, S::waitlisted,
                                            S::intake_planned, S::cancelled};
constexpr std::array<S, 5> kFromAccepted = {S::waitlisted, S::intake_planned, S::started, S::closed,
                                            S::cancelled};
constexpr std::array<S, 6> kFromWaitlisted = {S::accepted, S::waitlisted, S::intake_planned,
                                              S::started,  S::closed,     S::cancelled};
constexpr std::array<S, 4> kFromIntakePlanned = {S::intake_planned, S::started, S::closed,
                                                 S::cancelled};
constexpr std::array<S, 1> kFromStarted = {S::closed};

}  // namespace

ReferralParty party_of(ReferralState state) noexcept {
  return state == S::cancelled ? ReferralParty::referrer : ReferralParty::partner;
}

bool is_terminal(ReferralState state) noexcept {
  return state == S::declined || state == S::closed || state == S::cancelled;
}

std::span<const ReferralState> next_states(ReferralState from) noexcept {
  switch (from) {
    case S::sent:
      return kFromSent;
    case S::received:
      return kFromReceived;
    case S::accepted:
      return kFromAccepted;
    case S::waitlisted:
      return kFromWaitlisted;
    case S::intake_planned:
      return kFromIntakePlanned;
    case S::started:
      return kFromStarted;
    case S::declined:
    case S::closed:
    case S::cancelled:
      break;
  }
  return {};
}

bool may_follow(ReferralState from, ReferralState to) noexcept {
  const auto next = next_states(from);
  return std::find(next.begin(), next.end(), to) != next.end();
}

bool is_answered(ReferralState state) noexcept {
  return state != S::sent && state != S::received && state != S::cancelled;
}

FhirTaskStatus fhir_task_status(ReferralState state) noexcept {
  switch (state) {
    case S::sent:
      return {"requested", ""};
    case S::received:
      return {"received", ""};
    case S::accepted:
      return {"accepted", ""};
    case S::declined:
      return {"rejected", ""};
    case S::waitlisted:
      return {"on-hold", "waitlisted"};
    case S::intake_planned:
      return {"accepted", "intake-planned"};
    case S::started:
      return {"in-progress", ""};
    case S::closed:
      return {"completed", ""};
    case S::cancelled:
      return {"cancelled", ""};
  }
  return {"", ""};
}

std::string_view name_of(StatementCheck check) noexcept {
  switch (check) {
    case StatementCheck::ok:
      return "ok";
    case StatementCheck::unparsable:
      return "unparsable";
    case StatementCheck::wrong_referral:
      return "wrong_referral";
    case StatementCheck::untrusted_signer:
      return "untrusted_signer";
    case StatementCheck::bad_signature:
      return "bad_signature";
    case StatementCheck::wrong_party:
      return "wrong_party";
    case StatementCheck::out_of_sequence:
      return "out_of_sequence";
    case StatementCheck::illegal_transition:
      return "illegal_transition";
  }
  return "unknown";
}

bool ReferralHistoryCheck::all_ok() const noexcept {
  return std::all_of(checks.begin(), checks.end(),
                     [](StatementCheck c) { return c == StatementCheck::ok; });
}

namespace {

// One statement against the referral and the state before it; the first failing check wins.
StatementCheck check_one(std::span<const std::uint8_t> bytes, const protocol::Id& referral_id,
                         const protocol::Id& referrer_org, const protocol::Id& partner_org,
                         ReferralState before, std::uint32_t expected_sequence,
                         const OrganisationKeyOf& key_of) {
  const auto parsed = protocol::parse_referral_statement(bytes);
  if (!parsed) {
    return StatementCheck::unparsable;
  }
  const protocol::ReferralStatement& s = parsed->statement;
  if (s.referral_id != referral_id || s.partner_org != partner_org) {
    return StatementCheck::wrong_referral;
  }
  const auto key = key_of(s.sender_org);
  if (!key || !protocol::verify(parsed->signer, *key, s.created_at_ms / 1000)) {
    return StatementCheck::untrusted_signer;
  }
  if (!protocol::verify_referral_signature(*parsed)) {
    return StatementCheck::bad_signature;
  }
  const auto& party_org = party_of(s.state) == ReferralParty::partner ? partner_org : referrer_org;
  if (s.sender_org != party_org) {
    return StatementCheck::wrong_party;
  }
  if (s.sequence != expected_sequence) {
    return StatementCheck::out_of_sequence;
  }
  if (!may_follow(before, s.state)) {
    return StatementCheck::illegal_transition;
  }
  return StatementCheck::ok;
}

}  // namespace

ReferralHistoryCheck check_referral_history(const protocol::Id& referral_id,
                                            const protocol::Id& referrer_org,
                                            const protocol::Id& partner_org,
                                            std::span<const std::vector<std::uint8_t>> statements,
                                            const OrganisationKeyOf& key_of) {
  ReferralHistoryCheck out;
  std::uint32_t next = 1;
  bool trusted = true;
  for (const auto& bytes : statements) {
    StatementCheck check = StatementCheck::out_of_sequence;
    if (trusted) {
      check = check_one(bytes, referral_id, referrer_org, partner_org, out.state, next, key_of);
    }
    if (check == StatementCheck::ok) {
      out.state = protocol::parse_referral_statement(bytes)->statement.state;
      ++next;
    } else {
      trusted = false;
    }
    out.checks.push_back(check);
  }
  return out;
}

std::uint32_t day_number(CivilDate date) noexcept {
  const std::chrono::sys_days days{std::chrono::year{date.year} / std::chrono::month{date.month} /
                                   std::chrono::day{date.day}};
  const auto count = days.time_since_epoch().count();
  return count < 0 ? 0U : static_cast<std::uint32_t>(count);
}

CivilDate date_of_day(std::uint32_t day) noexcept {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return {static_cast<std::int16_t>(static_cast<int>(ymd.year())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace draaischijf::policies
