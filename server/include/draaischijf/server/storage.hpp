#pragma once

// The hub's SQLite file behind two connections: the group-commit writer, which every change goes
// through, and one reading connection (WAL lets reads run beside the writer). The message store
// and the directory are views on one Storage, so a submission can check the directory in the
// same transaction that stores it.

#include <memory>
#include <mutex>
#include <string>

#include <draaischijf/server/group_commit.hpp>
#include <draaischijf/server/sqlite.hpp>

namespace draaischijf::server {

class Storage {
 public:
  [[nodiscard]] static sqlite::Result<std::shared_ptr<Storage>> open(
      const std::string& path, GroupCommitWriter::Limits limits = {});

  [[nodiscard]] GroupCommitWriter& writer() { return *writer_; }
  [[nodiscard]] const GroupCommitWriter& writer() const { return *writer_; }

  /// Runs `read(Database&)` on the reading connection, one caller at a time.
  template <class Read>
  auto read(Read&& read) {
    const std::lock_guard lock(reader_mutex_);
    return read(reader_);
  }

  Storage(std::unique_ptr<GroupCommitWriter> writer, sqlite::Database reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}

 private:
  std::unique_ptr<GroupCommitWriter> writer_;
  std::mutex reader_mutex_;
  sqlite::Database reader_;
};

}  // namespace draaischijf::server
