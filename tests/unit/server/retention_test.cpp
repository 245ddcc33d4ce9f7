// Retention at the store (docs/POLICY.md, "Retention"): ciphertext goes a set time after every
// recipient acknowledged it and not before; what nobody fetched expires and the sender can see
// it; a blob stays while an envelope with ciphertext names it and orphans go after their own
// period; audit and disclosure rows stay for their long period; each pass that deleted
// something leaves one audit row with counts; passes are bounded.

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/retention.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;

constexpr std::int64_t kT0 = 1'800'000'000'000;
constexpr std::int64_t kHour = 3600 * 1000;
using Outcome = boost::system::result<Accepted, Refusal>;

RetentionPolicy test_policy() {
  RetentionPolicy policy;
  policy.messages = {7 * kDayMs, 30 * kDayMs};
  policy.orphan_blob_ms = 24 * kHour;
  policy.records_ms = 400 * kDayMs;
  policy.disclosures_ms = 500 * kDayMs;
  return policy;
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    testing::register_mailbox(path, intake, 0);
    testing::register_mailbox(path, onthaal, 0);
    open(test_policy());
  }
  // (Re)opens the stores on the file with `policy`.
  void open(const RetentionPolicy& policy) {
    retention.reset();
    store.reset();
    blobs.reset();
    storage = Storage::open((dir / "hub.db").string()).value();
    blobs = std::make_unique<BlobStore>(
        storage, dir / "blobs",
        BlobStore::Limits{.max_blob_bytes = 1 << 20, .quota_bytes = 1 << 24});
    store = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{1 << 20, 0.9}, policy);
    retention = std::make_unique<Retention>(storage, *blobs, policy);
  }

  Submission message(std::vector<protocol::RecipientMailbox> to, std::vector<Id> listed = {}) {
    Submission s;
    s.message_id = random_id();
    s.sender_org = clb;
    s.sender_device = device;
    s.kind = protocol::MessageKind::doorverwijzing;
    s.categories.add(protocol::DataCategory::leren_en_studeren);
    s.recipients = std::move(to);
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(1024);
    s.received_at_ms = kT0;
    s.pupil_pseudonym = protocol::Hash256{7};
    s.blobs = std::move(listed);
    return s;
  }
  Accepted submit(Submission s) {
    std::promise<Outcome> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(store->submit(std::move(s), [&](Outcome r) { promise.set_value(r); }));
    return future.get().value();
  }
  sqlite::Result<void> ack(const Id& mailbox, std::int64_t sequence, std::int64_t at_ms) {
    std::promise<sqlite::Result<void>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(store->acknowledge(mailbox, sequence, device, at_ms,
                                   MessageStore::Acknowledgement::delivered,
                                   [&](sqlite::Result<void> r) { promise.set_value(r); }));
    return future.get();
  }
  PurgeReport purge(std::int64_t now_ms) {
    std::promise<sqlite::Result<PurgeReport>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(retention->purge(now_ms, [&](auto r) { promise.set_value(r); }));
    return future.get().value();
  }
  BlobInfo upload(std::int64_t at_ms = kT0) {
    BlobInfo info{random_id(), clb, device, 64, {}, {}, at_ms};
    auto file = blobs->begin(info).value();
    EXPECT_TRUE(file.write(testing::pattern_bytes(64)));
    std::promise<sqlite::Result<BlobInfo>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(blobs->commit(std::move(file), info, [&](auto r) { promise.set_value(r); }));
    return future.get().value();
  }
  bool blob_exists(const BlobInfo& info) {
    const bool row = blobs->find(info.blob_id).value().has_value();
    EXPECT_EQ(row, std::filesystem::exists(blobs->path_of(info)));
    return row;
  }
  std::int64_t count(std::string_view sql) {
    return storage->read([&](sqlite::Database& db) {
      auto select = db.prepare(sql).value();
      EXPECT_TRUE(select.step().value());
      return select.column_int64(0);
    });
  }
  std::string state_of(const Id& message_id, const Id& mailbox) {
    for (const auto& [m, state] : store->delivery_status(message_id, clb).value()) {
      if (m == mailbox) {
        return state;
      }
    }
    return "missing";
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SqliteMessageStore> store;
  std::unique_ptr<Retention> retention;
  Id clb = random_id();
  Id device = random_id();
  Id intake = random_id();
  Id onthaal = random_id();
};

TEST_F(RetentionTest, CiphertextAcknowledgedByEveryRecipientGoesAfterTheSettledPeriod) {
  auto s = message({{intake, 0}, {onthaal, 0}});
  const Id id = s.message_id;
  const auto sequence = submit(std::move(s)).sequence;
  const std::int64_t last_ack = kT0 + 5 * kHour;
  ASSERT_TRUE(ack(intake, sequence, kT0 + kHour));
  ASSERT_TRUE(ack(onthaal, sequence, last_ack));

  // Counted from the last acknowledgement, not the first.
  EXPECT_EQ(purge(last_ack + 7 * kDayMs - 1).envelopes, 0U);
  EXPECT_TRUE(store->fetch(intake, sequence));
  EXPECT_FALSE(store->purged_at(id, clb).value());

  const auto report = purge(last_ack + 7 * kDayMs);
  EXPECT_EQ(report.envelopes, 1U);
  EXPECT_EQ(store->fetch(intake, sequence).error(), make_error_code(store_errc::purged));
  EXPECT_EQ(store->fetch(onthaal, sequence).error(), make_error_code(store_errc::purged));
  EXPECT_TRUE(store->list(intake, 0, 10).value().empty());
  // The ciphertext is gone from the row; what happened stays visible to the sender.
  EXPECT_EQ(count("SELECT length(body) FROM envelopes"), 0);
  EXPECT_EQ(store->purged_at(id, clb).value(), last_ack + 7 * kDayMs);
  EXPECT_EQ(state_of(id, intake), "delivered");
  EXPECT_EQ(state_of(id, onthaal), "delivered");
  // Another organisation learns nothing from it.
  EXPECT_EQ(store->purged_at(id, random_id()).error(), make_error_code(store_errc::not_found));
}

// A reload (SIGHUP) replaces the policy: envelopes stored after it get the new periods, those
// stored before keep the periods stored with them.
TEST_F(RetentionTest, AReplacedPolicyAppliesToEnvelopesStoredAfterItOnly) {
  const auto before = submit(message({{intake, 0}})).sequence;
  RetentionPolicy shorter = test_policy();
  shorter.messages.settled_ms = 2 * kDayMs;
  store->set_retention(shorter);
  retention->set_policy(shorter);
  EXPECT_EQ(retention->policy().messages.settled_ms, 2 * kDayMs);
  const auto after = submit(message({{onthaal, 0}})).sequence;
  ASSERT_TRUE(ack(intake, before, kT0 + kHour));
  ASSERT_TRUE(ack(onthaal, after, kT0 + kHour));

  EXPECT_EQ(purge(kT0 + kHour + 2 * kDayMs).envelopes, 1U);
  EXPECT_EQ(store->fetch(onthaal, after).error(), make_error_code(store_errc::purged));
  EXPECT_EQ(store->fetch(intake, before).value().size(), 1024U);
  EXPECT_EQ(purge(kT0 + kHour + 7 * kDayMs).envelopes, 1U);
}

TEST_F(RetentionTest, OneRecipientStillWaitingKeepsTheCiphertextForEveryone) {
  const auto sequence = submit(message({{intake, 0}, {onthaal, 0}})).sequence;
  ASSERT_TRUE(ack(intake, sequence, kT0 + kHour));

  const auto report = purge(kT0 + 29 * kDayMs);
  EXPECT_EQ(report.envelopes, 0U);
  EXPECT_EQ(report.expired, 0U);
  EXPECT_EQ(store->fetch(intake, sequence).value().size(), 1024U);
  EXPECT_EQ(store->fetch(onthaal, sequence).value().size(), 1024U);
}

TEST_F(RetentionTest, UnfetchedEntriesExpireAndTheSenderLearnsIt) {
  auto s = message({{intake, 0}, {onthaal, 0}});
  const Id id = s.message_id;
  const auto sequence = submit(std::move(s)).sequence;
  ASSERT_TRUE(ack(intake, sequence, kT0 + kHour));
  EXPECT_EQ(count("SELECT count(*) FROM disclosures"), 2);

  EXPECT_EQ(purge(kT0 + 30 * kDayMs - 1).expired, 0U);
  const auto report = purge(kT0 + 30 * kDayMs);
  ASSERT_EQ(report.expired, 1U);
  ASSERT_EQ(report.expiries.size(), 1U);
  EXPECT_EQ(report.expiries[0].mailbox_id, onthaal);
  EXPECT_EQ(report.expiries[0].sequence, sequence);
  EXPECT_EQ(report.expiries[0].message_id, id);
  EXPECT_EQ(report.expiries[0].sender_org, clb);

  EXPECT_EQ(state_of(id, onthaal), "expired");
  EXPECT_EQ(state_of(id, intake), "delivered");
  EXPECT_EQ(store->fetch(onthaal, sequence).error(), make_error_code(store_errc::expired));
  // Too late to acknowledge: the sender was told it expired.
  EXPECT_EQ(ack(onthaal, sequence, kT0 + 30 * kDayMs + 1).error(),
            make_error_code(store_errc::expired));
  EXPECT_EQ(store->audit_count("envelope.expired").value(), 1);
  // Never received, so never disclosed; and its bytes stop counting to the quota.
  EXPECT_EQ(count("SELECT count(*) FROM disclosures"), 1);
  EXPECT_EQ(count("SELECT sum(queued_bytes) FROM mailboxes"), 0);

  // Settled now: the ciphertext goes after the settled period from the expiry.
  EXPECT_EQ(purge(kT0 + 37 * kDayMs - 1).envelopes, 0U);
  EXPECT_EQ(purge(kT0 + 37 * kDayMs).envelopes, 1U);
}

TEST_F(RetentionTest, PeriodsFollowTheMessageKindAndItsCategories) {
  RetentionPolicy policy = test_policy();
  policy.kinds[protocol::MessageKind::signaal] = {std::nullopt, 2 * kDayMs};
  policy.kinds[protocol::MessageKind::doorverwijzing] = {std::nullopt, 60 * kDayMs};
  policy.categories[protocol::DataCategory::diagnostiek] = {1 * kDayMs, 20 * kDayMs};
  protocol::CategorySet plain;
  plain.add(protocol::DataCategory::leren_en_studeren);
  protocol::CategorySet health = plain;
  health.add(protocol::DataCategory::diagnostiek);

  // No override: the defaults.
  const auto feedback = policy.for_message(protocol::MessageKind::terugkoppeling, plain);
  EXPECT_EQ(feedback.settled_ms, 7 * kDayMs);
  EXPECT_EQ(feedback.unfetched_ms, 30 * kDayMs);
  // An override may lengthen the default...
  EXPECT_EQ(policy.for_message(protocol::MessageKind::doorverwijzing, plain).unfetched_ms,
            60 * kDayMs);
  // ...and where several apply, the shortest wins, field by field.
  const auto referral = policy.for_message(protocol::MessageKind::doorverwijzing, health);
  EXPECT_EQ(referral.unfetched_ms, 20 * kDayMs);
  EXPECT_EQ(referral.settled_ms, 1 * kDayMs);
  EXPECT_EQ(policy.for_message(protocol::MessageKind::signaal, health).unfetched_ms, 2 * kDayMs);

  // The store keeps the periods with each envelope when it is stored.
  open(policy);
  auto s = message({{intake, 0}});
  s.categories = health;
  const auto quick = submit(std::move(s)).sequence;
  const auto slow = submit(message({{intake, 0}})).sequence;
  EXPECT_EQ(purge(kT0 + 20 * kDayMs).expired, 1U);
  EXPECT_EQ(store->fetch(intake, quick).error(), make_error_code(store_errc::expired));
  EXPECT_TRUE(store->fetch(intake, slow));
  EXPECT_EQ(purge(kT0 + 60 * kDayMs).expired, 1U);
}

TEST_F(RetentionTest, ABlobStaysWhileAnEnvelopeWithCiphertextNamesIt) {
  const BlobInfo blob = upload();
  const auto first = submit(message({{intake, 0}}, {blob.blob_id})).sequence;
  const auto second = submit(message({{onthaal, 0}}, {blob.blob_id})).sequence;
  ASSERT_TRUE(ack(intake, first, kT0 + kHour));

  auto report = purge(kT0 + kHour + 7 * kDayMs);
  EXPECT_EQ(report.envelopes, 1U);
  EXPECT_EQ(report.blobs, 0U);
  EXPECT_TRUE(blob_exists(blob));  // the second envelope still names it

  ASSERT_TRUE(ack(onthaal, second, kT0 + 8 * kDayMs));
  report = purge(kT0 + 15 * kDayMs);
  EXPECT_EQ(report.envelopes, 1U);
  EXPECT_EQ(report.blobs, 1U);
  EXPECT_FALSE(blob_exists(blob));
  EXPECT_EQ(count("SELECT count(*) FROM blob_mailboxes"), 0);
}

TEST_F(RetentionTest, AnOrphanBlobIsCollectedAfterItsOwnPeriod) {
  const BlobInfo orphan = upload(kT0);
  const BlobInfo used = upload(kT0);
  (void)submit(message({{intake, 0}}, {used.blob_id}));

  EXPECT_EQ(purge(kT0 + 24 * kHour - 1).orphan_blobs, 0U);
  EXPECT_TRUE(blob_exists(orphan));
  const auto report = purge(kT0 + 24 * kHour + 1);
  EXPECT_EQ(report.orphan_blobs, 1U);
  EXPECT_FALSE(blob_exists(orphan));
  EXPECT_TRUE(blob_exists(used));
  EXPECT_EQ(blobs->organisation_usage(clb).value(), 64U) << "the orphan's bytes leave the quota";
}

TEST_F(RetentionTest, AuditAndDisclosureRowsStayForTheirOwnPeriod) {
  const auto sequence = submit(message({{intake, 0}})).sequence;
  ASSERT_TRUE(ack(intake, sequence, kT0 + kHour));
  ASSERT_EQ(purge(kT0 + 8 * kDayMs).envelopes, 1U);
  const auto accepted_rows = store->audit_count("envelope.accepted").value();
  ASSERT_EQ(accepted_rows, 1);

  // The ciphertext went long ago; the record of what happened stays for the records period.
  auto report = purge(kT0 + 400 * kDayMs - 1);
  EXPECT_EQ(report.audit, 0U);
  EXPECT_EQ(report.records, 0U);
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 1);
  EXPECT_EQ(count("SELECT count(*) FROM envelopes"), 1);

  report = purge(kT0 + 400 * kDayMs + kHour);
  EXPECT_GT(report.audit, 0U);
  EXPECT_EQ(report.records, 1U);
  EXPECT_EQ(report.disclosures, 0U);  // its own, longer period
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM envelopes"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM queue"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM disclosures"), 1);

  EXPECT_EQ(purge(kT0 + 500 * kDayMs + kHour).disclosures, 1U);
  EXPECT_EQ(count("SELECT count(*) FROM disclosures"), 0);
}

TEST_F(RetentionTest, APassThatDeletedSomethingLeavesOneAuditRowWithCountsOnly) {
  const auto sequence = submit(message({{intake, 0}})).sequence;
  ASSERT_TRUE(ack(intake, sequence, kT0 + kHour));
  (void)purge(kT0 + 2 * kHour);  // nothing to do: no row
  EXPECT_EQ(store->audit_count("retention.purged").value(), 0);

  (void)purge(kT0 + 8 * kDayMs);
  EXPECT_EQ(store->audit_count("retention.purged").value(), 1);
  const auto row = storage->read([](sqlite::Database& db) {
    auto select = db.prepare(
                        "SELECT detail, message_id IS NULL OR length(message_id) = 0 FROM audit "
                        "WHERE event = 'retention.purged'")
                      .value();
    EXPECT_TRUE(select.step().value());
    return std::pair{select.column_text(0), select.column_int64(1)};
  });
  EXPECT_EQ(row.first,
            "expired=0 envelopes=1 blobs=0 orphan_blobs=0 records=0 audit=0 disclosures=0 "
            "referrals=0 cases=0 notices=0");
  EXPECT_EQ(row.second, 1);  // names no message
}

TEST_F(RetentionTest, PassesAreBoundedAndSayWhenMoreIsLeft) {
  RetentionPolicy policy = test_policy();
  policy.batch = 2;
  open(policy);
  for (int i = 0; i < 5; ++i) {
    (void)submit(message({{intake, 0}}));
  }
  const std::int64_t later = kT0 + 31 * kDayMs;
  auto report = purge(later);
  EXPECT_EQ(report.expired, 2U);
  EXPECT_TRUE(report.more);
  EXPECT_EQ(purge(later).expired, 2U);
  report = purge(later);
  EXPECT_EQ(report.expired, 1U);
  EXPECT_FALSE(report.more);
}

}  // namespace
}  // namespace draaischijf::server
