// `draaischijf-hub audit export` on a real hub's database: the disclosure register with its
// legal basis, the date range and the organisation and pupil filters, RFC 4180 CSV with its
// defence against formula injection, JSONL, and the refusals of bad dates and options.

#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/protocol/note.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
using namespace protocol;

// The system time now as the export's --from/--to take it (the hub stamps with this clock).
std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms.count() % 1000));
  return std::string(buffer) + millis;
}

// An RFC 4180 parser, strict enough to fail on what the export must not write.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "a quote inside an unquoted field";
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else {
      EXPECT_TRUE(c != '\n' && c != '\r') << "a bare line break outside quotes";
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "an unterminated quoted field";
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record lacks its CRLF";
  return records;
}

class AuditExportTest : public ::testing::Test {
 protected:
  std::string config() const { return (dir.path() / "hub.toml").string(); }

  // The export's standard output (standard error apart), after checking the exit status.
  std::string run(const std::string& options, int expected_exit = 0) {
    const fs::path out = dir.path() / ("export-" + std::to_string(++exports_));
    const std::string printed =
        hub_command("audit export --config " + config() + " " + options + " --out " + out.string(),
                    expected_exit);
    if (expected_exit != 0) {
      return printed;
    }
    EXPECT_EQ(fs::status(out).permissions() & fs::perms::group_all, fs::perms::none);
    auto bytes = read_file(out);
    return {bytes.begin(), bytes.end()};
  }

  std::vector<boost::json::object> jsonl(const std::string& options) {
    std::vector<boost::json::object> rows;
    std::istringstream lines(run(options + " --format jsonl"));
    std::string line;
    while (std::getline(lines, line)) {
      auto value = boost::json::parse(line);  // throws, failing the test, on a broken line
      EXPECT_EQ(value.as_object().size(), 21U) << line;
      rows.push_back(value.as_object());
    }
    return rows;
  }

  // Sends the referral the register must show: the CLB to the CAW intake about the test pupil.
  std::string send_referral(const std::string& text) {
    const auto envelope = hub.seal_from("clb", {hub.epoch_of(hub.mailbox_of("caw"))}, text,
                                        MessageKind::doorverwijzing);
    const auto answer = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
    EXPECT_EQ(answer.status, 201) << answer.body;
    return hex(parse_envelope(envelope).value().outer.message_id);
  }

  static std::size_t count_message(const std::vector<boost::json::object>& rows,
                                   const std::string& message_id) {
    return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](const auto& r) {
      return r.at("message_id").as_string() == message_id;
    }));
  }

  TempDir dir;
  DevHub hub{dir.path()};
  int exports_ = 0;
};

TEST_F(AuditExportTest, TheDisclosureAppearsWithItsBasisAndNeverTheContent) {
  const std::string message = send_referral("CANARY-audit-export-content");
  const auto rows = jsonl("--from 2000-01-01 --to 2100-12-31");
  const auto disclosure = std::find_if(rows.begin(), rows.end(), [&](const auto& r) {
    return r.at("record").as_string() == "disclosure" && r.at("message_id").as_string() == message;
  });
  ASSERT_NE(disclosure, rows.end());
  EXPECT_EQ(disclosure->at("pupil").as_string(), test_pupil_hex());
  EXPECT_EQ(disclosure->at("org_id").as_string(), hex(hub.org_id("clb")));
  EXPECT_EQ(disclosure->at("recipient_org").as_string(), hex(hub.org_id("caw")));
  EXPECT_EQ(disclosure->at("recipient_mailbox").as_string(),
            hub.mailbox_of("caw").at("mailbox_id").as_string());
  EXPECT_EQ(disclosure->at("legal_basis").as_string(), "consent:" + hex(hub.pupil_consent()));
  EXPECT_EQ(disclosure->at("rule_ids").as_string(), "R06");
  EXPECT_EQ(disclosure->at("categories").as_string(), "handelingsgericht_advies");
  EXPECT_EQ(disclosure->at("kind").as_string(), "doorverwijzing");
  EXPECT_FALSE(disclosure->at("user_id").as_string().empty()) << "the sending staff member";
  EXPECT_FALSE(disclosure->at("at").as_string().empty());
  // The audit rows of the same message: its acceptance and the policy decision.
  EXPECT_GE(count_message(rows, message), 3U);
  for (const std::string format : {"csv", "jsonl"}) {
    EXPECT_EQ(run("--from 2000-01-01 --to 2100-12-31 --format " + format).find("CANARY"),
              std::string::npos);
  }
  // The pupil filter: that pupil's rows only, the disclosure among them.
  const auto pupil = jsonl("--from 2000-01-01 --to 2100-12-31 --pupil " + test_pupil_hex());
  ASSERT_FALSE(pupil.empty());
  for (const auto& r : pupil) {
    EXPECT_EQ(r.at("pupil").as_string(), test_pupil_hex()) << boost::json::serialize(r);
  }
  EXPECT_EQ(count_message(pupil, message), 2U) << "the policy decision and the disclosure";
}

TEST_F(AuditExportTest, OnlyRowsInTheRangeAndOfTheOrganisation) {
  const std::string first = send_referral("eerste");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string between = iso_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string second = send_referral("tweede");

  const auto later = jsonl("--from " + between + " --to 2100-12-31");
  EXPECT_EQ(count_message(later, first), 0U);
  EXPECT_GE(count_message(later, second), 3U);
  const auto earlier = jsonl("--from 2000-01-01 --to " + between);
  EXPECT_GE(count_message(earlier, first), 3U);
  EXPECT_EQ(count_message(earlier, second), 0U);
  // A whole day in UTC: --to a bare date runs to its last millisecond.
  const std::string today = between.substr(0, 10);
  EXPECT_GE(count_message(jsonl("--from " + today + " --to " + today), second), 3U);

  // The CAW's rows: what it received (the disclosures to it) and its own doings, nothing of
  // the school's.
  const std::string caw = hex(hub.org_id("caw"));
  const auto mine = jsonl("--from 2000-01-01 --to 2100-12-31 --org " + caw);
  EXPECT_EQ(count_message(mine, first), 1U) << "the disclosure to the CAW";
  for (const auto& r : mine) {
    EXPECT_TRUE(r.at("org_id").as_string() == caw || r.at("recipient_org").as_string() == caw ||
                (r.at("org_id").as_string().empty() && !r.at("device_id").as_string().empty()))
        << boost::json::serialize(r);
  }
  const auto school = jsonl("--from 2000-01-01 --to 2100-12-31 --org " + hex(hub.org_id("school")));
  EXPECT_FALSE(school.empty()) << "the school's own directory rows";
  EXPECT_EQ(count_message(school, first), 0U);
  EXPECT_EQ(count_message(school, second), 0U);
}

TEST_F(AuditExportTest, CsvQuotesCommasQuotesAndLineBreaksAndDisarmsFormulas) {
  send_referral("csv");
  // A row with every awkward value a stored field could hold, written as the hub would store
  // any audit row: straight into the table.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "data" / "hub.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const char* insert =
        "INSERT INTO audit (at_ms, event, detail, user_id, role, on_behalf_of, legal_basis, "
        "rule_ids) VALUES (strftime('%s','now') * 1000, 'test.awkward', "
        "'=HYPERLINK(\"http://x\",\"y\")', '+31 2', '-1', '@SUM(A1)', 'rule:R01,R02', "
        "'line one' || char(13) || char(10) || 'said \"two\"')";
    ASSERT_EQ(sqlite3_exec(db, insert, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string text = run("--from 2000-01-01 --to 2100-12-31 --format csv");
  const auto records = parse_csv(text);
  ASSERT_GE(records.size(), 3U);
  const auto& header = records.front();
  ASSERT_EQ(header.size(), 21U);
  EXPECT_EQ(header[0], "record");
  const auto column = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (const auto& record : records) {
    EXPECT_EQ(record.size(), header.size());
  }
  const auto awkward = std::find_if(records.begin(), records.end(), [&](const auto& r) {
    return r.size() == header.size() && r[column("event")] == "test.awkward";
  });
  ASSERT_NE(awkward, records.end());
  EXPECT_EQ((*awkward)[column("detail")], "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ((*awkward)[column("user_id")], "'+31 2");
  EXPECT_EQ((*awkward)[column("role")], "'-1");
  EXPECT_EQ((*awkward)[column("on_behalf_of")], "'@SUM(A1)");
  EXPECT_EQ((*awkward)[column("legal_basis")], "rule:R01,R02");
  EXPECT_EQ((*awkward)[column("rule_ids")], "line one\r\nsaid \"two\"");
  // As written: quoted where needed, quotes doubled, and no cell that starts a formula.
  EXPECT_NE(text.find(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), std::string::npos);
  EXPECT_NE(text.find(",\"rule:R01,R02\","), std::string::npos);
  EXPECT_EQ(text.find(",=HYPERLINK"), std::string::npos);
  EXPECT_EQ(text.find(",\"=HYPERLINK"), std::string::npos);
  // JSONL keeps the values as recorded (no apostrophe: it is not for spreadsheets).
  const auto rows = jsonl("--from 2000-01-01 --to 2100-12-31");
  const auto raw = std::find_if(rows.begin(), rows.end(), [](const auto& r) {
    return r.at("event").as_string() == "test.awkward";
  });
  ASSERT_NE(raw, rows.end());
  EXPECT_EQ(raw->at("detail").as_string(), "=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(raw->at("rule_ids").as_string(), "line one\r\nsaid \"two\"");
}

TEST_F(AuditExportTest, BadDatesAndOptionsAreRefusedWithTheReason) {
  const std::string base = "--format csv ";
  EXPECT_NE(run(base + "--from 2026-02-30 --to 2026-03-01", 2)
                .find("--from 2026-02-30 is not an ISO 8601 date"),
            std::string::npos);
  EXPECT_NE(run(base + "--from 2026-03-01 --to 03/04/2026", 2).find("--to 03/04/2026 is not"),
            std::string::npos);
  EXPECT_NE(run(base + "--from 2026-03-01T10:00:00 --to 2026-03-02", 2).find("with a zone"),
            std::string::npos)
      << "a time without a zone is ambiguous";
  EXPECT_NE(run(base + "--from 2026-03-02 --to 2026-03-01", 2).find("is after --to"),
            std::string::npos);
  EXPECT_NE(run("--format xml --from 2026-03-01 --to 2026-03-02", 2).find("csv or jsonl"),
            std::string::npos);
  EXPECT_NE(run(base + "--from 2026-03-01 --to 2026-03-02 --org 12", 2).find("--org takes"),
            std::string::npos);
  EXPECT_NE(run(base + "--from 2026-03-01 --to 2026-03-02 --pupil leerling-1", 2).find("pseudonym"),
            std::string::npos);
  EXPECT_NE(run(base + "--from 2026-03-01 --to 2026-03-02 --pupl x", 2).find("no option --pupl"),
            std::string::npos);
  // An offset is honoured: 01:30+02:00 is 23:30Z the day before, so that day's rows count.
  EXPECT_NE(run(base + "--from 2026-03-01T00:00+02:00 --to 2026-03-01T01:30+02:00"),
            "");  // a header at least, and exit 0
}

// An export with proofs (docs/OPERATIONS.md "Exporting with proofs"): every row carries its
// record-log entry's index and inclusion proof against a checkpoint the DPO fetched, and `audit
// check` proves the file without the database, given only the hub's record-log vkey.
class AuditExportProofTest : public AuditExportTest {
 protected:
  void SetUp() override {
    message = send_referral("verwijzing");
    const auto checkpoint = hub.call("clb", get("/v1/log/record/checkpoint"));
    ASSERT_EQ(checkpoint.status, 200);
    write_file(saved, view_of(checkpoint.body));
    exported = dir.path() / "proved.jsonl";
    const auto text =
        run("--from 2000-01-01 --to 2100-12-31 --format jsonl --checkpoint " + saved.string());
    write_file(exported, view_of(text));
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    // `log vkeys` prints the directory log's line, then the record log's: "origin vkey".
    std::istringstream keys(hub_command("log vkeys --config " + config()));
    for (std::string origin, key; keys >> origin >> key;) {
      vkeys.push_back(key);
    }
    ASSERT_EQ(vkeys.size(), 2U);
  }

  std::string check(const std::vector<std::string>& rows, int expected_exit,
                    const std::string& extra = "") {
    const auto file = dir.path() / ("check-" + std::to_string(++checks_) + ".jsonl");
    std::string text;
    for (const auto& row : rows) {
      text += row + "\n";
    }
    write_file(file, view_of(text));
    return hub_command("audit check --export " + file.string() + " --checkpoint " + saved.string() +
                           " --vkey " + vkeys[1] + extra,
                       expected_exit);
  }

  // The index of the first line whose JSON passes `pick`.
  std::size_t line_where(const std::function<bool(const boost::json::object&)>& pick) const {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (pick(boost::json::parse(lines[i]).as_object())) {
        return i;
      }
    }
    ADD_FAILURE() << "no such line in the export";
    return 0;
  }

  std::vector<std::string> with_line(std::size_t i,
                                     const std::function<void(boost::json::object&)>& change) {
    auto edited = lines;
    auto row = boost::json::parse(edited[i]).as_object();
    change(row);
    edited[i] = boost::json::serialize(row);
    return edited;
  }

  std::string message;
  fs::path saved = dir.path() / "record.checkpoint";
  fs::path exported;
  std::vector<std::string> lines;
  std::vector<std::string> vkeys;
  int checks_ = 0;
};

TEST_F(AuditExportProofTest, EveryRowCarriesItsProofAndTheCheckPassesWithoutTheDatabase) {
  std::size_t proved = 0;
  for (const auto& line : lines) {
    const auto row = boost::json::parse(line).as_object();
    EXPECT_TRUE(row.contains("row_id") && row.contains("log_index") && row.contains("log_proof"))
        << line;
    proved += row.at("log_proof").is_array() ? 1U : 0U;
  }
  const auto disclosure = line_where([&](const auto& r) {
    return r.at("record").as_string() == "disclosure" && r.at("message_id").as_string() == message;
  });
  const auto row = boost::json::parse(lines[disclosure]).as_object();
  ASSERT_TRUE(row.at("log_proof").is_array()) << lines[disclosure];
  EXPECT_NE(row.at("detail").as_string().find("categories=handelingsgericht_advies"),
            std::string::npos)
      << "a disclosure carries its decision's detail: " << lines[disclosure];
  const auto said = check(lines, 0);
  EXPECT_NE(said.find("proved              " + std::to_string(proved) + " against the checkpoint"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find(", 0 of them not in the export"), std::string::npos) << said;
  EXPECT_NE(said.find("ok: every row with a proof is in the record log as exported"),
            std::string::npos)
      << said;
}

TEST_F(AuditExportProofTest, AnEditedDisclosureOrAuditRowFailsTheCheckAndALeftOutRowShows) {
  const auto disclosure = line_where([&](const auto& r) {
    return r.at("record").as_string() == "disclosure" && r.at("message_id").as_string() == message;
  });
  auto said = check(with_line(disclosure, [](auto& r) { r["categories"] = "contact"; }), 1);
  EXPECT_NE(said.find("line " + std::to_string(disclosure + 1) +
                      " is a disclosure that its decision's audit row does not state"),
            std::string::npos)
      << said;
  const auto accepted =
      line_where([](const auto& r) { return r.at("event").as_string() == "envelope.accepted"; });
  said = check(with_line(accepted, [](auto& r) { r["device_id"] = std::string(32, '0'); }), 1);
  EXPECT_NE(said.find("line " + std::to_string(accepted + 1) + " is not record-log entry"),
            std::string::npos)
      << said;
  // A row left out of an unfiltered export is a gap between the proved indexes.
  auto fewer = lines;
  fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(accepted));
  said = check(fewer, 0);
  EXPECT_NE(said.find(", 1 of them not in the export"), std::string::npos) << said;
}

TEST_F(AuditExportProofTest, TheCheckRefusesAnotherLogsKeyAndAMissingWitnessQuorum) {
  auto said = hub_command("audit check --export " + exported.string() + " --checkpoint " +
                              saved.string() + " --vkey " + vkeys[0],
                          1);
  EXPECT_NE(said.find("is not a record-log checkpoint signed by the key"), std::string::npos)
      << said;
  const auto witness = protocol::SigningKey::generate();
  const auto witness_vkey = protocol::note::encode_vkey(
      {"witness.example/test", protocol::note::kCosignatureV1, witness.public_key()});
  said = check(lines, 1, " --witness " + witness_vkey);
  EXPECT_NE(said.find("refused: 0 of the witnesses given cosigned the checkpoint, 1 must"),
            std::string::npos)
      << said;
  check(lines, 0, " --witness " + witness_vkey + " --quorum 0");
}

TEST_F(AuditExportProofTest, AnExportAgainstACheckpointTheLogDoesNotHoldFails) {
  // The hub's own key signs a checkpoint of the same size with another root (a forked log).
  const auto seed = read_file(dir.path() / "data" / "hub-signing.key");
  ASSERT_EQ(seed.size(), 32U);
  const auto key = protocol::SigningKey::from_seed(
      protocol::SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed.data(), 32)));
  const auto text = read_file(saved);
  const std::string note_text(text.begin(), text.end());
  auto body = protocol::note::parse_checkpoint_text(note_text.substr(0, note_text.find("\n\n") + 1))
                  .value();
  body.root[0] ^= 1;
  write_file(saved, view_of(protocol::note::sign_checkpoint(key, body)));
  const auto said =
      run("--from 2000-01-01 --to 2100-12-31 --format jsonl --checkpoint " + saved.string(), 1);
  EXPECT_NE(said.find("FAILED: the record log does not extend the checkpoint of size"),
            std::string::npos)
      << said;
  EXPECT_NE(run("--from 2000-01-01 --to 2100-12-31 --format csv --checkpoint " + saved.string(), 2)
                .find("only --format jsonl holds"),
            std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing
