// Durability of the message store under SIGKILL: a child process submits envelopes and reports
// each one on a pipe only after its completion ran (the moment the hub would answer 201); the
// parent kills the child at a random moment, reopens the database and checks that every
// reported envelope is there exactly once and that the database is intact. Repeated 50 times.

#include <chrono>
#include <future>
#include <poll.h>
#include <random>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/message_store.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

[[noreturn]] void child_submits(const std::string& path, int report_fd) {
  auto storage = Storage::open(path);
  if (!storage) {
    _exit(3);
  }
  auto store = std::make_unique<SqliteMessageStore>(*storage);
  const protocol::Id mailbox{};
  std::mutex write_mutex;
  for (std::uint32_t i = 0;; ++i) {
    Submission s;
    s.message_id = protocol::random_id();
    s.sender_org[0] = 1;
    s.recipients = {{mailbox, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(2048, i);
    s.received_at_ms = i;
    const std::string line = protocol::hex_encode(s.message_id) + "\n";
    // Several in flight at once, so kills land inside batches too.
    const bool queued = store->submit(std::move(s), [&, line](const auto& r) {
      if (r) {
        const std::lock_guard lock(write_mutex);
        if (write(report_fd, line.data(), line.size()) < 0) {
          _exit(4);
        }
      }
    });
    if (!queued) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
}

TEST(StoreDurabilityTest, EveryAcknowledgedEnvelopeSurvivesSigkillExactlyOnce) {
  testing::TempDir dir;
  const std::string path = (dir / "hub.db").string();
  std::mt19937 random(12345);
  std::set<std::string> acknowledged;
  {
    auto created = Storage::open(path).value();  // the schema, then the recipient mailbox
  }
  testing::register_mailbox(path, protocol::Id{}, 0);
  constexpr int kKills = 50;
  for (int round = 0; round < kKills; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      child_submits(path, fds[1]);
    }
    close(fds[1]);
    // The kill comes after the child's first acknowledgement, at a random moment after it: on
    // a loaded machine a fixed delay can kill a child before it has opened the database, and the
    // round would test nothing.
    std::string buffer;
    pollfd first{fds[0], POLLIN, 0};
    ASSERT_EQ(poll(&first, 1, 30'000), 1) << "the child acknowledged nothing in 30 s";
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 60));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child ended on its own with " << status;
    // Everything the child reported before it died.
    char block[4096];
    ssize_t n = 0;
    while ((n = read(fds[0], block, sizeof block)) > 0) {
      buffer.append(block, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    for (std::size_t at = 0; at + 33 <= buffer.size(); at += 33) {
      acknowledged.insert(buffer.substr(at, 32));
    }
  }
  ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(kKills))
      << "every child acknowledged at least one envelope before its kill";

  auto db = sqlite::Database::open(path).value();
  EXPECT_TRUE(db.integrity_check());
  auto select = db.prepare("SELECT message_id FROM envelopes").value();
  std::multiset<std::string> stored;
  while (select.step().value()) {
    stored.insert(protocol::hex_encode(select.column_blob(0)));
  }
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(stored.count(id), 1U) << id;
  }
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), stored.size())
      << "an envelope is stored twice";
  auto queue = db.prepare("SELECT count(*) FROM queue").value();
  ASSERT_TRUE(queue.step().value());
  EXPECT_EQ(static_cast<std::size_t>(queue.column_int64(0)), stored.size())
      << "an envelope without its queue entry, or the reverse";
  auto audit = db.prepare("SELECT count(*) FROM audit WHERE event = 'envelope.accepted'").value();
  ASSERT_TRUE(audit.step().value());
  EXPECT_EQ(static_cast<std::size_t>(audit.column_int64(0)), stored.size())
      << "an envelope without its audit row, or the reverse";
  std::printf("durability: %d kills, %zu acknowledged envelopes, %zu stored\n", kKills,
              acknowledged.size(), stored.size());
}

}  // namespace
}  // namespace draaischijf::server
