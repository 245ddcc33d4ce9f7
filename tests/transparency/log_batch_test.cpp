// Log appends batched over a group commit (docs/TRANSPARENCY.md "Cost"): inside one write
// transaction the log's frontier is read once and kept in memory. These tests force many jobs
// into one transaction (a first job holds the writer until the rest are queued) and check that
// a failed job in the middle leaves neither an entry nor a stale frontier behind: the log equals
// the one built from the successful entries alone, its proofs verify, and the kept frontier is
// at every step what a fresh read of the tables gives.

#include <future>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/store/log_frontier.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "log_store_fixture.hpp"

namespace draaischijf::server {
namespace {

namespace merkle = protocol::merkle;
using Db = sqlite::Database;

std::vector<std::uint8_t> entry(int i) { return testing::numbered_entry("batched entry ", i); }

struct Fixture : testing::LogStoreFixture {
  // Runs `jobs` in ONE transaction: a first job holds the writer until all of them are queued,
  // so the writer takes them as one batch. Returns each job's outcome.
  std::vector<bool> run_as_one_batch(std::vector<GroupCommitWriter::Job> jobs) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> holding;
    std::promise<bool> held_done;
    const std::uint64_t commits_before = storage->writer().commits();
    EXPECT_TRUE(storage->writer().submit(
        [released, &holding](Db&) -> sqlite::Result<void> {
          holding.set_value();
          released.wait();
          return {};
        },
        [&held_done](sqlite::Result<void> r) { held_done.set_value(r.has_value()); }));
    holding.get_future().wait();  // the writer is inside the first transaction now
    auto out = submit_all(std::move(jobs), [&release] { release.set_value(); });
    EXPECT_TRUE(held_done.get_future().get());
    // The holding job's transaction and the batch's: nothing more.
    EXPECT_EQ(storage->writer().commits(), commits_before + 2);
    return out;
  }
};

// What a job saw of the kept frontier, checked on the writer thread.
struct Seen {
  bool kept_before_append = false;  // a frontier was kept when the job started
  bool kept_equals_fresh = false;   // after its appends, kept == LogFrontier::load
  bool root_equals_stored = false;  // and its root is the stored tree's head
};

GroupCommitWriter::Job append_entries(std::vector<int> entries, bool fail, Seen* seen) {
  return [entries = std::move(entries), fail, seen](Db& db) -> sqlite::Result<void> {
    if (seen != nullptr) {
      seen->kept_before_append = kept_log_frontier(db, LogId::record).has_value();
    }
    for (const int e : entries) {
      if (auto index = append_log_entry(db, LogId::record, entry(e), 1); !index) {
        return index.error();
      }
    }
    if (seen != nullptr) {
      const auto kept = kept_log_frontier(db, LogId::record);
      const auto fresh = LogFrontier::load(db, LogId::record);
      seen->kept_equals_fresh = kept && fresh && *kept == *fresh;
      if (fresh) {
        const auto head = merkle::tree_head(StoredLogTree(db, LogId::record), fresh->size());
        seen->root_equals_stored = kept && head && kept->root() == *head;
      }
    }
    if (fail) {
      return sqlite::errc::constraint_violation;
    }
    return {};
  };
}

TEST(LogBatch, AFailedMiddleJobLeavesTheLogOfTheSuccessfulEntriesAlone) {
  Fixture f;
  merkle::MemoryTree expected;
  // An earlier batch, so the frontier is read from a non-trivial stored tree (5 = 101b).
  std::vector<GroupCommitWriter::Job> first;
  for (int i = 0; i < 5; ++i) {
    first.push_back(append_entries({i}, false, nullptr));
    expected.append(merkle::leaf_hash(entry(i)));
  }
  ASSERT_EQ(f.run_as_one_batch(std::move(first)), std::vector<bool>(5, true));
  // Five jobs of three entries; the middle one appends its three and fails.
  std::vector<GroupCommitWriter::Job> jobs;
  std::vector<bool> want;
  for (int j = 0; j < 5; ++j) {
    const bool fails = j == 2;
    std::vector<int> entries;
    for (int k = 0; k < 3; ++k) {
      entries.push_back(100 + j * 10 + k);
      if (!fails) {
        expected.append(merkle::leaf_hash(entry(100 + j * 10 + k)));
      }
    }
    jobs.push_back(append_entries(entries, fails, nullptr));
    want.push_back(!fails);
  }
  EXPECT_EQ(f.run_as_one_batch(std::move(jobs)), want);

  ASSERT_EQ(f.size(LogId::record), expected.size());
  ASSERT_EQ(expected.size(), 17U);
  const protocol::SigningKey hub_key = protocol::SigningKey::generate();
  TransparencyLogs logs(f.storage, hub_key);
  const auto opened =
      protocol::note::open_checkpoint(logs.checkpoint(LogId::record).value(),
                                      logs.verifier(LogId::record), logs.origin(LogId::record));
  ASSERT_TRUE(opened) << opened.error().message();
  const auto& checkpoint = opened->checkpoint;
  EXPECT_EQ(checkpoint.root, merkle::tree_head(expected, expected.size()).value());
  for (std::uint64_t i = 0; i < expected.size(); ++i) {
    const auto proof = logs.inclusion(LogId::record, i, expected.size()).value();
    EXPECT_TRUE(
        protocol::check_included(checkpoint, logs.entry(LogId::record, i).value(), i, proof))
        << i;
  }
  // The log before this batch is a prefix of the log after it.
  const protocol::note::Checkpoint older{
      checkpoint.origin, 5, merkle::tree_head(expected, 5).value(), {}};
  EXPECT_TRUE(protocol::check_extends(older, checkpoint,
                                      logs.consistency(LogId::record, 5, expected.size()).value()));
}

TEST(LogBatch, TheKeptFrontierIsWhatTheTablesSayAndIsDroppedByARollbackAndACommit) {
  Fixture f;
  std::vector<Seen> seen(6);
  std::vector<GroupCommitWriter::Job> jobs;
  std::vector<bool> want;
  int next = 0;
  for (std::size_t j = 0; j < seen.size(); ++j) {
    const bool fails = j == 3;
    std::vector<int> entries;
    for (std::size_t k = 0; k <= j; ++k) {  // 1, 2, 3... entries: every level gets crossed
      entries.push_back(next++);
    }
    jobs.push_back(append_entries(entries, fails, &seen[j]));
    want.push_back(!fails);
  }
  EXPECT_EQ(f.run_as_one_batch(std::move(jobs)), want);
  for (std::size_t j = 0; j < seen.size(); ++j) {
    EXPECT_TRUE(seen[j].kept_equals_fresh) << j;
    EXPECT_TRUE(seen[j].root_equals_stored) << j;
  }
  // The first job of the transaction finds nothing kept, the next ones their predecessor's
  // frontier; the job after the failed one finds nothing: its ROLLBACK TO dropped it.
  EXPECT_FALSE(seen[0].kept_before_append);
  EXPECT_TRUE(seen[1].kept_before_append);
  EXPECT_TRUE(seen[3].kept_before_append);
  EXPECT_FALSE(seen[4].kept_before_append);
  EXPECT_TRUE(seen[5].kept_before_append);
  // After the COMMIT nothing is kept: the next transaction reads the tables again.
  Seen after;
  EXPECT_EQ(f.run_as_one_batch({append_entries({1000}, false, &after)}), std::vector<bool>{true});
  EXPECT_FALSE(after.kept_before_append);
  EXPECT_TRUE(after.kept_equals_fresh);
  // 1 + 2 + 3 + 5 + 6 entries of the batch (the fourth job's 4 rolled back) and the last one.
  EXPECT_EQ(f.size(LogId::record), 18U);
}

// Outside a transaction nothing is kept: each append is its own transaction, and a frontier
// kept across them could miss another connection's writes.
TEST(LogBatch, NothingIsKeptOutsideATransaction) {
  testing::TempDir dir;
  auto db = Db::open((dir.path() / "hub.db").string()).value();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(append_log_entry(db, LogId::directory, entry(i), 1).value(),
              static_cast<std::uint64_t>(i));
    EXPECT_FALSE(kept_log_frontier(db, LogId::directory).has_value());
  }
  // A second connection appends; the first one's next append sees it.
  auto other = Db::open((dir.path() / "hub.db").string()).value();
  EXPECT_EQ(append_log_entry(other, LogId::directory, entry(3), 1).value(), 3U);
  EXPECT_EQ(append_log_entry(db, LogId::directory, entry(4), 1).value(), 4U);
  // Inside an explicit transaction it is kept until the COMMIT.
  ASSERT_TRUE(db.run("BEGIN IMMEDIATE"));
  EXPECT_EQ(append_log_entry(db, LogId::directory, entry(5), 1).value(), 5U);
  ASSERT_TRUE(kept_log_frontier(db, LogId::directory).has_value());
  EXPECT_EQ(kept_log_frontier(db, LogId::directory)->size(), 6U);
  ASSERT_TRUE(db.run("COMMIT"));
  EXPECT_FALSE(kept_log_frontier(db, LogId::directory).has_value());
  merkle::MemoryTree expected;
  for (int i = 0; i < 6; ++i) {
    expected.append(merkle::leaf_hash(entry(i)));
  }
  EXPECT_EQ(LogFrontier::load(db, LogId::directory).value().root(),
            merkle::tree_head(expected, 6).value());
}

// The answers to the submissions of one group commit (docs/PROTOCOL.md 8.4, version 3): each
// acceptance's entry is made from its receipt, and every answer is proved under one checkpoint
// the hub signed once, however many messages the batch held.
TEST(LogBatch, TheReceiptsOfOneGroupCommitShareOneCheckpointSignature) {
  Fixture f;
  constexpr std::uint64_t kMessages = 12;
  std::vector<protocol::Receipt> receipts;
  std::vector<protocol::Hash256> row_hashes(kMessages);
  std::vector<std::uint64_t> indexes(kMessages);
  std::vector<GroupCommitWriter::Job> jobs;
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    protocol::ReceiptDecisions decided{"2026.12.1",
                                       {{protocol::random_id(), "R06", "rule:R06", {}}}};
    receipts.push_back(protocol::logged_receipt(protocol::random_id(), {}, 1'800'000'000'000, i + 1,
                                                std::move(decided))
                           .value());
    row_hashes[i][0] = static_cast<std::uint8_t>(i + 1);
    const auto acceptance =
        protocol::receipt_record_entry(protocol::receipt_digest(receipts[i]), row_hashes[i]);
    jobs.push_back([acceptance, at = &indexes[i]](Db& db) -> sqlite::Result<void> {
      auto index = append_log_entry(db, LogId::record, acceptance, 1);
      if (!index) {
        return index.error();
      }
      *at = *index;
      return {};
    });
  }
  EXPECT_EQ(f.run_as_one_batch(std::move(jobs)), std::vector<bool>(kMessages, true));

  const protocol::SigningKey hub_key = protocol::SigningKey::generate();
  TransparencyLogs logs(f.storage, hub_key);
  std::set<std::string> notes;
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    const auto proved = logs.prove_record(indexes[i]);
    ASSERT_TRUE(proved) << proved.error().message();
    notes.insert(proved->checkpoint);
    const auto opened = protocol::note::open_checkpoint(
        proved->checkpoint, logs.verifier(LogId::record), logs.origin(LogId::record));
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(opened->checkpoint.size, kMessages);
    EXPECT_TRUE(protocol::check_logged(receipts[i], row_hashes[i], indexes[i], opened->checkpoint,
                                       proved->proof))
        << i;
    // Another message's receipt is not proved by this answer.
    EXPECT_FALSE(protocol::check_logged(receipts[(i + 1) % kMessages], row_hashes[i], indexes[i],
                                        opened->checkpoint, proved->proof))
        << i;
  }
  EXPECT_EQ(notes.size(), 1U);
  EXPECT_EQ(logs.signatures(), 1U) << "the hub signed per answer, not per tree head";
  // The log grows: the next answer gets a new head, signed once more.
  EXPECT_EQ(f.submit_all({[](Db& db) -> sqlite::Result<void> {
    auto index = append_log_entry(db, LogId::record, entry(99), 1);
    return index ? sqlite::Result<void>() : sqlite::Result<void>(index.error());
  }}),
            std::vector<bool>{true});
  ASSERT_TRUE(logs.prove_record(0));
  EXPECT_EQ(logs.signatures(), 2U);
}

}  // namespace
}  // namespace draaischijf::server
