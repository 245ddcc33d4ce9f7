#pragma once

// The verified directory as the other parts use it: every certificate checked against the
// pinned organisation key, mailbox keys walked from the current epoch back to the first
// (docs/PROTOCOL.md 6), cached in the session. Directory (directory.hpp) is the public face of
// the same functions.

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "session_state.hpp"

namespace draaischijf::client {

/// The key pinned for `org_id` (untrusted_organisation when none is).
[[nodiscard]] protocol::Result<protocol::SigningPublicKey> pinned_key(detail::SessionState& s,
                                                                      const protocol::Id& org_id);
[[nodiscard]] protocol::Result<protocol::DeviceCertificate> verified_device(
    detail::SessionState& s, const protocol::Id& device_id);
/// This device's own certificate, verified once per session.
[[nodiscard]] protocol::Result<protocol::DeviceCertificate> own_certificate(
    detail::SessionState& s);
/// The mailbox's current epoch certificate and whether it accepts messages; an epoch older
/// than one seen before is tampering.
[[nodiscard]] protocol::Result<std::pair<protocol::MailboxEpochCertificate, bool>> current_epoch(
    detail::SessionState& s, const protocol::Id& mailbox_id);
/// The mailbox's keys this device can open, from the session's cache or walked afresh.
[[nodiscard]] protocol::Result<std::shared_ptr<MailboxKeys>> mailbox_keys(
    detail::SessionState& s, const protocol::Id& mailbox_id);
[[nodiscard]] protocol::Result<std::vector<DirectoryMailbox>> verified_mailboxes(
    detail::SessionState& s, const protocol::Id& org_id);
/// A stored message opened (again: only ciphertext is kept) with the mailbox's keys.
[[nodiscard]] protocol::Result<protocol::OpenedEnvelope> open_stored(detail::SessionState& s,
                                                                     const StoredMessage& m);

}  // namespace draaischijf::client
