// One policy decision per recipient mailbox (docs/POLICY.md, server/README.md "policy_gate"),
// through the real hub process: an envelope from the CLB to three mailboxes of three kinds is
// judged three times, and the hub's audit log holds three policy.decision rows for its message
// id, each naming its own recipient organisation and mailbox with the outcome for it. The CAW
// intake is allowed under the pupil's consent (R06); the CLB's own onthaal is not a guiding
// role (R02), so the envelope is refused as a whole and nothing is queued for anyone.

#include <map>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/protocol/envelope.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

struct DecisionRow {
  std::string detail;
  std::string rule_ids;
};

// The policy.decision rows of `message_id` (hex), read beside the running hub as an auditor
// would (WAL lets a reader in).
std::vector<DecisionRow> decisions_for(const std::filesystem::path& data,
                                       const std::string& message_id) {
  sqlite3* db = nullptr;
  std::vector<DecisionRow> rows;
  if (sqlite3_open_v2((data / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT detail, rule_ids FROM audit WHERE event = 'policy.decision' "
                       "AND lower(hex(message_id)) = ? ORDER BY id",
                       -1, &select, nullptr);
    sqlite3_bind_text(select, 1, message_id.c_str(), -1, SQLITE_TRANSIENT);
    while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
      const auto text = [&](int column) {
        const auto* value = sqlite3_column_text(select, column);
        return std::string(value != nullptr ? reinterpret_cast<const char*>(value) : "");
      };
      rows.push_back({text(0), text(1)});
    }
    sqlite3_finalize(select);
  }
  sqlite3_close(db);
  return rows;
}

// The value of `key=` in an audit detail ("outcome=allow recipient_org=... mailbox=...").
std::string field(const std::string& detail, const std::string& key) {
  const auto at = detail.find(key + "=");
  if (at == std::string::npos) {
    return "";
  }
  const auto start = at + key.size() + 1;
  return detail.substr(start, detail.find(' ', start) - start);
}

TEST(HubDecisionRows, EachRecipientMailboxGetsItsOwnDecisionOnRecord) {
  TempDir dir;
  DevHub hub(dir.path());
  std::map<std::string, std::string> org_of_mailbox;  // mailbox id -> organisation id (hex)
  std::vector<protocol::MailboxEpochCertificate> to;
  for (const std::string slug : {"caw", "clb", "school"}) {
    const auto mailbox = hub.mailbox_of(slug);
    org_of_mailbox[std::string(mailbox.at("mailbox_id").as_string())] = hex(hub.org_id(slug));
    to.push_back(hub.epoch_of(mailbox));
  }
  ASSERT_EQ(org_of_mailbox.size(), 3U);
  const auto envelope =
      hub.seal_from("clb", to, "three recipients, three decisions", MessageKind::doorverwijzing);
  const auto parsed = protocol::parse_envelope(envelope);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const std::string message_id = hex(parsed->outer.message_id);

  const auto answer = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_NE(answer.body.find("urn:draaischijf:problem:policy-refused"), std::string::npos)
      << answer.body;

  const auto rows = decisions_for(dir.path() / "data", message_id);
  ASSERT_EQ(rows.size(), 3U) << "not one decision per recipient mailbox";
  std::map<std::string, std::string> outcome_of;  // mailbox -> outcome
  for (const DecisionRow& row : rows) {
    const std::string mailbox = field(row.detail, "mailbox");
    ASSERT_TRUE(org_of_mailbox.contains(mailbox)) << row.detail;
    EXPECT_EQ(field(row.detail, "recipient_org"), org_of_mailbox[mailbox]) << row.detail;
    EXPECT_FALSE(outcome_of.contains(mailbox)) << "two decisions for one mailbox: " << row.detail;
    outcome_of[mailbox] = field(row.detail, "outcome");
    EXPECT_FALSE(row.rule_ids.empty()) << row.detail;
  }
  const std::string intake(hub.mailbox_of("caw").at("mailbox_id").as_string());
  const std::string onthaal(hub.mailbox_of("clb").at("mailbox_id").as_string());
  EXPECT_EQ(outcome_of[intake], "allow");
  EXPECT_NE(outcome_of[onthaal], "allow");
  // Refused as a whole: not even the allowed mailbox has it.
  EXPECT_TRUE(hub.json("caw", get("/v1/mailboxes/" + intake + "/messages"))
                  .at("messages")
                  .as_array()
                  .empty());
}

}  // namespace
}  // namespace draaischijf::testing
