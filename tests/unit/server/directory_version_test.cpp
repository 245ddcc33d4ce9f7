// The directory's version (store/directory_version.hpp) and what the policy gate keeps by it
// (policy/directory_facts.hpp): the version moves after each commit of the writer that changed
// a directory row, before the commit's caller hears of it, and not for the queued-bytes counter
// every envelope moves; the gate's facts are kept until it moves and read again after.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/storage.hpp>

#include "policy/directory_facts.hpp"
#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;

class DirectoryVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::register_mailbox(path(), mailbox, 0, org, "caw");
    storage = Storage::open(path()).value();
    ASSERT_TRUE(storage->directory_version().watching()) << "SQLite without pre-update hook";
  }
  [[nodiscard]] std::string path() const { return (dir / "hub.db").string(); }
  [[nodiscard]] std::uint64_t version() const { return storage->directory_version().current(); }

  // Runs `sql` through the writer; the version as the commit's caller sees it.
  std::uint64_t write(const std::string& sql) {
    std::promise<std::uint64_t> seen;
    EXPECT_TRUE(storage->writer().submit([&](sqlite::Database& db) { return db.exec(sql); },
                                         [&](sqlite::Result<void> r) {
                                           EXPECT_TRUE(r) << sql;
                                           seen.set_value(version());
                                         }));
    return seen.get_future().get();
  }
  // Changes the file from another connection, as a process beside the hub would: the hub's
  // writer does not see it.
  void write_beside(const std::string& sql) const {
    auto db = sqlite::Database::open(path()).value();
    ASSERT_TRUE(db.exec(sql)) << sql;
  }

  testing::TempDir dir;
  const Id org{0x0a};
  const Id mailbox{0x0b};
  std::shared_ptr<Storage> storage;
};

TEST_F(DirectoryVersionTest, MovesAfterEachCommitThatChangedTheDirectoryBeforeItsCallerHears) {
  const std::uint64_t start = version();
  EXPECT_EQ(write("UPDATE mailboxes SET name = 'onthaal'"), start + 1);
  EXPECT_EQ(write("UPDATE organisations SET name = 'CAW Oost'"), start + 2);
  EXPECT_EQ(write("UPDATE mailbox_epochs SET created_at_ms = 5"), start + 3);
  EXPECT_EQ(write("INSERT INTO devices (device_id, org_id, role, state, signing_key, "
                  "encryption_key, staff_id, requested_at_ms) VALUES (zeroblob(16), "
                  "x'0a000000000000000000000000000000', 'partner_intake', 'pending', "
                  "zeroblob(32), zeroblob(32), zeroblob(16), 1)"),
            start + 4);
  // Two changes in one transaction move it once.
  EXPECT_EQ(write("UPDATE mailboxes SET name = 'a'; UPDATE organisations SET name = 'b'"),
            start + 5);
}

TEST_F(DirectoryVersionTest, StaysForTheQueuedBytesCounterAndOtherTables) {
  const std::uint64_t start = version();
  EXPECT_EQ(write("UPDATE mailboxes SET queued_bytes = queued_bytes + 4096"), start);
  EXPECT_EQ(write("CREATE TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (1)"), start);
  // An update that changes nothing in a row the gate reads is no change either.
  EXPECT_EQ(write("UPDATE mailboxes SET name = name WHERE 0"), start);
}

TEST_F(DirectoryVersionTest, TheGatesFactsAreKeptUntilTheVersionMovesAndReadAgainAfter) {
  SqliteDirectory directory(storage);
  DirectoryFacts facts(directory, &storage->directory_version());
  auto first = facts.recipient(mailbox);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->org_id, org);
  EXPECT_EQ(first->org_type, protocol::OrgType::caw);
  // Changed beside the writer: the kept answer stands (nothing was read again).
  write_beside("UPDATE organisations SET org_type = 'cgg'");
  auto kept = facts.recipient(mailbox);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->org_type, protocol::OrgType::caw);
  // Any directory change through the writer: everything is read again.
  (void)write("UPDATE mailboxes SET name = 'onthaal'");
  auto fresh = facts.recipient(mailbox);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->org_type, protocol::OrgType::cgg);
  // What is not there is never kept.
  EXPECT_EQ(facts.recipient(Id{0x0c}).error(), directory_errc::not_found);
  testing::register_mailbox(path(), Id{0x0c}, 0, org, "cgg");
  EXPECT_TRUE(facts.recipient(Id{0x0c}));
}

TEST_F(DirectoryVersionTest, WithoutAVersionTheGateReadsForEveryEnvelope) {
  SqliteDirectory directory(storage);
  DirectoryFacts facts(directory, nullptr);
  ASSERT_EQ(facts.recipient(mailbox)->org_type, protocol::OrgType::caw);
  write_beside("UPDATE organisations SET org_type = 'cgg'");
  EXPECT_EQ(facts.recipient(mailbox)->org_type, protocol::OrgType::cgg);
}

}  // namespace
}  // namespace draaischijf::server
