// The notices on record (store/notice_store.hpp). A notice retention emptied (its body gone,
// the row kept as the workflow finders' record, retention.cpp) is not listed, found or
// acknowledged: it is gone for everyone.

#include <string>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/notice_store.hpp>

#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

constexpr const char* kColumns =
    "SELECT sequence, notice_id, mailbox_id, body, acked_at_ms FROM notices ";

StoredNotice notice_of(const sqlite::Statement& row) {
  const auto body = row.column_blob(3);
  StoredNotice out{row.column_int64(0), rows::fixed<16>(row.column_blob(1)),
                   rows::fixed<16>(row.column_blob(2)),
                   std::vector<std::uint8_t>(body.begin(), body.end()), std::nullopt};
  if (!row.column_is_null(4)) {
    out.acked_at_ms = row.column_int64(4);
  }
  return out;
}

}  // namespace

sqlite::Result<std::vector<StoredNotice>> NoticeStore::list(const protocol::Id& org_id,
                                                            std::int64_t after, std::size_t limit) {
  return storage_->read([&](sqlite::Database& db) {
    return rows::select_all<StoredNotice>(
        db,
        std::string(kColumns) +
            "WHERE org_id = ? AND sequence > ? AND length(body) > 0 "
            "ORDER BY sequence LIMIT ?",
        [&](sqlite::Statement& s) {
          s.bind(1, org_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
        },
        notice_of);
  });
}

sqlite::Result<StoredNotice> NoticeStore::find(const protocol::Id& org_id,
                                               const protocol::Id& notice_id) {
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<StoredNotice> {
    auto select = db.prepare(std::string(kColumns) +
                             "WHERE org_id = ? AND notice_id = ? AND length(body) > 0");
    if (!select) {
      return select.error();
    }
    select->bind(1, org_id).bind(2, notice_id);
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return make_error_code(directory_errc::not_found);
    }
    return notice_of(*select);
  });
}

bool NoticeStore::acknowledge(const protocol::Id& org_id, const protocol::Id& notice_id,
                              const protocol::Id& device_id, std::int64_t at_ms, Done done) {
  return storage_->writer().submit(
      [org_id, notice_id, device_id, at_ms](sqlite::Database& db) -> sqlite::Result<void> {
        // The first acknowledgement is the one on record; a repeat changes nothing.
        auto update = db.prepare(
            "UPDATE notices SET acked_at_ms = ?, acked_by = ? WHERE org_id = ? AND "
            "notice_id = ? AND acked_at_ms IS NULL AND length(body) > 0");
        if (!update) {
          return update.error();
        }
        update->bind(1, at_ms).bind(2, device_id).bind(3, org_id).bind(4, notice_id);
        if (auto ran = update->run(); !ran) {
          return ran;
        }
        if (db.changes() == 0) {
          return {};
        }
        return rows::insert_audit(db, at_ms, "notice.acknowledged", org_id, device_id, {},
                                  "notice=" + protocol::hex_encode(notice_id));
      },
      std::move(done));
}

}  // namespace draaischijf::server
