#include <array>

#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/protocol/wire.hpp>

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
  if (!fields_fit(statement)) {
    return errc::field_out_of_range;
  }
  if (signer.org_id != statement.sender_org) {
    return errc::sender_mismatch;
  }
  std::vector<std::uint8_t> out = signed_part(statement, signer);
  const Signature signature = key.sign(kReferralStatusDomain, out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

Result<ParsedReferralStatement> parse_referral_statement(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
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
  auto signer = parse_device_certificate(r.take(kDeviceCertificateSize));
  parsed.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  // Checked once the whole structure has been read, as for the other signed objects (1.3).
  const auto known = from_code<ReferralState>(state);
  if (!known) {
    return errc::field_out_of_range;
  }
  s.state = *known;
  if (!fields_fit(s)) {
    return errc::field_out_of_range;
  }
  if (!signer) {
    return signer.error();
  }
  parsed.signer = *signer;
  return parsed;
}

std::vector<std::uint8_t> encode(const ParsedReferralStatement& statement) {
  std::vector<std::uint8_t> out = signed_part(statement.statement, statement.signer);
  out.insert(out.end(), statement.signature.begin(), statement.signature.end());
  return out;
}

Result<void> verify_referral_signature(const ParsedReferralStatement& statement) {
  if (statement.signer.org_id != statement.statement.sender_org) {
    return errc::sender_mismatch;
  }
  if (!verify_signature(statement.signer.signing_key, kReferralStatusDomain,
                        signed_part(statement.statement, statement.signer), statement.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

}  // namespace draaischijf::protocol
