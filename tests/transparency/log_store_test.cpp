// The hub's stored logs: entries are appended inside the writer's jobs, so a job that fails
// takes its entries back with it (alone, or beside jobs of the same group commit that succeed);
// the tree the hub stores gives the same heads and proofs as the definition; the directory and
// the audit write their entries in the transaction that stores what they describe.

#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "log_store_fixture.hpp"

namespace draaischijf::server {
namespace {

namespace merkle = protocol::merkle;
using Db = sqlite::Database;

std::vector<std::uint8_t> entry(int i) { return testing::numbered_entry("entry ", i); }

struct Fixture : testing::LogStoreFixture {
  std::vector<bool> run(std::vector<GroupCommitWriter::Job> jobs) {
    return submit_all(std::move(jobs));
  }
  merkle::Hash head(LogId log, std::uint64_t size) {
    return storage->read(
        [&](Db& db) { return merkle::tree_head(StoredLogTree(db, log), size).value(); });
  }
};

GroupCommitWriter::Job append(int i) {
  return [i](Db& db) -> sqlite::Result<void> {
    auto index = append_log_entry(db, LogId::record, entry(i), 1);
    if (!index) {
      return index.error();
    }
    return {};
  };
}

// Appends, then fails: everything the job wrote must go.
GroupCommitWriter::Job append_then_fail(int i) {
  return [i](Db& db) -> sqlite::Result<void> {
    if (auto index = append_log_entry(db, LogId::record, entry(i), 1); !index) {
      return index.error();
    }
    return sqlite::errc::constraint_violation;
  };
}

TEST(LogStore, AFailedJobAppendsNothing) {
  Fixture f;
  EXPECT_EQ(f.run({append_then_fail(0)}), std::vector<bool>{false});
  EXPECT_EQ(f.size(LogId::record), 0U);
  EXPECT_EQ(f.run({append(0)}), std::vector<bool>{true});
  EXPECT_EQ(f.size(LogId::record), 1U);
  EXPECT_EQ(f.size(LogId::directory), 0U);  // the logs are apart
}

TEST(LogStore, FailedJobsAmongGoodOnesLeaveAConsistentTree) {
  Fixture f;
  merkle::MemoryTree expected;
  for (int round = 0; round < 4; ++round) {
    std::vector<GroupCommitWriter::Job> jobs;
    std::vector<bool> want;
    for (int i = 0; i < 9; ++i) {
      const int n = round * 100 + i;
      const bool fails = i % 3 == 1;
      jobs.push_back(fails ? append_then_fail(n) : append(n));
      want.push_back(!fails);
    }
    EXPECT_EQ(f.run(std::move(jobs)), want);
    for (int i = 0; i < 9; ++i) {
      if (i % 3 != 1) {
        expected.append(merkle::leaf_hash(entry(round * 100 + i)));
      }
    }
  }
  ASSERT_EQ(f.size(LogId::record), expected.size());
  for (std::uint64_t n = 1; n <= expected.size(); ++n) {
    EXPECT_EQ(f.head(LogId::record, n), merkle::tree_head(expected, n).value()) << n;
  }
}

// Only every fourth level is stored (kStoredLevelStride); every head and subtree between them is
// rebuilt from the level below and equals the definition, across two stored levels (4 and 8).
TEST(LogStore, OnlyEveryFourthLevelIsStoredAndEverySubtreeStillMatches) {
  Fixture f;
  merkle::MemoryTree expected;
  std::vector<GroupCommitWriter::Job> jobs;
  for (int i = 0; i < 300; ++i) {
    jobs.push_back(append(i));
    expected.append(merkle::leaf_hash(entry(i)));
  }
  EXPECT_EQ(f.run(std::move(jobs)), std::vector<bool>(300, true));
  const auto rows_at = [&f](unsigned level) {
    return f.storage->read([level](Db& db) {
      auto count = db.prepare("SELECT count(*) FROM log_nodes WHERE log = 2 AND level = ?").value();
      count.bind(1, std::int64_t{level});
      (void)count.step().value();
      return count.column_int64(0);
    });
  };
  // 300 entries complete 18 subtrees of 16 and one of 256; nothing else is stored.
  EXPECT_EQ(rows_at(0), 0);
  EXPECT_EQ(rows_at(1), 0);
  EXPECT_EQ(rows_at(4), 18);
  EXPECT_EQ(rows_at(8), 1);
  for (std::uint64_t n = 1; n <= 300; ++n) {
    EXPECT_EQ(f.head(LogId::record, n), merkle::tree_head(expected, n).value()) << n;
  }
  f.storage->read([&expected](Db& db) {
    const StoredLogTree stored(db, LogId::record);
    for (unsigned level = 0; level <= 8; ++level) {
      for (std::uint64_t index = 0; ((index + 1) << level) <= 300; ++index) {
        EXPECT_EQ(stored.subtree(level, index).value(), expected.subtree(level, index).value())
            << level << "/" << index;
      }
    }
    // A subtree the log has not completed is missing, not made up.
    EXPECT_FALSE(stored.subtree(2, 75));
    EXPECT_FALSE(stored.subtree(9, 0));
    return 0;
  });
}

TEST(LogStore, ProofsFromTheStoredTreeVerify) {
  Fixture f;
  std::vector<GroupCommitWriter::Job> jobs;
  for (int i = 0; i < 37; ++i) {
    jobs.push_back(append(i));
  }
  (void)f.run(std::move(jobs));
  const protocol::SigningKey hub_key = protocol::SigningKey::generate();
  TransparencyLogs logs(f.storage, hub_key);
  const auto opened =
      protocol::note::open_checkpoint(logs.checkpoint(LogId::record).value(),
                                      logs.verifier(LogId::record), logs.origin(LogId::record));
  ASSERT_TRUE(opened) << opened.error().message();
  const auto& checkpoint = opened->checkpoint;
  EXPECT_EQ(checkpoint.size, 37U);
  for (std::uint64_t i = 0; i < 37; ++i) {
    const auto proof = logs.inclusion(LogId::record, i, 37).value();
    EXPECT_TRUE(
        protocol::check_included(checkpoint, logs.entry(LogId::record, i).value(), i, proof))
        << i;
  }
  for (std::uint64_t from = 1; from <= 37; ++from) {
    const protocol::note::Checkpoint older{
        checkpoint.origin, from, f.head(LogId::record, from), {}};
    EXPECT_TRUE(protocol::check_extends(older, checkpoint,
                                        logs.consistency(LogId::record, from, 37).value()))
        << from;
  }
  // Nothing beyond what the log holds is proved.
  EXPECT_EQ(logs.inclusion(LogId::record, 3, 38).error(), protocol::tlog_errc::proof_malformed);
  EXPECT_EQ(logs.consistency(LogId::record, 3, 38).error(), protocol::tlog_errc::proof_malformed);
  EXPECT_EQ(logs.entry(LogId::record, 37).error(), protocol::tlog_errc::proof_malformed);
}

TEST(LogStore, AnOrganisationKeyIsLoggedWithTheOrganisationAndEveryAuditRowInTheRecordLog) {
  Fixture f;
  SqliteDirectory directory(f.storage);
  Organisation org;
  org.org_id = protocol::random_id();
  org.type = protocol::OrgType::caw;
  org.name = "CAW Test";
  org.signing_key = protocol::SigningKey::generate().public_key();
  std::promise<bool> added;
  ASSERT_TRUE(directory.add_organisation(
      org, 5, [&](sqlite::Result<void> r) { added.set_value(r.has_value()); }));
  ASSERT_TRUE(added.get_future().get());
  const protocol::SigningKey hub_key = protocol::SigningKey::generate();
  TransparencyLogs logs(f.storage, hub_key);
  ASSERT_EQ(f.size(LogId::directory), 1U);
  EXPECT_EQ(logs.entry(LogId::directory, 0).value(),
            protocol::organisation_key_entry(org.org_id, org.type, org.signing_key));
  // The same organisation again is refused, and its refusal leaves the log as it was.
  std::promise<bool> again;
  ASSERT_TRUE(directory.add_organisation(
      org, 6, [&](sqlite::Result<void> r) { again.set_value(r.has_value()); }));
  EXPECT_FALSE(again.get_future().get());
  EXPECT_EQ(f.size(LogId::directory), 1U);
  // Its audit row names where its hash is in the record log.
  const std::uint64_t records = f.size(LogId::record);
  const std::int64_t audited = f.storage->read([](Db& db) {
    auto s = db.prepare("SELECT count(*), count(record_index) FROM audit").value();
    (void)s.step();
    EXPECT_EQ(s.column_int64(0), s.column_int64(1));
    return s.column_int64(0);
  });
  EXPECT_EQ(records, static_cast<std::uint64_t>(audited));
  EXPECT_GE(records, 1U);
}

}  // namespace
}  // namespace draaischijf::server
