#include "store/blob_grants.hpp"

#include <draaischijf/protocol/encoding.hpp>

#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

// The sending device's own blob: only the device that uploaded a blob held its key, and a blob
// id is no secret (every recipient reads it in the outer labels), so naming it must not be
// enough for a colleague's device to hand the ciphertext to mailboxes of its choosing.
sqlite::Result<bool> uploaded_by(sqlite::Database& db, const protocol::Id& blob_id,
                                 const Submission& envelope) {
  auto select =
      db.prepare("SELECT 1 FROM blobs WHERE blob_id = ? AND org_id = ? AND device_id = ?");
  if (!select) {
    return {boost::system::in_place_error, select.error()};
  }
  select->bind(1, blob_id).bind(2, envelope.sender_org).bind(3, envelope.sender_device);
  auto row = select->step();
  if (!row) {
    return {boost::system::in_place_error, row.error()};
  }
  return *row;
}

}  // namespace

sqlite::Result<void> grant_blobs(sqlite::Database& db, const Submission& envelope) {
  auto grant =
      db.prepare("INSERT OR IGNORE INTO blob_mailboxes (blob_id, mailbox_id) VALUES (?, ?)");
  if (!grant) {
    return grant.error();
  }
  for (const protocol::Id& blob_id : envelope.blobs) {
    auto own = uploaded_by(db, blob_id, envelope);
    if (!own || !*own) {
      return !own ? own.error() : make_error_code(store_errc::blob_unknown);
    }
    for (const protocol::RecipientMailbox& recipient : envelope.recipients) {
      grant->bind(1, blob_id).bind(2, recipient.mailbox_id);
      if (auto granted = grant->run(); !granted) {
        return granted.error();
      }
      grant->reset();
    }
    if (auto audited =
            rows::insert_audit(db, envelope.received_at_ms, "blob.granted", envelope.sender_org,
                               envelope.sender_device, envelope.message_id,
                               "blob=" + protocol::hex_encode(blob_id) +
                                   " mailboxes=" + std::to_string(envelope.recipients.size()));
        !audited) {
      return audited.error();
    }
  }
  return {};
}

}  // namespace draaischijf::server
