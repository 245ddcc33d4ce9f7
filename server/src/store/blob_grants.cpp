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

sqlite::Result<void> grant_blobs(sqlite::Database& db, const Submission& envelope,
                                 std::int64_t sequence) {
  auto grant =
      db.prepare("INSERT OR IGNORE INTO blob_mailboxes (blob_id, mailbox_id) VALUES (?, ?)");
  auto named = db.prepare("INSERT OR IGNORE INTO envelope_blobs (sequence, blob_id) VALUES (?, ?)");
  if (!grant || !named) {
    return !grant ? grant.error() : named.error();
  }
  for (const protocol::Id& blob_id : envelope.blobs) {
    auto own = uploaded_by(db, blob_id, envelope);
    if (!own || !*own) {
      return !own ? own.error() : make_error_code(store_errc::blob_unknown);
    }
    named->bind(1, sequence).bind(2, blob_id);
    if (auto recorded = named->run(); !recorded) {
      return recorded.error();
    }
    named->reset();
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

namespace {

// Deletes a blob's grants and row; its file is the caller's to remove after COMMIT.
sqlite::Result<void> delete_blob_rows(sqlite::Database& db, const protocol::Id& blob_id) {
  for (const char* sql :
       {"DELETE FROM blob_mailboxes WHERE blob_id = ?", "DELETE FROM blobs WHERE blob_id = ?"}) {
    auto statement = db.prepare(sql);
    if (!statement) {
      return statement.error();
    }
    statement->bind(1, blob_id);
    if (auto ran = statement->run(); !ran) {
      return ran.error();
    }
  }
  return {};
}

}  // namespace

sqlite::Result<void> delete_unused_blobs(sqlite::Database& db, std::int64_t before_ms,
                                         std::size_t limit, std::int64_t now_ms,
                                         std::vector<BlobFile>& out) {
  auto select = db.prepare(
      "SELECT b.blob_id, b.hash FROM blobs b WHERE b.created_at_ms < ? AND NOT EXISTS ("
      "SELECT 1 FROM blob_mailboxes m WHERE m.blob_id = b.blob_id) LIMIT ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, before_ms).bind(2, static_cast<std::int64_t>(limit));
  std::vector<BlobFile> unused;
  if (auto listed = rows::for_each_row(*select,
                                       [&unused](sqlite::Statement& row) {
                                         unused.emplace_back(rows::fixed<16>(row.column_blob(0)),
                                                             rows::fixed<32>(row.column_blob(1)));
                                       });
      !listed) {
    return listed.error();
  }
  for (const auto& [blob_id, hash] : unused) {
    if (auto deleted = delete_blob_rows(db, blob_id); !deleted) {
      return deleted;
    }
    if (auto audited = rows::insert_audit(db, now_ms, "blob.swept", protocol::Id{}, protocol::Id{},
                                          blob_id, "unused");
        !audited) {
      return audited;
    }
    out.emplace_back(blob_id, hash);
  }
  return {};
}

sqlite::Result<void> release_blobs(sqlite::Database& db, std::int64_t sequence,
                                   std::vector<BlobFile>& out) {
  auto named = db.prepare(
      "SELECT e.blob_id, b.hash FROM envelope_blobs e JOIN blobs b ON b.blob_id = e.blob_id "
      "WHERE e.sequence = ?");
  auto forget = db.prepare("DELETE FROM envelope_blobs WHERE sequence = ?");
  if (!named || !forget) {
    return !named ? named.error() : forget.error();
  }
  named->bind(1, sequence);
  std::vector<BlobFile> blobs;
  if (auto listed = rows::for_each_row(*named,
                                       [&blobs](sqlite::Statement& row) {
                                         blobs.emplace_back(rows::fixed<16>(row.column_blob(0)),
                                                            rows::fixed<32>(row.column_blob(1)));
                                       });
      !listed) {
    return listed;
  }
  forget->bind(1, sequence);
  if (auto forgotten = forget->run(); !forgotten) {
    return forgotten;
  }
  auto still_named = db.prepare("SELECT 1 FROM envelope_blobs WHERE blob_id = ? LIMIT 1");
  if (!still_named) {
    return still_named.error();
  }
  for (const auto& [blob_id, hash] : blobs) {
    still_named->reset();
    still_named->bind(1, blob_id);
    auto row = still_named->step();
    if (!row) {
      return row.error();
    }
    if (*row) {
      continue;  // another envelope that still has its ciphertext names it
    }
    still_named->reset();
    if (auto deleted = delete_blob_rows(db, blob_id); !deleted) {
      return deleted;
    }
    out.emplace_back(blob_id, hash);
  }
  return {};
}

}  // namespace draaischijf::server
