#include <algorithm>
#include <array>

#include <draaischijf/protocol/approval_request.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "recipient_set.hpp"

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kRequestMagic = {'D', 'R', 'A', 'Q'};
constexpr std::array<std::uint8_t, 4> kAnswerMagic = {'D', 'R', 'A', 'A'};
constexpr std::uint8_t kVersion = 1;

// Magic and version, as every structure of the protocol starts (first error wins).
Result<void> read_header(wire::Reader& r, const std::array<std::uint8_t, 4>& magic) {
  if (r.fixed<4>() != magic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  return r.status();
}

// The answer's rules, shared by the writer and the reader: one decision, one reading.
Result<void> validate(const ApprovalAnswer& a) {
  const bool approved = a.decision == ApprovalDecision::approved;
  if (is_zero(a.message_id) ||
      (a.decision != ApprovalDecision::approved && a.decision != ApprovalDecision::declined) ||
      approved == is_zero(a.approval_id) || approved != a.reason.empty() ||
      a.reason.size() > kMaxDeclineReason) {
    return errc::field_out_of_range;
  }
  if (!wire::is_clean_utf8(a.reason)) {
    return errc::non_canonical;
  }
  return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_approval_request(ApprovalRequest request) {
  if (is_zero(request.message_id) || is_zero(request.thread_id) || is_zero(request.answer_to) ||
      !known_attestations(request.attestations)) {
    return errc::field_out_of_range;
  }
  if (auto recipients = check_recipient_set(request.recipients); !recipients) {
    return recipients.error();
  }
  std::sort(request.recipients.begin(), request.recipients.end());
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kRequestMagic);
  w.u8(kVersion);
  w.bytes(request.message_id);
  w.bytes(request.thread_id);
  w.bytes(request.previous_hash);
  w.u16(static_cast<std::uint16_t>(request.kind));
  w.u16(static_cast<std::uint16_t>(request.purpose));
  w.u32(request.attestations);
  w.bytes(request.consent_reference);
  w.bytes(request.answer_to);
  w.u8(static_cast<std::uint8_t>(request.recipients.size()));
  for (const Id& mailbox : request.recipients) {
    w.bytes(mailbox);
  }
  return out;
}

Result<ApprovalRequest> parse_approval_request(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (auto header = read_header(r, kRequestMagic); !header) {
    return header.error();
  }
  ApprovalRequest request;
  request.message_id = r.fixed<16>();
  request.thread_id = r.fixed<16>();
  request.previous_hash = r.fixed<32>();
  const auto kind = from_code<MessageKind>(r.u16());
  const auto purpose = from_code<Purpose>(r.u16());
  request.attestations = r.u32();
  request.consent_reference = r.fixed<16>();
  request.answer_to = r.fixed<16>();
  read_recipient_set(r, request.recipients);
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  if (!kind || !purpose || !known_attestations(request.attestations) ||
      is_zero(request.message_id) || is_zero(request.thread_id) || is_zero(request.answer_to)) {
    return errc::field_out_of_range;
  }
  request.kind = *kind;
  request.purpose = *purpose;
  return request;
}

Result<std::vector<std::uint8_t>> encode_approval_answer(const ApprovalAnswer& answer) {
  if (auto valid = validate(answer); !valid) {
    return valid.error();
  }
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kAnswerMagic);
  w.u8(kVersion);
  w.bytes(answer.message_id);
  w.u8(static_cast<std::uint8_t>(answer.decision));
  w.bytes(answer.approval_id);
  w.text16(answer.reason);
  return out;
}

Result<ApprovalAnswer> parse_approval_answer(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (auto header = read_header(r, kAnswerMagic); !header) {
    return header.error();
  }
  ApprovalAnswer answer;
  answer.message_id = r.fixed<16>();
  answer.decision = static_cast<ApprovalDecision>(r.u8());
  answer.approval_id = r.fixed<16>();
  answer.reason = r.utf8_16();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  if (auto valid = validate(answer); !valid) {
    return valid.error();
  }
  return answer;
}

}  // namespace draaischijf::protocol
