#pragma once

// What leaves the device: a composition becomes a draft (its message and thread ids fixed),
// passes the policy pre-check before anything is encrypted, has its attachments encrypted
// and uploaded as they are read, is sealed, signed and submitted, and the hub's receipt is
// verified against the pinned hub key. A stale epoch is met with one re-seal under the same
// message id. The colleague's second approval is made here too.
//
//   Outbox outbox{session};
//   auto sent = outbox.send({.kind = MessageKind::signaal, .recipients = {onthaal},
//                            .fragments = ...});
//   if (!sent && sent.error() == client_errc::policy_refused) {
//     const auto& refusal = *session.last_problem().policy;  // rules, reasons, ids to approve
//   }

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>

namespace draaischijf::client {

/// Encrypts `file` as it is read and uploads it over `hub`, exactly as send() does with each
/// file of a composition, but on its own: `hub` may be a connection of its own (the same
/// device's TLS identity) on another thread, since no Session is touched. The upload names no
/// recipients; the envelope that lists the blob grants it (docs/PROTOCOL.md 7.11). `progress`
/// is called as ciphertext goes up; a hub's refusal leaves its problem document in `problem`.
[[nodiscard]] protocol::Result<UploadedAttachment> upload_attachment(
    HubTransport& hub, const AttachmentFile& file, const ProgressCallback& progress,
    HubProblem* problem = nullptr);

class Outbox {
 public:
  /// `session` must outlive this handle.
  explicit Outbox(Session& session) noexcept : state_(&session.state()) {}

  /// A check of your own before the engine's pre-check (tests, stricter local rules); kept by
  /// the session, so every Outbox over it uses it.
  void set_policy_check(PolicyCheck check);
  /// send()'s pre-check with the hub's rule set: fetched once (GET /v1/policy) and used only if
  /// it verifies against the operator key pinned in the trust file (policy_untrusted if not).
  /// Without a pinned key it is off and only the hub checks. send() loads it by itself; call
  /// this to learn beforehand.
  [[nodiscard]] protocol::Result<PolicyCheckStatus> policy_check_status();
  /// The pre-check alone, as send() runs it first: nothing is encrypted, uploaded or sent.
  /// policy_refused (with last_problem().policy) when it says no; fine when it says yes or no
  /// pre-check is installed (the hub still decides on the send). For a form that shows the
  /// outcome while it is filled in.
  [[nodiscard]] protocol::Result<void> check(const Composition& composition);
  /// Refused before anything is encrypted when the pre-check says no, and by the hub when its
  /// policy does (both client_errc::policy_refused, with last_problem().policy).
  [[nodiscard]] protocol::Result<SendResult> send(Composition composition);
  /// As send(), with attachments `uploaded` beforehand by upload_attachment (besides any in
  /// the composition): they count in the pre-check by their categories like the others, and the
  /// envelope carries their keys. For a program that uploads on a connection of its own while
  /// this session serves other work (the web inbox).
  [[nodiscard]] protocol::Result<SendResult> send(Composition composition,
                                                  std::vector<UploadedAttachment> uploaded);
  /// Second approval, on the approving colleague's device: signs the composition the sender
  /// will send with this device's key and hands it to the hub. Its message_id should be the one
  /// the sender's refusal named (PolicyRefusal::message_id; drawn when zero), its thread_id
  /// likewise (drawn when zero); both are returned, and the sender sends with them and the
  /// approval id. Text fragments only (approval_unsupported with attachments).
  [[nodiscard]] protocol::Result<GivenApproval> approve_message(Composition composition);

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
