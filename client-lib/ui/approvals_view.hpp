#pragma once

// The approvals screen's API (issue 15 screen 5; docs/PROTOCOL.md 7.19): the requests for a
// second approval waiting in this device's mailboxes, each with exactly the draft's content,
// and the answers to the requests this team sent.
//
//   GET  /api/approvals                          {"pending": [...], "answers": [...]} after a
//                                                sync (client::pending_approval_json, ...)
//   POST /api/approvals/MAILBOX/SEQ/approve      signs the approval of that draft, answers the
//                                                requester; the approval (given_approval_json)
//   POST /api/approvals/MAILBOX/SEQ/decline      {"reason": TEXT}: answers that it is not
//                                                approved, and why
//
// The request itself is sent from the compose screen (POST /api/compose/request-approval).

#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/client/client.hpp>

#include "api.hpp"

namespace draaischijf::ui {

/// The answer for /api/approvals...; nullopt when the route is another. The queue's sync takes
/// `sync_turn` (Vault::sync_turn): one sync of the inbox at a time.
[[nodiscard]] std::optional<Response> approvals_answer(client::Client& client,
                                                       std::mutex& sync_turn,
                                                       const Request& request,
                                                       const std::vector<std::string_view>& parts);

}  // namespace draaischijf::ui
