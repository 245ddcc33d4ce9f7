// The hub as the second enforcement point, through the real hub process: a refusal names its
// rules and is on record while nothing is stored; an allow is logged with its legal basis and
// enters the disclosure register; consents are the CLB's alone, are validated when registered,
// and a revocation withdraws what still waits under it, tells the recipient and holds for the
// very next request.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/note.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

// The policy.decision audit rows of the hub's database, as "outcome|rule_ids|legal_basis|
// policy_version|user" (read beside the running hub: WAL lets a reader in).
std::vector<std::string> decision_rows(const std::filesystem::path& data) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2((data / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT detail, rule_ids, legal_basis, policy_version, user_id, "
                       "hex(pupil) FROM audit WHERE event = 'policy.decision' ORDER BY id",
                       -1, &select, nullptr);
    while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < 6; ++c) {
        const auto* text = sqlite3_column_text(select, c);
        row += (c == 0 ? "" : "|") +
               std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(row);
    }
    sqlite3_finalize(select);
  }
  sqlite3_close(db);
  return rows;
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    intake = hub.mailbox_of("caw");
    intake_id = intake.at("mailbox_id").as_string();
  }
  HttpResponse submit(const std::string& slug, const std::vector<std::uint8_t>& envelope) {
    return hub.call(slug, post("/v1/envelopes", text_of(envelope)));
  }
  json::object body_of(const HttpResponse& response) {
    return json::parse(response.body).as_object();
  }

  TempDir dir;
  DevHub hub{dir.path()};
  json::object intake;
  std::string intake_id;
};

TEST_F(PolicyTest, ARefusalNamesItsRulesIsOnRecordAndStoresNothing) {
  const auto refused =
      submit("clb", hub.seal_under({}, "clb", {hub.epoch_of(intake)}, "zonder toestemming",
                                   MessageKind::doorverwijzing));
  ASSERT_EQ(refused.status, 403) << refused.body;
  const auto problem = body_of(refused);
  EXPECT_EQ(problem.at("type").as_string(), "urn:draaischijf:problem:policy-refused");
  EXPECT_EQ(problem.at("outcome").as_string(), "needs_consent");
  EXPECT_EQ(problem.at("rule_ids").as_array(), json::array({"R06"}));
  EXPECT_FALSE(problem.at("reasons").as_array().empty());
  EXPECT_FALSE(problem.at("policy_version").as_string().empty());
  EXPECT_TRUE(problem.at("consent_notes").as_array().empty()) << refused.body;
  // Nothing reached the CAW, and the refusal is in the audit log with its NEN 7513 fields.
  const auto listing = hub.json("caw", get("/v1/mailboxes/" + intake_id + "/messages"));
  EXPECT_TRUE(listing.at("messages").as_array().empty());
  const auto rows = decision_rows(dir.path() / "data");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_NE(rows[0].find("outcome=needs_consent"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("|R06|rule:R06|2026."), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("|" + hex(hub.keys("clb").staff_id) + "|"), std::string::npos) << rows[0];
}

TEST_F(PolicyTest, AnAllowIsLoggedWithItsConsentAndEntersTheDisclosureRegister) {
  const auto consent = hex(hub.pupil_consent());
  const auto accepted = submit("clb", hub.seal_from("clb", {hub.epoch_of(intake)}, "verwijzing",
                                                    MessageKind::doorverwijzing));
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  const auto rows = decision_rows(dir.path() / "data");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_NE(rows[0].find("outcome=allow"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("|R06|consent:" + consent + "|"), std::string::npos) << rows[0];

  const auto report = hub.json("clb", get("/v1/disclosures?pupil=" + test_pupil_hex()));
  const auto& entries = report.at("disclosures").as_array();
  ASSERT_EQ(entries.size(), 1U);
  const auto& entry = entries[0].as_object();
  EXPECT_EQ(entry.at("recipient_org").as_string(), hex(hub.org_id("caw")));
  EXPECT_EQ(entry.at("categories").as_string(), "handelingsgericht_advies");
  EXPECT_EQ(entry.at("legal_basis").as_string(), "consent:" + consent);
  EXPECT_EQ(entry.at("message_id").as_string(), body_of(accepted).at("message_id").as_string());
  // With the audit row of its decision, proved in the record log under the answer's checkpoint
  // (docs/PROTOCOL.md 13.7).
  const auto& record = entry.at("record").as_object();
  const auto row = policies::audit_record_from_json(record.at("row").as_object());
  ASSERT_TRUE(row) << json::serialize(record);
  const auto line = policies::disclosure_from_json(entry);
  ASSERT_TRUE(line);
  EXPECT_TRUE(policies::records_disclosure(row->view(), *line, hub.org_id("clb"), test_pupil()));
  const std::string note_text(report.at("checkpoint").as_string());
  const auto checkpoint =
      protocol::note::parse_checkpoint_text(note_text.substr(0, note_text.find("\n\n") + 1));
  ASSERT_TRUE(checkpoint) << note_text;
  std::vector<protocol::merkle::Hash> proof;
  for (const auto& hash : record.at("proof").as_array()) {
    const auto bytes = protocol::base64_decode(std::string(hash.as_string())).value();
    ASSERT_EQ(bytes.size(), 32U);
    std::copy(bytes.begin(), bytes.end(), proof.emplace_back().begin());
  }
  const auto leaf = protocol::audit_record_entry(row->view());
  EXPECT_TRUE(protocol::check_included(*checkpoint, leaf,
                                       record.at("index").to_number<std::uint64_t>(), proof));
  // The register is the CLB's: the CAW may not read it.
  EXPECT_EQ(hub.call("caw", get("/v1/disclosures?pupil=" + test_pupil_hex())).status, 403);
}

TEST_F(PolicyTest, ConsentsAreForClbStaffAndAreValidatedWhenRegistered) {
  const auto id = hex(hub.pupil_consent());
  for (const std::string slug : {"school", "caw"}) {
    const auto registered = hub.call(slug, post("/v1/consents", "{}"));
    EXPECT_EQ(registered.status, 403) << slug;
    EXPECT_NE(registered.body.find("clb-only"), std::string::npos) << registered.body;
    EXPECT_EQ(hub.call(slug, get("/v1/consents/" + id)).status, 403) << slug;
    EXPECT_EQ(hub.call(slug, post("/v1/consents/" + id + "/revoke", "")).status, 403) << slug;
  }
  EXPECT_EQ(hub.call("clb", get("/v1/consents/" + id)).status, 200);
  // A 13-year-old is presumed competent: the parents' consent alone is not the right one.
  const std::string parents_of_13 =
      R"({"pupil":")" + test_pupil_hex() +
      R"(","giver":"ouders","pupil_facts":{"age":13},"scope":{"organisation_types":["caw"]},)"
      R"("categories":["psychisch_sociaal"],"purposes":["doorverwijzing"],)"
      R"("valid_from":"2020-01-01"})";
  const auto invalid = hub.call("clb", post("/v1/consents", parents_of_13));
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  const auto issues = body_of(invalid).at("issues").as_array();
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].at("issue").as_string(), "giver_should_be_pupil");
  const auto listed = hub.json("clb", get("/v1/consents?pupil=" + test_pupil_hex()));
  EXPECT_EQ(listed.at("consents").as_array().size(), 1U) << "the refused one is not stored";
}

TEST_F(PolicyTest, ARevocationWithdrawsWhatWaitsTellsTheRecipientAndHoldsAtOnce) {
  const auto consent = hub.pupil_consent();
  const auto queued = submit(
      "clb", hub.seal_from("clb", {hub.epoch_of(intake)}, "wacht", MessageKind::doorverwijzing));
  ASSERT_EQ(queued.status, 201) << queued.body;
  const auto message_id = std::string(body_of(queued).at("message_id").as_string());
  StreamClient stream(hub.client("caw"));
  ASSERT_TRUE(stream.upgraded());
  ASSERT_EQ(stream.next().at("type").as_string(), "subscribed");

  const auto revoked = hub.json("clb", post("/v1/consents/" + hex(consent) + "/revoke", ""));
  const auto& withdrawn = revoked.at("withdrawn").as_array();
  ASSERT_EQ(withdrawn.size(), 1U);
  EXPECT_EQ(withdrawn[0].at("message_id").as_string(), message_id);
  const auto note = stream.next();
  EXPECT_EQ(note.at("type").as_string(), "withdrawn");
  EXPECT_EQ(note.at("message_id").as_string(), message_id);
  // The CAW sees it withdrawn and cannot fetch it; the CLB's status says so too.
  const auto listing = hub.json("caw", get("/v1/mailboxes/" + intake_id + "/messages"));
  EXPECT_EQ(listing.at("messages").as_array().at(0).at("state").as_string(), "withdrawn");
  const auto sequence = std::to_string(withdrawn[0].at("sequence").as_int64());
  EXPECT_EQ(hub.call("caw", get("/v1/mailboxes/" + intake_id + "/messages/" + sequence)).status,
            404);
  const auto status = hub.json("clb", get("/v1/envelopes/" + message_id + "/status"));
  EXPECT_EQ(status.at("recipients").as_array().at(0).at("state").as_string(), "withdrawn");
  // The very next request under the revoked consent is refused; revoking again changes nothing.
  const auto next = submit(
      "clb", hub.seal_from("clb", {hub.epoch_of(intake)}, "opnieuw", MessageKind::doorverwijzing));
  EXPECT_EQ(next.status, 403) << next.body;
  // The refusal says which consent did not count and why, not only R06's general text.
  const auto refusal = body_of(next);
  const auto& notes = refusal.at("consent_notes").as_array();
  ASSERT_EQ(notes.size(), 1U) << next.body;
  EXPECT_EQ(notes[0].at("consent_id").as_string(), hex(consent));
  EXPECT_EQ(notes[0].at("reason").as_string(), "revoked");
  EXPECT_EQ(notes[0].at("rule_id").as_string(), "R06");
  EXPECT_EQ(hub.call("clb", post("/v1/consents/" + hex(consent) + "/revoke", "")).status, 409);
}

TEST_F(PolicyTest, TheHubServesTheSignedRuleSetItEnforces) {
  const auto policy = hub.json("school", get("/v1/policy"));
  const auto key = b64(policy.at("operator_key"));
  ASSERT_EQ(key.size(), 32U);
  protocol::SigningPublicKey operator_key{};
  std::copy(key.begin(), key.end(), operator_key.begin());
  auto rules =
      policies::load_rule_set(std::string(policy.at("rules").as_string()),
                              std::string(policy.at("signature").as_string()), operator_key);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ(rules->version(), policy.at("version").as_string());
  // One changed byte and the signature no longer holds.
  std::string changed(policy.at("rules").as_string());
  changed[changed.size() / 2] ^= 1;
  EXPECT_FALSE(policies::load_rule_set(changed, std::string(policy.at("signature").as_string()),
                                       operator_key));
}

}  // namespace
}  // namespace draaischijf::testing
