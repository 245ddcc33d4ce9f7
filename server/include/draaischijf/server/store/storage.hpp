#pragma once

// The hub's SQLite file behind three connections: the group-commit writer, which every change
// goes through; one reading connection (WAL lets reads run beside the writer); and a
// checkpointer thread that folds the WAL into the database file beside the writer, so commits
// never wait for a checkpoint. The message store and the directory are views on one Storage, so
// a submission can check the directory in the same transaction that stores it.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <draaischijf/server/store/directory_version.hpp>
#include <draaischijf/server/store/group_commit.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

class Storage {
 public:
  [[nodiscard]] static sqlite::Result<std::shared_ptr<Storage>> open(
      const std::string& path, GroupCommitWriter::Limits limits = {});

  [[nodiscard]] GroupCommitWriter& writer() { return *writer_; }
  [[nodiscard]] const GroupCommitWriter& writer() const { return *writer_; }
  /// Moves after every commit of the writer that changed the directory's rows.
  [[nodiscard]] const DirectoryVersion& directory_version() const { return *directory_version_; }

  /// Runs `read(Database&)` on the reading connection, one caller at a time.
  template <class Read>
  auto read(Read&& read) {
    const std::lock_guard lock(reader_mutex_);
    return read(reader_);
  }

  Storage(std::unique_ptr<GroupCommitWriter> writer,
          std::unique_ptr<DirectoryVersion> directory_version, sqlite::Database reader,
          sqlite::Database checkpointer);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

 private:
  void checkpoint_loop();

  std::unique_ptr<GroupCommitWriter> writer_;
  // After the writer: it stops watching the writer's connection before that closes.
  std::unique_ptr<DirectoryVersion> directory_version_;
  std::mutex reader_mutex_;
  sqlite::Database reader_;
  sqlite::Database checkpointer_db_;
  std::mutex checkpointer_mutex_;
  std::condition_variable checkpointer_wake_;
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace draaischijf::server
