#pragma once

// The compose screen's API: the recipients from the verified directory (the school's own CLB
// onthaal first), the policy pre-check on the form as it is filled in (nothing encrypted or
// sent), and the send itself, which runs the same pre-check first and then the hub's.
//
//   GET  /api/recipients                 accepting mailboxes of trusted organisations
//   POST /api/compose/check  COMPOSITION {"allowed": true} or {"allowed": false, "refusal"}
//   POST /api/compose/send   COMPOSITION the hub's receipt, or 422 policy-refused with
//                                        the refusal (outcome, rule ids, reasons, wat nu,
//                                        approval_role, message_id, thread_id)
//   POST /api/compose/request-approval COMPOSITION + "approval_role": the draft goes to that
//                                        role's mailbox as a request (approvals_view.hpp), with
//                                        its files (then 202 with a job to follow, as a send)
//
// COMPOSITION: {"kind", "purpose", "to": [MAILBOX], "pupil", "consent", "reply_to":
// {"mailbox_id", "sequence"} (a reply in the received message's thread), "texts":
// [{"category", "text"}], "attachments": [{"upload_id", "category"}] (files received before by
// POST /api/uploads; with any, send answers 202 with a job to follow, outgoing.hpp), and for a
// draft with a second approval "message_id", "thread_id", "approval"}, names as
// docs/PROTOCOL.md 4 spells them.

#include <draaischijf/client/client.hpp>

#include "api.hpp"

namespace draaischijf::ui {
class Outgoing;
}

namespace draaischijf::ui {

[[nodiscard]] Response recipients_answer(client::Client& client);
[[nodiscard]] Response check_answer(client::Client& client, const Request& request);
[[nodiscard]] Response send_answer(client::Client& client, const Request& request,
                                   Outgoing* outgoing);
/// The answer to a send: the hub's receipt, 422 policy-refused with the refusal, or 502.
[[nodiscard]] Response send_outcome(client::Client& client,
                                    const protocol::Result<client::SendResult>& sent);
[[nodiscard]] Response request_approval_answer(client::Client& client, const Request& request,
                                               Outgoing* outgoing);

}  // namespace draaischijf::ui
