#pragma once

// The second-approval queue (docs/PROTOCOL.md 7.19). A send the policy refuses for want of a
// colleague's second approval (the CLB-arts for medical data, the director for a report of
// concern) travels to that colleague as an end-to-end encrypted message of its own, kind
// `akkoordvraag`, carrying the refused draft itself. The approver's device lists what waits,
// shows exactly that content, and signs the approval over what it opened (7.12), so the
// approval binds what the approver saw; it answers in the request's thread, `akkoordantwoord`,
// with the approval id or the reason for a decline. The requester then sends the draft with
// that approval. The hub routes these messages like any other and never sees their content.
//
//   // the requester, after send() was refused with approval_role "clb_arts":
//   ApprovalQueue approvals{client.session()};
//   auto asked = approvals.request(draft, approvals.mailbox_for("clb_arts").value());
//   // the CLB-arts, after a sync:
//   for (auto& p : approvals.pending().value()) { approvals.approve(p.mailbox_id, p.sequence); }
//   // the requester again, after a sync: an approved answer names the approval id to send with
//   for (auto& a : approvals.answers().value()) { ... }

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>

namespace draaischijf::client {

/// A request for a second approval, sent to the approver's mailbox (ApprovalQueue::request).
struct ApprovalRequested {
  protocol::Id request_id{};  // the request message's own id
  protocol::Id message_id{};  // the draft's: send it with this id once approved
  protocol::Id thread_id{};   // the draft's: likewise
  protocol::Id approver_mailbox{};
  protocol::Id answer_to{};  // this device's mailbox the answer will reach
};

/// A file of a draft waiting for approval: the request's own attachment number `index` (save it
/// as any attachment of that message: Inbox, verified against `plaintext_hash`), which the
/// approval covers by category, plaintext hash, media type and name (PROTOCOL.md 7.12).
struct PendingAttachment {
  std::size_t index = 0;
  std::string file_name;
  std::string media_type;
  protocol::DataCategory category = protocol::DataCategory::verslag;
  std::uint64_t size = 0;  // plaintext bytes
  protocol::Hash256 plaintext_hash{};
};

/// A request waiting in one of this device's mailboxes: the draft exactly as it will be sent.
struct PendingApproval {
  protocol::Id mailbox_id{};  // where the request is stored, with `sequence`
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
  protocol::Id requester_device{};
  std::string requester_role;
  protocol::Id message_id{};  // the draft's: the approval is for this message only
  protocol::Id thread_id{};
  protocol::MessageKind kind = protocol::MessageKind::signaal;
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  std::vector<std::string> attestations;  // flag names
  protocol::Id consent_reference{};
  std::string pupil_reference;  // as the binding inside names the pupil
  std::vector<protocol::Id> recipients;
  protocol::CategorySet categories;
  /// The draft's fragments, copied out of the opened request: plaintext, kept in memory only
  /// (the fragments naming files are left out: `attachments` lists the files).
  std::vector<protocol::Fragment> fragments;
  std::vector<PendingAttachment> attachments;
};

/// The approver's answer as the requester's device received it.
struct ApprovalAnswerReceived {
  protocol::Id mailbox_id{};
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
  protocol::Id message_id{};  // the draft's
  bool approved = false;
  protocol::Id approval_id{};  // approved: what the send names
  std::string reason;          // declined: why
  std::string approver_role;
  protocol::Id approver_device{};
};

class ApprovalQueue {
 public:
  /// `session` must outlive this handle.
  explicit ApprovalQueue(Session& session) noexcept : state_(&session.state()) {}

  /// Sends the draft itself, sealed to `approver_mailbox` as a message of kind akkoordvraag,
  /// with the ids the approval must name and a mailbox of this device's for the answer (one it
  /// is a member of, its own role's first; not_a_member when there is none). The draft's message
  /// and thread ids are fixed here (or kept when the composition names them, as after a
  /// refusal) and returned: send the draft with them and the approval id once approved. The
  /// draft's files (`uploaded` first, as Outbox::send takes them, then the composition's) go
  /// with the request as its own attachments, so the approver sees and can save exactly them;
  /// the send after approval must carry the same files in the same order (the approval's
  /// content hash covers them: approval_content_mismatch otherwise). A mailbox whose function
  /// cannot approve is refused by the policy (R38), another organisation's too (R40): the
  /// pre-check runs before any of the composition's files is uploaded.
  [[nodiscard]] protocol::Result<ApprovalRequested> request(
      Composition composition, const protocol::Id& approver_mailbox,
      std::vector<UploadedAttachment> uploaded = {});
  /// The pre-check of the request `request` would send (its labels, with the composition's
  /// files counted by their categories), nothing uploaded or sent: for a caller that uploads
  /// the files itself before request() (a web inbox's worker), so a refused request uploads
  /// nothing. policy_refused with the refusal in last_problem(), as request() gives it.
  [[nodiscard]] protocol::Result<void> check(Composition composition,
                                             const protocol::Id& approver_mailbox);
  /// The accepting mailbox of this device's organisation whose function is `role` (the
  /// refusal's approval_role): where a request for that role goes. unknown_mailbox when the
  /// organisation has none, the lowest id when several.
  [[nodiscard]] protocol::Result<protocol::Id> mailbox_for(std::string_view role);
  /// The requests in the local inbox (sync first) that no approver answered yet: an answer goes
  /// to the request's mailbox too, so every approver reading it sees it taken.
  [[nodiscard]] protocol::Result<std::vector<PendingApproval>> pending();
  /// Signs the approval (7.12) of the draft exactly as the request carries it, registers it at
  /// the hub, and answers the requester in the request's thread with its id.
  [[nodiscard]] protocol::Result<GivenApproval> approve(const protocol::Id& mailbox_id,
                                                        std::int64_t sequence);
  /// Answers the requester that the draft is not approved, and why (1..2000 bytes of clean
  /// UTF-8; field_out_of_range or non_canonical otherwise). Nothing is signed for the hub.
  [[nodiscard]] protocol::Result<void> decline(const protocol::Id& mailbox_id,
                                               std::int64_t sequence, std::string_view reason);
  /// The answers to this device's organisation's requests in the local inbox (sync first),
  /// oldest first.
  [[nodiscard]] protocol::Result<std::vector<ApprovalAnswerReceived>> answers();

 private:
  detail::SessionState* state_;
};

/// The queue as the CLI's --json and the web inbox give it, {"pending": [...], "answers":
/// [...]} (ids in hex, names as docs/PROTOCOL.md spells them, text fragments as text), and a
/// given approval: one shape for both.
[[nodiscard]] boost::json::object approval_queue_json(
    const std::vector<PendingApproval>& pending,
    const std::vector<ApprovalAnswerReceived>& answers);
[[nodiscard]] boost::json::object given_approval_json(const GivenApproval& given);

}  // namespace draaischijf::client
