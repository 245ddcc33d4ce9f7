// How many SQL statements the writer runs per accepted message (docs/BENCHMARKS.md): the
// statement count does not depend on the machine's load, so it is the figure the record log's
// batched appends are judged by. 32 submissions share one group commit (a first job holds the
// writer until they are queued), as under load; every statement the writer's connection starts
// is counted with SQLite's own trace hook, BEGIN, SAVEPOINTs and COMMIT included.

#include <future>
#include <iostream>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/storage.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using Db = sqlite::Database;
using Outcome = boost::system::result<Accepted, Refusal>;

int count_statement(unsigned /*type*/, void* counter, void* /*statement*/, void* /*sql*/) {
  ++*static_cast<std::uint64_t*>(counter);
  return 0;
}

// Runs `job` on the writer and waits for it.
void on_writer(Storage& storage, GroupCommitWriter::Job job) {
  std::promise<void> done;
  ASSERT_TRUE(
      storage.writer().submit(std::move(job), [&done](sqlite::Result<void>) { done.set_value(); }));
  done.get_future().wait();
}

TEST(StatementCount, AnAcceptedMessageRunsAtMost21StatementsOnTheWriter) {
  testing::TempDir dir;
  const auto path = (dir.path() / "hub.db").string();
  auto storage = Storage::open(path).value();
  const protocol::Id mailbox = protocol::random_id();
  testing::register_mailbox(path, mailbox, 0);
  SqliteMessageStore store(storage, MailboxLimits{1'000'000'000, 0.5});
  constexpr int kMessages = 32;
  const auto submission = [&] {
    Submission s;
    s.message_id = protocol::random_id();
    s.sender_org = protocol::Id{0x5c};
    s.sender_device = protocol::Id{0xde};
    s.kind = protocol::MessageKind::doorverwijzing;
    s.recipients = {{mailbox, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(2048);
    s.received_at_ms = 1'800'000'000'000;
    return s;
  };
  // Warm up (the first transaction reads the schema), then count the next batch only.
  std::promise<Outcome> warm;
  ASSERT_TRUE(store.submit(submission(), [&](Outcome r) { warm.set_value(r); }));
  ASSERT_TRUE(warm.get_future().get());

  std::uint64_t statements = 0;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  ASSERT_TRUE(storage->writer().submit(
      [&statements, &holding, released](Db& db) -> sqlite::Result<void> {
        holding.set_value();
        released.wait();
        // Counted from here: this job's RELEASE and its transaction's COMMIT are not the batch's.
        sqlite3_trace_v2(db.native_handle(), SQLITE_TRACE_STMT, &count_statement, &statements);
        return {};
      },
      [](sqlite::Result<void>) {}));
  holding.get_future().wait();
  std::vector<std::promise<Outcome>> outcomes(kMessages);
  for (auto& outcome : outcomes) {
    ASSERT_TRUE(store.submit(submission(), [&outcome](Outcome r) { outcome.set_value(r); }));
  }
  release.set_value();
  for (auto& outcome : outcomes) {
    const auto accepted = outcome.get_future().get();
    ASSERT_TRUE(accepted) << accepted.error().error.message();
  }
  std::uint64_t counted = 0;
  on_writer(*storage, [&](Db& db) -> sqlite::Result<void> {
    sqlite3_trace_v2(db.native_handle(), 0, nullptr, nullptr);
    // Not the holding job's RELEASE and COMMIT, nor this job's BEGIN and SAVEPOINT.
    counted = statements - 4;
    return {};
  });
  const double per_message = static_cast<double>(counted) / kMessages;
  std::cout << "statements per accepted message: " << per_message << " (" << counted << " for "
            << kMessages << ")\n";
  // The message's own rows and its two audit rows with their record-log entries; a subtree hash
  // once in 16 entries (kStoredLevelStride). 24.0 before the batched appends, 18.1 with every
  // level stored, 15.25 with every fourth (docs/BENCHMARKS.md): storing every level again fails.
  EXPECT_LE(per_message, 16.5);
}

}  // namespace
}  // namespace draaischijf::server
