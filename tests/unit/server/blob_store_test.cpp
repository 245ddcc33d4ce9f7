// The blob store's quota holds against parallel uploads (each reserves its size when it
// begins, and gives it back when it fails); a blob becomes readable for a mailbox only when a
// stored envelope that lists it grants it, and only if the sending device uploaded it. (Orphans
// are collected by the retention pass: retention_test.cpp.)

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

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    storage = Storage::open(path).value();
    testing::register_mailbox(path, intake, 0);
    blobs = std::make_unique<BlobStore>(
        storage, dir / "blobs", BlobStore::Limits{.max_blob_bytes = 1000, .quota_bytes = 100});
    messages = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{1 << 20, 0.5});
  }
  BlobInfo announced(std::uint64_t size, std::int64_t at_ms = kT0) {
    return {random_id(), org, device, size, {}, {}, at_ms};
  }
  sqlite::Result<BlobInfo> upload(std::uint64_t size, std::int64_t at_ms = kT0) {
    return upload(announced(size, at_ms));
  }
  sqlite::Result<BlobInfo> upload(const BlobInfo& info) {
    const std::uint64_t size = info.size;
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
  // An envelope from `device` of `org` to the intake listing `blobs`, as the hub stores it once
  // its policy admitted it.
  boost::system::result<Accepted, Refusal> envelope_to_intake(std::int64_t at_ms,
                                                              std::vector<Id> listed) {
    Submission s;
    s.message_id = random_id();
    s.sender_org = org;
    s.sender_device = device;
    s.recipients = {{intake, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(512);
    s.received_at_ms = at_ms;
    s.blobs = std::move(listed);
    std::promise<boost::system::result<Accepted, Refusal>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(messages->submit(std::move(s), [&](auto r) { promise.set_value(r); }));
    return future.get();
  }
  std::vector<Id> granted(const BlobInfo& info) {
    return blobs->find(info.blob_id).value().value().mailboxes;
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
  Id device = random_id();
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

TEST_F(BlobStoreTest, AnUploadGrantsNothingAndAStoredEnvelopeGrantsItsRecipients) {
  const auto blob = upload(10).value();
  EXPECT_TRUE(blob.mailboxes.empty());
  EXPECT_TRUE(granted(blob).empty()) << "an upload names no mailboxes";
  const auto stored_envelope = envelope_to_intake(kT0 + 1000, {blob.blob_id});
  ASSERT_TRUE(stored_envelope);
  EXPECT_EQ(granted(blob), std::vector<Id>{intake});
  EXPECT_EQ(messages->audit_count("blob.granted").value(), 1);
  // A second envelope listing it again changes nothing for the mailbox it already reaches.
  ASSERT_TRUE(envelope_to_intake(kT0 + 2000, {blob.blob_id}));
  EXPECT_EQ(granted(blob), std::vector<Id>{intake});
}

TEST_F(BlobStoreTest, AnEnvelopeListingABlobItsDeviceDidNotUploadIsNotStored) {
  BlobInfo colleague = announced(10);
  colleague.device_id = random_id();  // another device of the same organisation
  BlobInfo foreign = announced(10);
  foreign.org_id = random_id();
  foreign.device_id = random_id();
  const auto blobs_of_others = {upload(colleague).value(), upload(foreign).value()};
  const auto own = upload(10).value();
  for (const BlobInfo& other : blobs_of_others) {
    const auto refused = envelope_to_intake(kT0 + 1000, {own.blob_id, other.blob_id});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().error, make_error_code(store_errc::blob_unknown));
    EXPECT_TRUE(granted(other).empty());
    EXPECT_TRUE(granted(own).empty()) << "the whole transaction rolls back";
  }
  const auto missing = envelope_to_intake(kT0 + 1000, {random_id()});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error, make_error_code(store_errc::blob_unknown));
  EXPECT_TRUE(messages->list(intake, 0, 10).value().empty()) << "no envelope was stored";
  EXPECT_EQ(messages->audit_count("blob.granted").value(), 0);
}

}  // namespace
}  // namespace draaischijf::server
