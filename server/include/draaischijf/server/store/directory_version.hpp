#pragma once

// A count of the committed changes to the directory's rows, for readers that keep what they
// read from it. The policy gate reads the sender's device, each recipient mailbox and its
// organisation for every envelope; those rows change a few times a day, the envelopes come by
// the thousand per second, and each read on the shared reading connection costs a WAL read
// lock (system calls) and the reader's mutex. With the version, a reader keeps its answers
// until the version moves and reads again after that.
//
// The writer's connection reports every row it changes (SQLite's pre-update hook) and every
// commit (the WAL hook, called after the commit is durable and before the commit's callers
// are answered). A commit that changed a row of `organisations`, `devices`, `mailbox_epochs`
// or `mailboxes` (other than the queued-bytes counter every envelope moves) moves the version
// by one. So a reader that took the version before it read, and keeps what it read only while
// the version is still the one it took, never keeps a row from before a commit it has since
// been told about.

#include <atomic>
#include <cstdint>
#include <memory>

#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

class DirectoryVersion {
 public:
  /// Watches the writing connection `db` from now on. When this SQLite cannot report row
  /// changes (built without SQLITE_ENABLE_PREUPDATE_HOOK), the result does not watch and
  /// readers must keep nothing (watching() is false).
  [[nodiscard]] static sqlite::Result<std::unique_ptr<DirectoryVersion>> watch(
      sqlite::Database& db);

  /// Whether changes are reported: if not, current() never moves and nothing may be kept.
  [[nodiscard]] bool watching() const noexcept { return watching_; }
  /// The number of committed directory changes so far.
  [[nodiscard]] std::uint64_t current() const noexcept {
    return version_.load(std::memory_order_acquire);
  }

  DirectoryVersion(const DirectoryVersion&) = delete;
  DirectoryVersion& operator=(const DirectoryVersion&) = delete;
  ~DirectoryVersion();

 private:
  DirectoryVersion() = default;
  friend struct DirectoryVersionHooks;  // SQLite's callbacks, on the writer's thread

  sqlite3* db_ = nullptr;
  bool watching_ = false;
  int queued_bytes_column_ = -1;  // of `mailboxes`: the one column whose changes do not count
  bool changed_ = false;          // in the open transaction; the writer's thread only
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace draaischijf::server
