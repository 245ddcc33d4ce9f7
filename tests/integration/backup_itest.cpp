// `draaischijf-hub backup`, `verify` and `restore` against a real hub process serving real
// traffic: a backup taken while envelopes, acknowledgements and attachments keep arriving,
// restored into a fresh data directory under a fresh hub that serves everything acknowledged
// before the backup began; verify's findings on damaged backups; restore's refusals.

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
using namespace protocol;

const std::string kAttachment(3000, 'x');  // the hub stores it as it comes (ciphertext to it)

// One row of a table read with plain SQLite, every column as text (blobs in hex).
using Row = std::vector<std::string>;

std::vector<Row> read_rows(const fs::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<Row> rows;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << database;
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
  while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      if (sqlite3_column_type(statement, i) == SQLITE_BLOB) {
        const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, i));
        row.push_back(hex({bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, i))}));
      } else {
        const auto* text = sqlite3_column_text(statement, i);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

// An acknowledged submission: its sequence, its bytes and the blob it lists.
struct Sent {
  std::int64_t sequence = 0;
  std::vector<std::uint8_t> envelope;
  std::string blob;
};

class BackupTest : public ::testing::Test {
 protected:
  // Uploads an attachment as the CLB and submits an envelope listing it to the CAW intake;
  // the acknowledged submission, or nullopt.
  std::optional<Sent> send_one(const MailboxEpochCertificate& to, const Id& consent) {
    const std::string blob = hex(random_id());
    if (hub.call("clb", put_blob("/v1/blobs/" + blob, kAttachment)).status != 201) {
      return std::nullopt;
    }
    Draft draft = DevHub::draft_under(consent, "verslag in bijlage");
    attach_blob(draft, fixed_hex<16>(blob));
    auto envelope = hub.seal_draft("clb", draft, {to});
    const auto answer = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
    if (answer.status != 201) {
      ADD_FAILURE() << answer.body;
      return std::nullopt;
    }
    const auto sequence = boost::json::parse(answer.body).at("sequence").as_int64();
    return Sent{sequence, std::move(envelope), blob};
  }

  std::string config_for(const fs::path& folder) {
    const fs::path file = folder / "restore.toml";
    fs::create_directories(folder);
    std::ofstream(file) << "[server]\nlisten_port = 0\ndata_dir = \"" << (folder / "data").string()
                        << "\"\n";
    return file.string();
  }

  std::string live_config() const { return (dir.path() / "hub.toml").string(); }
  fs::path live_database() const { return dir.path() / "data" / "hub.db"; }

  // A backup of the live hub (with `sent` envelopes in it) in dir/name.
  fs::path backup_with(int sent, const std::string& name) {
    const auto to = hub.epoch_of(hub.mailbox_of("caw"));
    const auto consent = hub.pupil_consent();
    for (int i = 0; i < sent; ++i) {
      EXPECT_TRUE(send_one(to, consent));
    }
    const fs::path target = dir.path() / name;
    hub_command("backup --config " + live_config() + " " + target.string());
    return target;
  }

  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(BackupTest, ABackupUnderLoadRestoresEverythingAcknowledgedBeforeItBegan) {
  const auto to = hub.epoch_of(hub.mailbox_of("caw"));
  const auto consent = hub.pupil_consent();
  const std::string intake(hub.mailbox_of("caw").at("mailbox_id").as_string());
  std::mutex mutex;
  std::vector<Sent> acknowledged;
  std::atomic<bool> stop{false};
  // The load: submissions with attachments, and the CAW acknowledging every other one, until
  // told to stop.
  std::thread load([&] {
    while (!stop) {
      auto sent = send_one(to, consent);
      if (!sent) {
        continue;
      }
      if (sent->sequence % 2 == 0) {
        EXPECT_EQ(hub.call("caw", post("/v1/mailboxes/" + intake + "/messages/" +
                                           std::to_string(sent->sequence) + "/ack",
                                       ""))
                      .status,
                  200);
      }
      const std::lock_guard lock(mutex);
      acknowledged.push_back(std::move(*sent));
    }
  });
  const auto count = [&] {
    const std::lock_guard lock(mutex);
    return acknowledged.size();
  };
  if (!eventually([&] { return count() >= 8; })) {
    stop = true;
    load.join();
    FAIL() << "the load did not get going";
  }
  // What the backup must hold: every envelope acknowledged and every audit row written so far.
  std::vector<Sent> before;
  {
    const std::lock_guard lock(mutex);
    before = acknowledged;
  }
  const auto audit_before = read_rows(live_database(), "SELECT * FROM audit ORDER BY id");
  const fs::path backup = dir.path() / "backup";
  const std::string made = hub_command("backup --config " + live_config() + " " + backup.string());
  // The load ran before, during and after the backup. Whether an envelope was acknowledged
  // within the backup's own milliseconds is up to the scheduler, so the test does not ask;
  // what it asks is that everything from before is in the copy and the hub kept serving.
  const auto during = count();
  ASSERT_FALSE(audit_before.empty());
  // The hub kept serving: more arrive after the backup too.
  const bool kept_serving = eventually([&] { return count() >= during + 2; });
  stop = true;
  load.join();
  EXPECT_TRUE(kept_serving) << "the hub stopped serving after the backup";
  EXPECT_NE(made.find("backup written to"), std::string::npos) << made;
  EXPECT_NE(made.find("not included: the hub's signing key"), std::string::npos) << made;
  EXPECT_FALSE(fs::exists(backup / "hub-signing.key")) << "the signing key stays out of it";
  EXPECT_NE(hub_command("verify " + backup.string()).find("verifies"), std::string::npos);

  // A fresh data directory: the secrets kept apart go back by hand, the data by restore.
  const fs::path fresh = dir.path() / "fresh";
  const std::string config = config_for(fresh);
  fs::create_directories(fresh / "data");
  fs::copy(dir.path() / "data" / "dev-pki", fresh / "data" / "dev-pki",
           fs::copy_options::recursive);
  fs::copy_file(dir.path() / "data" / "hub-signing.key", fresh / "data" / "hub-signing.key");
  const std::string restored = hub_command("restore --config " + config + " " + backup.string());
  EXPECT_NE(restored.find("restored"), std::string::npos) << restored;
  EXPECT_EQ(read_rows(fresh / "data" / "hub.db", "PRAGMA integrity_check"),
            std::vector<Row>{{"ok"}});

  DevHub second(fresh);
  std::set<std::int64_t> listed;
  const auto page =
      second.json("caw", get("/v1/mailboxes/" + intake + "/messages?after=0&limit=1000"));
  for (const auto& m : page.at("messages").as_array()) {
    listed.insert(m.at("sequence").as_int64());
  }
  ASSERT_FALSE(before.empty());
  for (const auto& sent : before) {
    EXPECT_EQ(listed.count(sent.sequence), 1U) << "envelope " << sent.sequence << " is missing";
    const auto fetched = second.call(
        "caw", get("/v1/mailboxes/" + intake + "/messages/" + std::to_string(sent.sequence)));
    EXPECT_EQ(fetched.body, text_of(sent.envelope)) << sent.sequence;
    const auto attachment = second.call("caw", get("/v1/blobs/" + sent.blob));
    EXPECT_EQ(attachment.status, 200) << sent.blob;
    EXPECT_EQ(attachment.body, kAttachment);
  }
  const auto audit_after = read_rows(fresh / "data" / "hub.db", "SELECT * FROM audit ORDER BY id");
  ASSERT_GE(audit_after.size(), audit_before.size());
  for (std::size_t i = 0; i < audit_before.size(); ++i) {
    EXPECT_EQ(audit_after[i], audit_before[i]) << "audit row " << i;
  }
  // The live hub's receipts still hold: the restored hub signs with the key put back.
  EXPECT_EQ(read_file(fresh / "data" / "hub-signing.pub"),
            read_file(dir.path() / "data" / "hub-signing.pub"));
}

TEST_F(BackupTest, VerifyNamesACorruptedBlobAMissingBlobAnExtraFileAndATruncatedDatabase) {
  const fs::path backup = backup_with(3, "backup");
  ASSERT_EQ(hub_command("verify " + backup.string()).find("problem"), std::string::npos);
  std::vector<fs::path> blobs;
  for (const auto& entry : fs::directory_iterator(backup / "blobs")) {
    blobs.push_back(entry.path());
  }
  ASSERT_EQ(blobs.size(), 3U) << "exactly the blobs the database references";
  // The manifest: when, which schema, how many rows, and every file with its size and hash.
  const auto manifest = boost::json::parse(text_of(read_file(backup / "manifest.json")));
  EXPECT_EQ(manifest.at("format").as_string(), "draaischijf-hub-backup/1");
  EXPECT_FALSE(manifest.at("created_at").as_string().empty());
  EXPECT_EQ(std::to_string(manifest.at("schema_version").as_int64()),
            read_rows(backup / "hub.db", "SELECT version FROM schema_version").at(0).at(0));
  EXPECT_EQ(std::to_string(manifest.at("row_counts").at("envelopes").as_int64()),
            read_rows(backup / "hub.db", "SELECT count(*) FROM envelopes").at(0).at(0));
  const auto& files = manifest.at("files").as_array();
  ASSERT_EQ(files.size(), 4U) << "hub.db and the three blobs";
  for (const auto& file : files) {
    const std::string path(file.at("path").as_string());
    EXPECT_EQ(file.at("size").to_number<std::uintmax_t>(), fs::file_size(backup / path)) << path;
    EXPECT_EQ(file.at("sha256").as_string().size(), 64U) << path;
  }
  const auto damaged = [&](const std::string& name) {
    const fs::path copy = dir.path() / name;
    fs::copy(backup, copy, fs::copy_options::recursive);
    return copy;
  };

  const fs::path corrupted = damaged("corrupted");
  const auto blob = corrupted / "blobs" / blobs[0].filename();
  auto bytes = read_file(blob);
  bytes[100] ^= 0x01;
  write_file(blob, bytes);
  const std::string flipped = hub_command("verify " + corrupted.string(), 1);
  EXPECT_NE(flipped.find("blobs/" + blobs[0].filename().string() + ": SHA-256 differs"),
            std::string::npos)
      << flipped;

  const fs::path missing = damaged("missing");
  fs::remove(missing / "blobs" / blobs[1].filename());
  const std::string gone = hub_command("verify " + missing.string(), 1);
  EXPECT_NE(gone.find("blobs/" + blobs[1].filename().string() +
                      ": listed in the manifest but "
                      "missing"),
            std::string::npos)
      << gone;
  EXPECT_NE(gone.find("the database references this blob"), std::string::npos) << gone;

  const fs::path extra = damaged("extra");
  write_file(extra / "blobs" / "stray", view_of("?"));
  const std::string stray = hub_command("verify " + extra.string(), 1);
  EXPECT_NE(stray.find("blobs/stray: not accounted for by the manifest"), std::string::npos)
      << stray;

  const fs::path truncated = damaged("truncated");
  fs::resize_file(truncated / "hub.db", fs::file_size(truncated / "hub.db") / 2);
  const std::string cut = hub_command("verify " + truncated.string(), 1);
  EXPECT_NE(cut.find("hub.db: "), std::string::npos) << cut;
  EXPECT_NE(cut.find("(truncated or changed)"), std::string::npos) << cut;
  EXPECT_NE(cut.find("integrity_check failed"), std::string::npos) << cut;

  // A damaged backup is not restored.
  const std::string refused = hub_command(
      "restore --config " + config_for(dir.path() / "target") + " " + truncated.string(), 1);
  EXPECT_NE(refused.find("the backup does not verify"), std::string::npos) << refused;
  EXPECT_FALSE(fs::exists(dir.path() / "target" / "data" / "hub.db"));
}

TEST_F(BackupTest, RestoreRefusesARunningHubAndADataDirectoryWithADatabase) {
  const fs::path backup = backup_with(1, "backup");
  const auto sequences = read_rows(live_database(), "SELECT count(*) FROM envelopes");
  // The live hub holds its data directory: restore refuses to touch it, even with --force.
  const std::string running =
      hub_command("restore --config " + live_config() + " --force " + backup.string(), 1);
  EXPECT_NE(running.find("a hub is running on the data directory"), std::string::npos) << running;

  // A stopped hub's database is not overwritten without --force.
  EXPECT_EQ(hub.process().terminate(), 0);
  const std::string occupied =
      hub_command("restore --config " + live_config() + " " + backup.string(), 1);
  EXPECT_NE(occupied.find("already has a database"), std::string::npos) << occupied;
  EXPECT_EQ(read_rows(live_database(), "SELECT count(*) FROM envelopes"), sequences);

  // With --force it is replaced by the backup.
  hub_command("restore --config " + live_config() + " --force " + backup.string());
  EXPECT_EQ(read_rows(live_database(), "PRAGMA integrity_check"), std::vector<Row>{{"ok"}});
}

TEST_F(BackupTest, AHubDoesNotStartOnADataDirectoryAnotherHubHolds) {
  // A second hub on the same data directory would be a second writer behind the first one's
  // back; it refuses to start, naming the lock.
  const fs::path folder = dir.path() / "second";
  fs::create_directories(folder);
  try {
    HubProcess second(folder, "[server]\nlisten_port = 0\ndata_dir = \"" +
                                  (dir.path() / "data").string() + "\"\n");
    ADD_FAILURE() << "a second hub started on a held data directory";
  } catch (const std::runtime_error& refused) {
    EXPECT_NE(std::string(refused.what()).find("hub.lock"), std::string::npos) << refused.what();
  }
}

}  // namespace
}  // namespace draaischijf::testing
