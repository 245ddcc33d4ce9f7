#include <vector>

#include <draaischijf/server/store/group_commit.hpp>

namespace draaischijf::server {

GroupCommitWriter::GroupCommitWriter(sqlite::Database db, Limits limits)
    : db_(std::move(db)), limits_(limits), thread_([this] { run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  (void)db_.checkpoint();  // best effort: the WAL is durable either way
}

bool GroupCommitWriter::submit(Job job, Done done) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= limits_.queue) {
      return false;
    }
    queue_.push_back({std::move(job), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

std::uint64_t GroupCommitWriter::commits() const {
  const std::lock_guard lock(mutex_);
  return commits_;
}

std::size_t GroupCommitWriter::queued() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

void GroupCommitWriter::run() {
  std::deque<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      while (!queue_.empty() && batch.size() < limits_.batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::commit_batch(std::deque<Pending>& batch) {
  std::vector<sqlite::Result<void>> results;
  results.reserve(batch.size());
  sqlite::Result<void> committed = db_.run("BEGIN IMMEDIATE");
  if (committed) {
    for (Pending& pending : batch) {
      if (auto saved = db_.run("SAVEPOINT job"); !saved) {
        results.emplace_back(saved.error());
        continue;
      }
      auto outcome = pending.job(db_);
      if (!outcome) {
        (void)db_.rollback_to("job");
      }
      (void)db_.run("RELEASE job");
      results.push_back(outcome);
      // A full disk (SQLITE_FULL) or an I/O error may have rolled back the whole transaction,
      // the jobs before this one included: none of them may report success, and no later job
      // may run outside a transaction (its RELEASE would commit it alone).
      if (!db_.in_transaction()) {
        committed =
            outcome ? sqlite::Result<void>(make_error_code(sqlite::errc::io_error)) : outcome;
        break;
      }
    }
  }
  if (committed) {
    committed = db_.run("COMMIT");
  }
  if (!committed) {
    (void)db_.run("ROLLBACK");
  } else {
    const std::lock_guard lock(mutex_);
    ++commits_;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    // Nothing of a batch whose COMMIT failed is on disk: every job in it failed.
    batch[i].done(committed ? results[i] : sqlite::Result<void>(committed.error()));
  }
}

}  // namespace draaischijf::server
