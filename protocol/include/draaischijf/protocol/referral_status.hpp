#pragma once

// Referral status statement (docs/PROTOCOL.md 7.18): a partner's device (or, for `cancelled`, a
// device of the referring CLB) signs one structured step of a referral's lifecycle: which
// referral (the doorverwijzing's or consultatie's message id and the partner organisation it
// went to), the new state, a reason or outcome code, a date, when, and its place in the
// referral's sequence. The hub checks it against its directory and the transition table
// (policies/referral_states.hpp) before it records it; every client checks it again, because
// the hub is not trusted to tell the truth about who said what.
//
// The statement embeds the signer's device certificate, so a client needs only the signing
// key of the organisation it already trusts to verify it.
//
// Parsers never throw: each refusal is a specific errc.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

/// The states of a referral, modelled on FHIR R4 Task.status (docs/WORKFLOW.md 3). `sent` is
/// the hub's record of the stored envelope and is never signed in a statement.
enum class ReferralState : std::uint8_t {
  sent = 0,
  received = 1,
  accepted = 2,
  declined = 3,
  waitlisted = 4,
  intake_planned = 5,
  started = 6,
  closed = 7,
  cancelled = 8,
};

/// Why a partner declines (the code of a `declined` statement).
enum class DeclineReason : std::uint8_t {
  outside_offer = 1,
  capacity = 2,
  client_refused = 3,
  no_consent = 4,
  other = 5,
};

/// How a referral ended (the code of a `closed` statement).
enum class ReferralOutcome : std::uint8_t {
  completed = 1,       // the help was given as planned
  referred_on = 2,     // the partner passed the pupil on to another service
  client_stopped = 3,  // the pupil or the parents ended it
  no_show = 4,         // no contact could be made
  other = 5,
};

[[nodiscard]] std::span<const VocabularyEntry<ReferralState>> referral_states();
[[nodiscard]] std::span<const VocabularyEntry<DeclineReason>> decline_reasons();
[[nodiscard]] std::span<const VocabularyEntry<ReferralOutcome>> referral_outcomes();
template <>
inline std::span<const VocabularyEntry<ReferralState>> vocabulary<ReferralState>() {
  return referral_states();
}
template <>
inline std::span<const VocabularyEntry<DeclineReason>> vocabulary<DeclineReason>() {
  return decline_reasons();
}
template <>
inline std::span<const VocabularyEntry<ReferralOutcome>> vocabulary<ReferralOutcome>() {
  return referral_outcomes();
}

struct ReferralStatement {
  Id referral_id{};  // the message id of the doorverwijzing or consultatie
  Id partner_org{};  // the organisation the referral went to
  Id sender_org{};   // the signer's organisation: the partner, or the CLB for `cancelled`
  ReferralState state = ReferralState::received;
  std::uint8_t code = 0;  // DeclineReason for declined, ReferralOutcome for closed, else 0
  std::uint32_t day = 0;  // days since 1970-01-01 (waitlisted: expected start, intake_planned:
                          // the intake); 0 for every other state
  std::uint64_t created_at_ms = 0;
  std::uint32_t sequence = 0;  // 1 for the first statement on the referral, then +1 each
};

struct ParsedReferralStatement {
  ReferralStatement statement;
  DeviceCertificate signer;
  Signature signature{};
};

inline constexpr std::string_view kReferralStatusDomain = "draaischijf/referral-status/v1";
inline constexpr std::size_t kReferralStatementSize =
    4 + 1 + 16 + 16 + 16 + 1 + 1 + 4 + 8 + 4 + kDeviceCertificateSize + 64;

/// Signs with the signer device's key. field_out_of_range for a zero id, the state `sent`, a
/// code or date the state does not take (or a missing one it needs: a reason for declined, an
/// outcome for closed, a date for waitlisted and intake_planned), a zero sequence;
/// sender_mismatch when the certificate is of another organisation than sender_org.
[[nodiscard]] Result<std::vector<std::uint8_t>> sign_referral_statement(
    const ReferralStatement& statement, const DeviceCertificate& signer, const SigningKey& key);

/// Structure and the same field rules: truncated, bad_magic, unsupported_version,
/// trailing_data, then field_out_of_range and the certificate's parse errors.
[[nodiscard]] Result<ParsedReferralStatement> parse_referral_statement(
    std::span<const std::uint8_t> in);

[[nodiscard]] std::vector<std::uint8_t> encode(const ParsedReferralStatement& statement);

/// sender_mismatch when the certificate names another organisation than the statement;
/// signature_invalid when the signature does not verify under the certificate's key. The
/// certificate itself must be verified separately against the organisation key (verify()).
[[nodiscard]] Result<void> verify_referral_signature(const ParsedReferralStatement& statement);

}  // namespace draaischijf::protocol
