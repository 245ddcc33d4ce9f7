#pragma once

// One writer thread owns the database connection that writes. Jobs that arrive while a commit
// is in progress are batched into the next transaction (group commit): one fsync answers many
// submissions. Each job runs inside its own savepoint, so a job that fails (a replayed message
// id, say) rolls back alone; its completion is called only after the batch's COMMIT returned,
// which is what lets the hub answer 201 only for data that is on disk.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

class GroupCommitWriter {
 public:
  /// Runs inside the open transaction, under a savepoint of its own.
  using Job = std::function<sqlite::Result<void>(sqlite::Database&)>;
  /// Called on the writer thread after COMMIT (or after the failure that lost the batch).
  using Done = std::function<void(sqlite::Result<void>)>;

  struct Limits {
    std::size_t queue = 4096;  // waiting jobs beyond this are refused (the hub answers 503)
    std::size_t batch = 256;   // jobs per transaction at most
    /// The database file may grow to this many bytes at most (0: as far as the disk allows).
    /// Beyond it writes fail with sqlite::errc::full, as on a full disk; the message store
    /// refuses new envelopes a reserve earlier, so acknowledgements still fit.
    std::uint64_t max_database_bytes = 0;
  };

  GroupCommitWriter(sqlite::Database db, Limits limits);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  /// Finishes every queued job, checkpoints the WAL and stops.
  ~GroupCommitWriter();

  /// false when the queue is full: nothing was queued and `done` will not be called.
  [[nodiscard]] bool submit(Job job, Done done);

  /// Transactions committed so far (for metrics and to observe batching).
  [[nodiscard]] std::uint64_t commits() const;
  [[nodiscard]] std::size_t queued() const;

 private:
  struct Pending {
    Job job;
    Done done;
  };
  void run();
  void commit_batch(std::deque<Pending>& batch);

  sqlite::Database db_;
  const Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace draaischijf::server
