// The blob store's quota holds against parallel uploads (each reserves its size when it
// begins, and gives it back when it fails), and a blob its organisation never followed with an
// envelope to one of its mailboxes is deleted, row and file, a day after its upload.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/message_store.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;

constexpr std::int64_t kT0 = 1'800'000'000'000;
constexpr std::int64_t kHour = 3600 * 1000;

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    storage = Storage::open(path).value();
    testing::register_mailbox(path, intake, 0);
    blobs = std::make_unique<BlobStore>(storage, dir / "blobs", BlobStore::Limits{1000, 100});
    messages = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{1 << 20, 0.5});
  }
  BlobInfo announced(std::uint64_t size, std::int64_t at_ms = kT0) {
    return {random_id(), org, random_id(), size, {}, {intake}, at_ms};
  }
  sqlite::Result<BlobInfo> upload(std::uint64_t size, std::int64_t at_ms = kT0) {
    const auto info = announced(size, at_ms);
    auto file = blobs->begin(info);
    if (!file) {
      return file.error();
    }
    const auto bytes = testing::pattern_bytes(size);
    EXPECT_TRUE(file->write(bytes));
    std::promise<sqlite::Result<BlobInfo>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(blobs->commit(std::move(*file), info,
                              [&](sqlite::Result<BlobInfo> r) { promise.set_value(r); }));
    return future.get();
  }
  std::size_t sweep(std::int64_t now_ms) {
    std::promise<sqlite::Result<std::size_t>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(blobs->sweep_orphans(now_ms, [&](auto r) { promise.set_value(r); }));
    return future.get().value();
  }
  void envelope_to_intake(std::int64_t at_ms) {
    Submission s;
    s.message_id = random_id();
    s.sender_org = org;
    s.sender_device = random_id();
    s.recipients = {{intake, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(512);
    s.received_at_ms = at_ms;
    std::promise<bool> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(messages->submit(std::move(s), [&](auto r) { promise.set_value(r.has_value()); }));
    EXPECT_TRUE(future.get());
  }
  bool stored(const BlobInfo& info) {
    return blobs->find(info.blob_id).value().has_value() &&
           std::filesystem::exists(blobs->path_of(info));
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SqliteMessageStore> messages;
  Id org = random_id();
  Id intake = random_id();
};

TEST_F(BlobStoreTest, ParallelUploadsCannotTogetherExceedTheQuota) {
  auto first = blobs->begin(announced(60));
  ASSERT_TRUE(first);
  auto second = blobs->begin(announced(60));
  EXPECT_FALSE(second) << "60 under way and 60 more would pass the quota of 100";
  EXPECT_EQ(second.error(), make_error_code(blob_errc::quota_full));
  EXPECT_TRUE(blobs->begin(announced(40))) << "what is left may still be used";
}

TEST_F(BlobStoreTest, AFailedUploadGivesItsReservationBack) {
  {
    auto dropped = blobs->begin(announced(60));
    ASSERT_TRUE(dropped);
    EXPECT_FALSE(blobs->begin(announced(60)));
  }  // the connection broke off: the upload is dropped
  ASSERT_TRUE(upload(60)) << "the quota is free again";
  EXPECT_FALSE(blobs->begin(announced(60))) << "now the stored blob counts";
  EXPECT_EQ(blobs->organisation_usage(org).value(), 60U);
}

TEST_F(BlobStoreTest, ABlobNeverFollowedByAnEnvelopeIsSweptAfterADay) {
  const auto unused = upload(10).value();
  const auto used = upload(10).value();
  envelope_to_intake(kT0 + 1000);  // the envelope that carries `used` (and names `unused` too)
  const auto late = upload(10, kT0 + 2000).value();
  EXPECT_EQ(sweep(kT0 + 23 * kHour), 0U) << "not a day old yet";
  EXPECT_TRUE(stored(unused));
  // `unused` and `used` were both followed by the envelope; `late` was not.
  EXPECT_EQ(sweep(kT0 + 25 * kHour), 1U);
  EXPECT_TRUE(stored(unused));
  EXPECT_TRUE(stored(used));
  EXPECT_FALSE(blobs->find(late.blob_id).value().has_value());
  EXPECT_FALSE(std::filesystem::exists(blobs->path_of(late))) << "its file goes too";
  EXPECT_EQ(blobs->organisation_usage(org).value(), 20U) << "and its bytes leave the quota";
}

}  // namespace
}  // namespace draaischijf::server
