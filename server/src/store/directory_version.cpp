#include <cstring>
#include <string_view>

#include <draaischijf/server/store/directory_version.hpp>

// Declares sqlite3_preupdate_hook() and its accessors; CMake checks that the system's SQLite has
// them and defines DRAAISCHIJF_SQLITE_NO_PREUPDATE_HOOK otherwise (server/CMakeLists.txt).
#ifndef DRAAISCHIJF_SQLITE_NO_PREUPDATE_HOOK
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#endif
#include <sqlite3.h>

namespace draaischijf::server {

#ifndef DRAAISCHIJF_SQLITE_NO_PREUPDATE_HOOK
struct DirectoryVersionHooks {
  // Whether two values of one column are the same (the pre-update hook gives both sides).
  static bool same(sqlite3_value* a, sqlite3_value* b) {
    const int type = sqlite3_value_type(a);
    if (type != sqlite3_value_type(b)) {
      return false;
    }
    switch (type) {
      case SQLITE_NULL:
        return true;
      case SQLITE_INTEGER:
        return sqlite3_value_int64(a) == sqlite3_value_int64(b);
      case SQLITE_FLOAT:
        return sqlite3_value_double(a) == sqlite3_value_double(b);
      default: {  // text and blobs, byte for byte
        const int size = sqlite3_value_bytes(a);
        return size == sqlite3_value_bytes(b) &&
               (size == 0 || std::memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b),
                                         static_cast<std::size_t>(size)) == 0);
      }
    }
  }

  // An update of `mailboxes` that moved only the queued-bytes counter is not a directory
  // change: every envelope makes one.
  static bool only_queued_bytes(DirectoryVersion& self, sqlite3* db) {
    for (int column = 0; column < sqlite3_preupdate_count(db); ++column) {
      if (column == self.queued_bytes_column_) {
        continue;
      }
      sqlite3_value* before = nullptr;
      sqlite3_value* after = nullptr;
      if (sqlite3_preupdate_old(db, column, &before) != SQLITE_OK ||
          sqlite3_preupdate_new(db, column, &after) != SQLITE_OK || !same(before, after)) {
        return false;
      }
    }
    return true;
  }

  static void on_row_change(void* context, sqlite3* db, int op, const char* schema,
                            const char* table, sqlite3_int64 /*key*/, sqlite3_int64 /*new_key*/) {
    auto& self = *static_cast<DirectoryVersion*>(context);
    if (self.changed_ || std::string_view(schema) != "main") {
      return;
    }
    const std::string_view name(table);
    if (name == "organisations" || name == "devices" || name == "mailbox_epochs") {
      self.changed_ = true;
    } else if (name == "mailboxes") {
      self.changed_ = op != SQLITE_UPDATE || !only_queued_bytes(self, db);
    }
  }

  // After a commit, before its callers hear of it. A transaction rolled back after a change
  // leaves `changed_` set, and the next commit moves the version once more than needed: a
  // reader reads again, nothing worse.
  static int on_commit(void* context, sqlite3* /*db*/, const char* /*schema*/, int /*pages*/) {
    auto& self = *static_cast<DirectoryVersion*>(context);
    if (self.changed_) {
      self.changed_ = false;
      self.version_.fetch_add(1, std::memory_order_release);
    }
    return SQLITE_OK;
  }
};
#endif

sqlite::Result<std::unique_ptr<DirectoryVersion>> DirectoryVersion::watch(sqlite::Database& db) {
  std::unique_ptr<DirectoryVersion> version(new DirectoryVersion());
  version->db_ = db.native_handle();
#ifdef DRAAISCHIJF_SQLITE_NO_PREUPDATE_HOOK
  return version;  // this SQLite cannot report row changes: watching() stays false
#else
  auto columns = db.prepare("SELECT cid FROM pragma_table_info('mailboxes') WHERE name = ?");
  if (!columns) {
    return columns.error();
  }
  columns->bind(1, std::string_view("queued_bytes"));
  auto row = columns->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return make_error_code(sqlite::errc::step_failed);  // a schema without the counter
  }
  version->queued_bytes_column_ = static_cast<int>(columns->column_int64(0));
  sqlite3_preupdate_hook(version->db_, &DirectoryVersionHooks::on_row_change, version.get());
  // The writer never checkpoints by itself (wal_autocheckpoint=0, store/storage.cpp), so the
  // WAL hook is free for this.
  sqlite3_wal_hook(version->db_, &DirectoryVersionHooks::on_commit, version.get());
  version->watching_ = true;
  return version;
#endif
}

DirectoryVersion::~DirectoryVersion() {
#ifndef DRAAISCHIJF_SQLITE_NO_PREUPDATE_HOOK
  if (watching_) {
    sqlite3_preupdate_hook(db_, nullptr, nullptr);
    sqlite3_wal_hook(db_, nullptr, nullptr);
  }
#endif
}

}  // namespace draaischijf::server
