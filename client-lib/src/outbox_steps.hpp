#pragma once

// The outbox's steps the second-approval queue (approvals.cpp) reuses on drafts it builds
// itself from a request it opened: the pre-check, sealing and submission of send(), and the
// signing and registration of approve_message().

#include <vector>

#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/envelope.hpp>

#include "session_state.hpp"

namespace draaischijf::client::detail {

/// Pre-checks `draft` on its labels, seals it to `recipients`, submits it and checks the
/// receipt, as send() does; no team copy is added (a request and its answer stay between the
/// colleagues concerned).
[[nodiscard]] protocol::Result<SendResult> send_draft(SessionState& s, const protocol::Draft& draft,
                                                      const std::vector<protocol::Id>& recipients);
/// Signs the approval of `draft` to `recipients` (PROTOCOL.md 7.12) with this device's key and
/// registers it at the hub.
[[nodiscard]] protocol::Result<GivenApproval> give_approval(
    SessionState& s, const protocol::Draft& draft, const std::vector<protocol::Id>& recipients);
}  // namespace draaischijf::client::detail
