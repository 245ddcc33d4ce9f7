// A full disk at the store, without root: SQLite's max_page_count makes the database "full"
// (SQLITE_FULL, as on a full disk) and the blob store's free-space probe is injected. Nothing
// the writer reported as committed is missing afterwards, new envelopes are refused a reserve
// before the cap while acknowledgements still fit, and room freed by retention is used again.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/group_commit.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/retention.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;

constexpr std::int64_t kT0 = 1'800'000'000'000;

std::int64_t rows_with(sqlite::Database& db, std::int64_t tag) {
  auto select = db.prepare("SELECT count(*) FROM t WHERE tag = ?").value();
  select.bind(1, tag);
  EXPECT_TRUE(select.step().value());
  return select.column_int64(0);
}

// Whatever SQLite does on SQLITE_FULL (roll back the statement, or the whole transaction), a
// job reported committed is on disk and a job reported failed is not.
TEST(DiskFullWriterTest, NoJobOfABatchTheFullDiskBrokeOffIsReportedCommitted) {
  testing::TempDir dir;
  const auto path = (dir.path() / "full.db").string();
  {
    auto db = sqlite::Database::open(path).value();
    ASSERT_TRUE(db.exec("CREATE TABLE t (tag INTEGER, data BLOB)"));
  }
  auto db = sqlite::Database::open(path).value();
  ASSERT_TRUE(db.exec("PRAGMA max_page_count = 128"));
  GroupCommitWriter writer(std::move(db), {});

  // The first job holds the writer until the others are queued: they share one batch.
  std::promise<void> release;
  auto released = release.get_future().share();
  std::vector<std::future<sqlite::Result<void>>> results;
  const auto insert = [&](std::int64_t tag, std::size_t size) {
    auto done = std::make_shared<std::promise<sqlite::Result<void>>>();
    results.push_back(done->get_future());
    EXPECT_TRUE(writer.submit(
        [tag, size, released](sqlite::Database& d) -> sqlite::Result<void> {
          released.wait();
          auto statement = d.prepare("INSERT INTO t (tag, data) VALUES (?, zeroblob(?))");
          if (!statement) {
            return statement.error();
          }
          statement->bind(1, tag).bind(2, static_cast<std::int64_t>(size));
          return statement->run();
        },
        [done](sqlite::Result<void> r) { done->set_value(r); }));
  };
  insert(1, 100);
  insert(2, 100);
  insert(3, 1 << 20);  // larger than the whole database may be
  insert(4, 100);
  release.set_value();
  std::vector<bool> committed;
  for (auto& f : results) {
    auto r = f.get();
    committed.push_back(static_cast<bool>(r));
    if (!r) {
      EXPECT_EQ(r.error(), make_error_code(sqlite::errc::full)) << r.error().message();
    }
  }
  EXPECT_FALSE(committed[2]);
  auto check = sqlite::Database::open(path).value();
  for (std::size_t i = 0; i < committed.size(); ++i) {
    EXPECT_EQ(rows_with(check, static_cast<std::int64_t>(i + 1)), committed[i] ? 1 : 0)
        << "job " << i + 1;
  }
}

class DiskFullStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir.path() / "hub.db").string();
    testing::register_mailbox(path, intake, 0);
    GroupCommitWriter::Limits limits;
    limits.max_database_bytes = 4 << 20;
    storage = Storage::open(path, limits).value();
    RetentionPolicy policy;
    policy.messages.settled_ms = 0;  // acknowledged ciphertext goes at the next pass
    store = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{1 << 30, 0.9}, policy);
    blobs = std::make_unique<BlobStore>(storage, dir.path() / "blobs", BlobStore::Limits{});
    retention = std::make_unique<Retention>(storage, *blobs, policy);
  }
  boost::system::result<Accepted, Refusal> submit() {
    Submission s;
    s.message_id = random_id();
    s.sender_org = random_id();
    s.sender_device = random_id();
    s.recipients = {{intake, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(256 * 1024, static_cast<std::uint32_t>(++count));
    s.received_at_ms = kT0;
    std::promise<boost::system::result<Accepted, Refusal>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(store->submit(std::move(s), [&](auto r) { promise.set_value(r); }));
    return future.get();
  }
  sqlite::Result<void> ack(std::int64_t sequence) {
    std::promise<sqlite::Result<void>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(store->acknowledge(intake, sequence, random_id(), kT0 + 1,
                                   MessageStore::Acknowledgement::delivered,
                                   [&](auto r) { promise.set_value(r); }));
    return future.get();
  }
  testing::TempDir dir;
  Id intake = random_id();
  std::shared_ptr<Storage> storage;
  std::unique_ptr<SqliteMessageStore> store;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<Retention> retention;
  std::uint32_t count = 0;
};

TEST_F(DiskFullStoreTest, NewEnvelopesStopBeforeTheCapAcknowledgementsGoOnFreedRoomIsUsed) {
  std::vector<std::int64_t> stored;
  boost::system::result<Accepted, Refusal> last = submit();
  for (int i = 0; i < 40 && last; ++i) {
    stored.push_back(last->sequence);
    last = submit();
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().error, make_error_code(sqlite::errc::full));
  ASSERT_GE(stored.size(), 2U);

  EXPECT_EQ(store->list(intake, 0, 100).value().size(), stored.size());
  for (const std::int64_t sequence : stored) {
    EXPECT_EQ(store->fetch(intake, sequence).value().size(), 256U * 1024);
    EXPECT_TRUE(ack(sequence)) << "acknowledgements fit in the reserve";
  }
  EXPECT_FALSE(submit());

  std::promise<sqlite::Result<PurgeReport>> purged;
  auto future = purged.get_future();
  ASSERT_TRUE(retention->purge(kT0 + 2, [&](auto r) { purged.set_value(r); }));
  EXPECT_EQ(future.get().value().envelopes, stored.size());
  EXPECT_TRUE(submit()) << "the room retention freed takes new envelopes again";
}

TEST(DiskFullBlobTest, AnUploadTheDiskCannotTakeIsRefusedUntilRoomReturns) {
  testing::TempDir dir;
  auto storage = Storage::open((dir.path() / "hub.db").string()).value();
  std::uint64_t free_bytes = 1000;
  BlobStore::Limits limits;
  limits.min_free_disk_bytes = 4096;
  limits.free_space = [&free_bytes](const std::filesystem::path&) { return free_bytes; };
  BlobStore blobs(storage, dir.path() / "blobs", limits);
  const BlobInfo info{random_id(), random_id(), random_id(), 512, {}, {}, kT0};

  auto refused = blobs.begin(info);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(blob_errc::write_failed));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "blobs")) << "no partial file";

  free_bytes = 512 + 4096;  // room returned: the next upload goes through
  auto upload = blobs.begin(info);
  ASSERT_TRUE(upload);
  ASSERT_TRUE(upload->write(testing::pattern_bytes(512)));
  std::promise<sqlite::Result<BlobInfo>> promise;
  auto future = promise.get_future();
  ASSERT_TRUE(blobs.commit(std::move(*upload), info, [&](auto r) { promise.set_value(r); }));
  EXPECT_TRUE(future.get());
}

}  // namespace
}  // namespace draaischijf::server
