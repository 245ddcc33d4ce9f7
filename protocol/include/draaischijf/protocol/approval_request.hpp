#pragma once

// The second-approval request and its answer (docs/PROTOCOL.md 7.19). A draft the policy
// refused for want of a colleague's second approval travels to that colleague as an ordinary
// end-to-end encrypted envelope of kind `akkoordvraag`: its fragments are the draft's own, and
// one more fragment of media type kApprovalRequestMediaType carries the labels the approval
// signs that the envelope does not (the draft's message id, thread, kind, purpose, ... and its
// recipients). The colleague answers with an envelope of kind `akkoordantwoord` whose one
// fragment (kApprovalAnswerMediaType) says approved, with the approval id, or declined, with
// the reason. Both bodies are plaintext inside the envelope: the hub never sees them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

/// The queue's two message kinds, codes 8 and 9 of table 7.10.1, named beside the bodies they
/// carry (vocabulary.cpp gives their names, so from_code and name_of know them).
inline constexpr MessageKind kApprovalRequestKind = static_cast<MessageKind>(8);  // akkoordvraag
inline constexpr MessageKind kApprovalAnswerKind = static_cast<MessageKind>(9);   // akkoordantwoord

inline constexpr std::string_view kApprovalRequestMediaType =
    "application/vnd.draaischijf.approval-request";
inline constexpr std::string_view kApprovalAnswerMediaType =
    "application/vnd.draaischijf.approval-answer";
/// The longest reason a decline may give, in UTF-8 bytes.
inline constexpr std::size_t kMaxDeclineReason = 2000;

/// What the approver's device needs beside the envelope's own fragments and pupil binding to
/// sign the approval (7.12) for exactly the draft the requester will send.
struct ApprovalRequest {
  Id message_id{};  // the draft's, as the refusal named it
  Id thread_id{};   // the draft's: the content hash covers it
  Hash256 previous_hash{};
  MessageKind kind = MessageKind::signaal;
  Purpose purpose = Purpose::begeleiding;
  std::uint32_t attestations = 0;
  Id consent_reference{};
  Id answer_to{};              // the requester's mailbox, for the answer
  std::vector<Id> recipients;  // the draft's recipient mailboxes, 1..16, ascending
};

/// Refuses a zero message, thread or answer id, an attestation bit >= 25 (field_out_of_range)
/// and a recipient set that is empty, too large or repeats (no_recipients,
/// too_many_recipients, duplicate_recipient); sorts the recipients.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_approval_request(ApprovalRequest request);
/// The strict reading of encode_approval_request's bytes (first error wins, as 7.12).
[[nodiscard]] Result<ApprovalRequest> parse_approval_request(std::span<const std::uint8_t> in);

enum class ApprovalDecision : std::uint8_t { approved = 1, declined = 2 };

struct ApprovalAnswer {
  Id message_id{};  // the draft's
  ApprovalDecision decision = ApprovalDecision::declined;
  Id approval_id{};    // approved: the approval the hub holds; declined: zero
  std::string reason;  // declined: why, for the requester (clean UTF-8, 1..2000 bytes)
};

/// Refuses an approved answer without an approval id or with a reason, a declined one with an
/// approval id or without a reason (field_out_of_range), a reason that is not clean UTF-8
/// (non_canonical).
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_approval_answer(
    const ApprovalAnswer& answer);
[[nodiscard]] Result<ApprovalAnswer> parse_approval_answer(std::span<const std::uint8_t> in);

}  // namespace draaischijf::protocol
