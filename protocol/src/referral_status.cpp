#include <array>

#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "device_statement.hpp"

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'R', 'S'};
constexpr std::uint8_t kVersion = 1;

constexpr std::array<VocabularyEntry<ReferralState>, 9> kStates = {{
    {ReferralState::sent, "sent"},
    {ReferralState::received, "received"},
    {ReferralState::accepted, "accepted"},
    {ReferralState::declined, "declined"},
    {ReferralState::waitlisted, "waitlisted"},
    {ReferralState::intake_planned, "intake_planned"},
    {ReferralState::started, "started"},
    {ReferralState::closed, "closed"},
    {ReferralState::cancelled, "cancelled"},
}};
constexpr std::array<VocabularyEntry<DeclineReason>, 5> kReasons = {{
    {DeclineReason::outside_offer, "outside_offer"},
    {DeclineReason::capacity, "capacity"},
    {DeclineReason::client_refused, "client_refused"},
    {DeclineReason::no_consent, "no_consent"},
    {DeclineReason::other, "other"},
}};
constexpr std::array<VocabularyEntry<ReferralOutcome>, 5> kOutcomes = {{
    {ReferralOutcome::completed, "completed"},
    {ReferralOutcome::referred_on, "referred_on"},
    {ReferralOutcome::client_stopped, "client_stopped"},
    {ReferralOutcome::no_show, "no_show"},
    {ReferralOutcome::other, "other"},
}};

// What each state carries: a code only where it has a meaning (declined, closed) and a date
// only where one is promised (waitlisted, intake_planned), so one statement has one reading.
bool fields_fit(const ReferralStatement& s) {
  const bool dated =
      s.state == ReferralState::waitlisted || s.state == ReferralState::intake_planned;
  bool code_fits = s.code == 0;
  if (s.state == ReferralState::declined) {
    code_fits = from_code<DeclineReason>(s.code).has_value();
  } else if (s.state == ReferralState::closed) {
    code_fits = from_code<ReferralOutcome>(s.code).has_value();
  }
  return s.state != ReferralState::sent &&
         from_code<ReferralState>(static_cast<std::uint8_t>(s.state)) && code_fits &&
         (dated == (s.day != 0)) && s.sequence != 0 && !is_zero(s.referral_id) &&
         !is_zero(s.partner_org) && !is_zero(s.sender_org);
}

std::vector<std::uint8_t> signed_part(const ReferralStatement& s, const DeviceCertificate& signer) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(kVersion);
  w.bytes(s.referral_id);
  w.bytes(s.partner_org);
  w.bytes(s.sender_org);
  w.u8(static_cast<std::uint8_t>(s.state));
  w.u8(s.code);
  w.u32(s.day);
  w.u64(s.created_at_ms);
  w.u32(s.sequence);
  w.bytes(encode(signer));
  return out;
}

}  // namespace

std::span<const VocabularyEntry<ReferralState>> referral_states() { return kStates; }
std::span<const VocabularyEntry<DeclineReason>> decline_reasons() { return kReasons; }
std::span<const VocabularyEntry<ReferralOutcome>> referral_outcomes() { return kOutcomes; }

Result<std::vector<std::uint8_t>> sign_referral_statement(const ReferralStatement& statement,
                                                          const DeviceCertificate& signer,
                                                          const SigningKey& key) {
  return device_statement::sign(fields_fit(statement), statement.sender_org, signer,
                                signed_part(statement, signer), key, kReferralStatusDomain);
}

Result<ParsedReferralStatement> parse_referral_statement(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (auto head = device_statement::read_head(r, kMagic, kVersion); !head) {
    return head.error();
  }
  ParsedReferralStatement parsed;
  ReferralStatement& s = parsed.statement;
  s.referral_id = r.fixed<16>();
  s.partner_org = r.fixed<16>();
  s.sender_org = r.fixed<16>();
  const std::uint8_t state = r.u8();
  s.code = r.u8();
  s.day = r.u32();
  s.created_at_ms = r.u64();
  s.sequence = r.u32();
  auto tail = device_statement::read_tail(r, [&s, state] {
    const auto known = from_code<ReferralState>(state);
    if (!known) {
      return false;
    }
    s.state = *known;
    return fields_fit(s);
  });
  if (!tail) {
    return tail.error();
  }
  parsed.signer = tail->signer;
  parsed.signature = tail->signature;
  return parsed;
}

std::vector<std::uint8_t> encode(const ParsedReferralStatement& statement) {
  return device_statement::with_signature(signed_part(statement.statement, statement.signer),
                                          statement.signature);
}

Result<void> verify_referral_signature(const ParsedReferralStatement& statement) {
  return device_statement::verify(statement.statement.sender_org, statement.signer,
                                  signed_part(statement.statement, statement.signer),
                                  statement.signature, kReferralStatusDomain);
}

}  // namespace draaischijf::protocol
