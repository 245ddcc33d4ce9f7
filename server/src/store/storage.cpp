#include <algorithm>
#include <string>

#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {
namespace {

// How often the WAL is folded into the database file. A passive checkpoint copies what no
// reader still needs and never blocks the writer; the WAL restarts from the top once a
// checkpoint has caught up.
constexpr std::chrono::milliseconds kCheckpointInterval{250};

}  // namespace

sqlite::Result<std::shared_ptr<Storage>> Storage::open(const std::string& path,
                                                       GroupCommitWriter::Limits limits) {
  auto writer_db = sqlite::Database::open(path);
  if (!writer_db) {
    return writer_db.error();
  }
  // The writer never checkpoints itself: a commit that crosses the WAL threshold would
  // otherwise copy the WAL into the database file and sync it before answering.
  if (auto off = writer_db->exec("PRAGMA wal_autocheckpoint=0"); !off) {
    return off.error();
  }
  // Every job of a group commit runs in a savepoint of its own, whose statement journal keeps
  // the pages it changes (a 2 KiB message changes some twenty); past 64 KiB SQLite spills that
  // journal to a temporary file, so each message was written twice, once to a file thrown away
  // at its RELEASE. In memory it stays a few hundred KiB per job at most (docs/BENCHMARKS.md,
  // "Where the writer's time goes").
  if (auto memory = writer_db->exec("PRAGMA temp_store=MEMORY"); !memory) {
    return memory.error();
  }
  if (limits.max_database_bytes > 0) {
    auto page_size = writer_db->prepare("PRAGMA page_size");
    if (!page_size) {
      return page_size.error();
    }
    if (auto row = page_size->step(); !row || !*row) {
      return row ? make_error_code(sqlite::errc::step_failed) : row.error();
    }
    const auto pages =
        limits.max_database_bytes /
        static_cast<std::uint64_t>(std::max<std::int64_t>(page_size->column_int64(0), 1));
    page_size = {};
    if (auto capped = writer_db->exec("PRAGMA max_page_count=" + std::to_string(pages)); !capped) {
      return capped.error();
    }
  }
  auto directory_version = DirectoryVersion::watch(*writer_db);
  if (!directory_version) {
    return directory_version.error();
  }
  auto reader_db = sqlite::Database::open(path);
  if (!reader_db) {
    return reader_db.error();
  }
  auto checkpointer_db = sqlite::Database::open(path);
  if (!checkpointer_db) {
    return checkpointer_db.error();
  }
  return std::make_shared<Storage>(
      std::make_unique<GroupCommitWriter>(std::move(*writer_db), limits),
      std::move(*directory_version), std::move(*reader_db), std::move(*checkpointer_db));
}

Storage::Storage(std::unique_ptr<GroupCommitWriter> writer,
                 std::unique_ptr<DirectoryVersion> directory_version, sqlite::Database reader,
                 sqlite::Database checkpointer)
    : writer_(std::move(writer)),
      directory_version_(std::move(directory_version)),
      reader_(std::move(reader)),
      checkpointer_db_(std::move(checkpointer)),
      checkpointer_([this] { checkpoint_loop(); }) {}

Storage::~Storage() {
  {
    const std::lock_guard lock(checkpointer_mutex_);
    stopping_ = true;
  }
  checkpointer_wake_.notify_all();
  checkpointer_.join();
}

void Storage::checkpoint_loop() {
  std::unique_lock lock(checkpointer_mutex_);
  while (!checkpointer_wake_.wait_for(lock, kCheckpointInterval, [this] { return stopping_; })) {
    lock.unlock();
    // A failure (busy, I/O) leaves the WAL longer for now; the next round tries again.
    (void)checkpointer_db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
    lock.lock();
  }
}

}  // namespace draaischijf::server
