#pragma once

// The outbox's steps the second-approval queue (approvals.cpp) reuses: fixing a draft as send()
// does, the pre-check, sealing and submission of send() on a draft built elsewhere, and the
// signing and registration of approve_message().

#include <vector>

#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/envelope.hpp>

#include "session_state.hpp"

namespace draaischijf::client::detail {

/// The draft send() would seal for `composition`: the team's copy added to its recipients, the
/// message and thread ids fixed (kept when the composition names them), the pupil bound.
[[nodiscard]] protocol::Result<protocol::Draft> fix_draft(SessionState& s,
                                                          Composition& composition);
/// Adds the files to `draft`: those uploaded before (`uploaded`, in order), then `files`, each
/// encrypted and uploaded now; each with the fragment that names it under its category
/// (PROTOCOL.md 7.11). The order is the one the approval's content hash covers (7.12).
[[nodiscard]] protocol::Result<void> attach_files(SessionState& s, protocol::Draft& draft,
                                                  const std::vector<AttachmentFile>& files,
                                                  std::vector<UploadedAttachment> uploaded);
/// Pre-checks `draft` on its labels to `recipients`, as send_draft does; `files` are the
/// categories of files not attached yet, counted as the fragments that will name them (7.11),
/// so the check runs before any of them is uploaded.
[[nodiscard]] protocol::Result<void> check_draft(SessionState& s, const protocol::Draft& draft,
                                                 const std::vector<protocol::Id>& recipients,
                                                 const std::vector<protocol::DataCategory>& files);
/// Pre-checks `draft` on its labels, seals it to `recipients`, submits it and checks the
/// receipt, as send() does (the sealing adds this device's checkpoints to `draft`, 7.7); no team
/// copy is added (a request and its answer stay between the colleagues concerned).
[[nodiscard]] protocol::Result<SendResult> send_draft(SessionState& s, protocol::Draft& draft,
                                                      const std::vector<protocol::Id>& recipients);
/// Signs the approval of `draft` to `recipients` (PROTOCOL.md 7.12) with this device's key and
/// registers it at the hub.
[[nodiscard]] protocol::Result<GivenApproval> give_approval(
    SessionState& s, const protocol::Draft& draft, const std::vector<protocol::Id>& recipients);
}  // namespace draaischijf::client::detail
