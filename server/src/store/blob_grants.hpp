#pragma once

// Who may download an attachment blob. The upload names no one: a blob reaches a mailbox only
// through an envelope that lists it in its signed outer labels and that the policy admitted for
// that mailbox. The storing transaction of such an envelope grants each listed blob to exactly
// the envelope's recipient mailboxes, so a blob can never reach a mailbox the policy would
// refuse its envelope for, and a refused envelope grants nothing.

#include <span>
#include <vector>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

/// Inside the caller's transaction: checks that every blob in `blobs` was uploaded by
/// `sender_device` of `sender_org` (else store_errc::blob_unknown: a missing blob and another
/// device's are refused alike, so the answer tells nothing about other organisations' blobs),
/// then grants each to every recipient mailbox, with one audit row per blob.
/// Also records that envelope `sequence` names each blob (envelope_blobs), so the blob goes
/// with the last envelope that names it (release_blobs).
[[nodiscard]] sqlite::Result<void> grant_blobs(sqlite::Database& db, const Submission& envelope,
                                               std::int64_t sequence);

/// Inside the caller's transaction: deletes the rows of at most `limit` blobs uploaded before
/// `before_ms` that no admitted envelope granted to a mailbox (a grant is proof of use), with an
/// audit row each, and appends them to `out`; the caller removes their files after COMMIT.
[[nodiscard]] sqlite::Result<void> delete_unused_blobs(sqlite::Database& db, std::int64_t before_ms,
                                                       std::size_t limit, std::int64_t now_ms,
                                                       std::vector<BlobFile>& out);

/// Inside the caller's transaction, when envelope `sequence` loses its ciphertext: forgets that
/// it named its blobs and deletes (row and grants) each blob no other envelope names any more,
/// appending it to `out`; the caller removes their files after COMMIT. Blobs granted before
/// envelope_blobs existed (schema 12) are named by no row and stay.
[[nodiscard]] sqlite::Result<void> release_blobs(sqlite::Database& db, std::int64_t sequence,
                                                 std::vector<BlobFile>& out);

}  // namespace draaischijf::server
