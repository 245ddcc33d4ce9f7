#pragma once

// Who may download an attachment blob. The upload names no one: a blob reaches a mailbox only
// through an envelope that lists it in its signed outer labels and that the policy admitted for
// that mailbox. The storing transaction of such an envelope grants each listed blob to exactly
// the envelope's recipient mailboxes, so a blob can never reach a mailbox the policy would
// refuse its envelope for, and a refused envelope grants nothing.

#include <span>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

/// Inside the caller's transaction: checks that every blob in `blobs` was uploaded by
/// `sender_device` of `sender_org` (else store_errc::blob_unknown: a missing blob and another
/// device's are refused alike, so the answer tells nothing about other organisations' blobs),
/// then grants each to every recipient mailbox, with one audit row per blob.
[[nodiscard]] sqlite::Result<void> grant_blobs(sqlite::Database& db, const Submission& envelope);

}  // namespace draaischijf::server
