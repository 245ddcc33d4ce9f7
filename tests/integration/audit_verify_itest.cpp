// `draaischijf-hub audit verify` on a real hub's database, edited with SQL after the hub
// stopped: untouched it passes (also against a record-log checkpoint saved while the hub ran);
// a deleted, edited or reordered audit row, an edited tree node, and a log cut back below a
// saved checkpoint each fail it with a finding that names the row or the index.

#include <fstream>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Traffic: a signaal from the school to the CLB writes policy and delivery audit rows.
    const auto to = hub.epoch_of(hub.mailbox_of("clb"));
    const auto sent =
        hub.call("school", post("/v1/envelopes", text_of(hub.seal_from("school", {to}, "x"))));
    ASSERT_EQ(sent.status, 201) << sent.body;
    const auto checkpoint = hub.call("clb", get("/v1/log/record/checkpoint"));
    ASSERT_EQ(checkpoint.status, 200);
    write_file(saved, view_of(checkpoint.body));
    ASSERT_EQ(hub.process().terminate(), 0);  // the WAL is checkpointed into hub.db
    const fs::path wal = database.string() + "-wal";
    ASSERT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0) << "hub.db alone is not the state";
    fs::copy_file(database, pristine);
  }
  // Runs `sql` on the stopped hub's database, starting from the untouched copy.
  void edit(const std::string& sql) {
    for (const char* suffix : {"-wal", "-shm"}) {
      fs::remove(database.string() + suffix);
    }
    fs::copy_file(pristine, database, fs::copy_options::overwrite_existing);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  std::int64_t scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(pristine.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
    const auto value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
  }
  std::string verify(int expected_exit, const std::string& extra = "") {
    return hub_command("audit verify --config " + (dir.path() / "hub.toml").string() + extra,
                       expected_exit);
  }

  TempDir dir;
  DevHub hub{dir.path()};
  fs::path database = dir.path() / "data" / "hub.db";
  fs::path pristine = dir.path() / "pristine.db";
  fs::path saved = dir.path() / "record.checkpoint";
};

TEST_F(AuditVerifyTest, AnUntouchedDatabasePassesAlsoAgainstASavedCheckpoint) {
  const auto said = verify(0);
  EXPECT_NE(said.find("ok: every audit row is in the record log as written"), std::string::npos)
      << said;
  const auto rows = scalar("SELECT count(*) FROM audit WHERE record_index IS NOT NULL");
  EXPECT_NE(said.find("audit rows checked  " + std::to_string(rows)), std::string::npos) << said;
  const auto against = verify(0, " --checkpoint " + saved.string());
  EXPECT_NE(against.find("extended by the log"), std::string::npos) << against;
}

TEST_F(AuditVerifyTest, ADeletedRowIsNamedByItsIndex) {
  const auto index = scalar("SELECT record_index FROM audit WHERE event = 'envelope.accepted'");
  edit("DELETE FROM audit WHERE event = 'envelope.accepted'");
  const auto said = verify(1);
  EXPECT_NE(said.find("record-log entry " + std::to_string(index) + " has no audit row"),
            std::string::npos)
      << said;
}

TEST_F(AuditVerifyTest, AnEditedRowIsNamedByItsId) {
  const auto id = scalar("SELECT id FROM audit WHERE event = 'envelope.accepted'");
  edit("UPDATE audit SET detail = detail || ' ' WHERE id = " + std::to_string(id));
  const auto said = verify(1);
  EXPECT_NE(said.find("audit row " + std::to_string(id) + " does not hash"), std::string::npos)
      << said;
}

// The acceptance's entry is made from the receipt its row names (docs/PROTOCOL.md 13.4): the
// untouched row verifies as that entry, and another receipt digest in it does not.
TEST_F(AuditVerifyTest, AnAcceptanceRowIsCheckedWithTheReceiptItNames) {
  const auto id = scalar(
      "SELECT id FROM audit WHERE event = 'envelope.accepted' AND detail LIKE '% receipt=%'");
  ASSERT_GT(id, 0) << "the acceptance row names no receipt";
  EXPECT_EQ(scalar("SELECT count(*) FROM audit WHERE event = 'envelope.accepted' AND "
                   "detail NOT LIKE '% receipt=%'"),
            0);
  edit(
      "UPDATE audit SET detail = substr(detail, 1, length(detail) - 1) || "
      "CASE WHEN substr(detail, -1) = '0' THEN '1' ELSE '0' END WHERE id = " +
      std::to_string(id));
  const auto said = verify(1);
  EXPECT_NE(said.find("audit row " + std::to_string(id) + " does not hash"), std::string::npos)
      << said;
}

TEST_F(AuditVerifyTest, ReorderedRowsAreFound) {
  const auto last = scalar("SELECT max(id) FROM audit");
  const auto before = scalar("SELECT max(id) FROM audit WHERE id < " + std::to_string(last));
  // The two rows trade places in the log: each keeps its fields, the indexes cross.
  edit("UPDATE audit SET record_index = CASE id WHEN " + std::to_string(last) +
       " THEN (SELECT record_index FROM audit WHERE id = " + std::to_string(before) +
       ") ELSE (SELECT record_index FROM audit WHERE id = " + std::to_string(last) +
       ") END WHERE id IN (" + std::to_string(before) + ", " + std::to_string(last) + ")");
  const auto said = verify(1);
  EXPECT_NE(said.find("audit row " + std::to_string(last) + " is out of order"), std::string::npos)
      << said;
}

TEST_F(AuditVerifyTest, AnEditedTreeNodeIsNamed) {
  // The first stored level above the entries is 4 (kStoredLevelStride): 16 entries at least.
  ASSERT_GE(scalar("SELECT count(*) FROM log_entries WHERE log = 2"), 16);
  edit("UPDATE log_nodes SET hash = zeroblob(32) WHERE log = 2 AND level = 4 AND idx = 0");
  const auto said = verify(1);
  EXPECT_NE(said.find("stored tree node level 4 index 0 does not match"), std::string::npos)
      << said;
}

// Cutting the newest row and its entry leaves a log that is consistent in itself; the saved
// checkpoint is what shows it.
TEST_F(AuditVerifyTest, ALogCutBelowASavedCheckpointFailsAgainstIt) {
  const auto size = scalar("SELECT count(*) FROM log_entries WHERE log = 2");
  const auto last = std::to_string(size - 1);
  edit("DELETE FROM audit WHERE record_index = " + last +
       "; DELETE FROM log_entries WHERE log = 2 AND idx = " + last +
       "; DELETE FROM log_nodes WHERE log = 2 AND ((idx + 1) << level) > " + last + ";");
  verify(0);
  const auto said = verify(1, " --checkpoint " + saved.string());
  EXPECT_NE(said.find("beyond the log"), std::string::npos) << said;
}

TEST_F(AuditVerifyTest, ACheckpointNotSignedByTheHubIsRefused) {
  const auto bytes = read_file(saved);
  const std::string text(bytes.begin(), bytes.end());
  write_file(saved, view_of(text.substr(0, text.find('\n')) + "\n1\n" +
                            text.substr(text.find('\n', text.find('\n') + 1) + 1)));
  const auto said = verify(1, " --checkpoint " + saved.string());
  EXPECT_NE(said.find("not a record-log checkpoint signed by this hub's key"), std::string::npos)
      << said;
}

}  // namespace
}  // namespace draaischijf::testing
