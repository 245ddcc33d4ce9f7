// The hub signs into each receipt the policy decisions it let the envelope through on: per
// recipient mailbox the rules, the legal basis and the approvers, under the rule set's version,
// the same as its audit log says. A replay gets the decisions made when the envelope was stored,
// not a new judgement: even once the approval they name no longer counts. (A replay is judged
// by the gate first, so after the consent it rested on is revoked it is refused, and the sender
// keeps the receipt it had.)

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "independent_checks.hpp"
#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

// The policy.decision audit row the hub wrote for `message_id`: rule ids, legal basis, approvers
// and policy version (read beside the running hub: WAL lets a reader in).
std::vector<std::string> audited_decision(const std::filesystem::path& data, const Id& message_id) {
  sqlite3* db = nullptr;
  std::vector<std::string> row;
  if (sqlite3_open_v2((data / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT rule_ids, legal_basis, on_behalf_of, policy_version FROM audit "
                       "WHERE event = 'policy.decision' AND message_id = ?",
                       -1, &select, nullptr);
    sqlite3_bind_blob(select, 1, message_id.data(), static_cast<int>(message_id.size()),
                      SQLITE_TRANSIENT);
    if (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
      for (int c = 0; c < 4; ++c) {
        const auto* text = sqlite3_column_text(select, c);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
    }
    sqlite3_finalize(select);
  }
  sqlite3_close(db);
  return row;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

class HubReceiptDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto seed = read_file(dir.path() / "data" / "hub-signing.key");
    ASSERT_EQ(seed.size(), 32U);
    hub_key = SigningKey::from_seed(
                  SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed.data(), 32)))
                  .public_key();
    intake = hub.epoch_of(hub.mailbox_of("caw"));
  }

  // The receipt of an accepted (201) or replayed (409) submission, verified with the hub key.
  Receipt receipt_of(const HttpResponse& answer) {
    EXPECT_TRUE(answer.status == 201 || answer.status == 409) << answer.body;
    const auto body = json::parse(answer.body).as_object();
    const auto bytes = b64(body.at("receipt"));
    auto receipt = parse_receipt(bytes).value();
    EXPECT_TRUE(verify(receipt, hub_key));
    EXPECT_TRUE(independent_receipt_signature_ok(bytes, hub_key)) << "8.4, checked by hand";
    return receipt;
  }

  TempDir dir;
  DevHub hub{dir.path()};
  SigningPublicKey hub_key{};
  MailboxEpochCertificate intake;
};

TEST_F(HubReceiptDecisionTest, TheReceiptNamesTheMailboxRulesAndConsentTheGateDecidedOn) {
  const auto consent = hub.pupil_consent();
  const auto envelope =
      hub.seal_from("clb", {intake}, "verwijzing", protocol::MessageKind::doorverwijzing);
  const auto accepted = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  const auto receipt = receipt_of(accepted);

  ASSERT_EQ(receipt.decided.decisions.size(), 1U);
  const auto& decision = receipt.decided.decisions[0];
  EXPECT_EQ(decision.mailbox_id, intake.mailbox_id);
  EXPECT_EQ(decision.rule_ids, "R06") << "the CLB-partner route under consent";
  EXPECT_EQ(decision.legal_basis, "consent:" + hex(consent));
  EXPECT_TRUE(decision.approvers.empty());
  // What the hub put on record for the auditor is what it signed for the sender.
  const auto audited = audited_decision(dir.path() / "data", receipt.message_id);
  ASSERT_EQ(audited.size(), 4U);
  EXPECT_EQ(audited[0], decision.rule_ids);
  EXPECT_EQ(audited[1], decision.legal_basis);
  EXPECT_EQ(audited[2], "");
  // The version line of policies/rules/flemish-clb.rules, the rule set the hub runs.
  EXPECT_EQ(receipt.decided.rule_set_version, "2026.12.1");
  EXPECT_EQ(audited[3], "2026.12.1");
  // The answer's JSON says the same, for people reading it.
  const auto body = json::parse(accepted.body).as_object();
  EXPECT_EQ(body.at("rule_set_version").as_string(), "2026.12.1");
  EXPECT_EQ(body.at("decisions"), json::parse(R"([{"mailbox_id":")" + hex(intake.mailbox_id) +
                                              R"(","rule_ids":"R06","legal_basis":"consent:)" +
                                              hex(consent) + R"(","approvers":[]}])"));
}

TEST_F(HubReceiptDecisionTest, AReplayGetsTheSameDecisionsAndAfterRevocationIsRefusedFirst) {
  const auto consent = hub.pupil_consent();
  const auto envelope =
      hub.seal_from("clb", {intake}, "verwijzing", protocol::MessageKind::doorverwijzing);
  const auto first = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(first.status, 201) << first.body;
  const auto replay = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(encode_decisions(receipt_of(replay).decided).value(),
            encode_decisions(receipt_of(first).decided).value());
  EXPECT_EQ(json::parse(replay.body).at("receipt"), json::parse(first.body).at("receipt"))
      << "the same receipt, byte for byte";

  const auto revoked = hub.call("clb", post("/v1/consents/" + hex(consent) + "/revoke", ""));
  ASSERT_LT(revoked.status, 300) << revoked.body;
  const auto after = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  EXPECT_EQ(after.status, 403) << after.body;
  EXPECT_EQ(problem_slug(after), "policy-refused");
}

// The decisions named an approval that has stopped counting since (its approver's device was
// removed): a fresh judgement of the replay names no approver, the receipt still names the one
// the envelope was let through with.
TEST_F(HubReceiptDecisionTest, AReplayNamesTheApproverEvenOnceTheApprovalNoLongerCounts) {
  const auto social_worker = enrol_device(hub, dir.path(), "clb", "clb_maatschappelijk_werker");
  const auto arts = enrol_device(hub, dir.path(), "clb", "clb_arts");
  Draft draft;
  draft.message_id = random_id();
  draft.thread_id = random_id();
  draft.kind = MessageKind::doorverwijzing;
  draft.purpose = Purpose::begeleiding;
  draft.pupil = test_pupil_binding();
  draft.consent_reference = hub.pupil_consent();
  draft.fragments.push_back({DataCategory::handelingsgericht_advies, GuidanceDomain::none,
                             "text/plain", SecretBytes::copy_of(view_of("Graag een intake."))});
  const std::vector<Id> mailboxes = {intake.mailbox_id};
  const auto approval =
      sign_approval(approval_statement(draft, hub.org_id("clb"), mailboxes, now_ms()),
                    arts.certificate, arts.signing)
          .value();
  ASSERT_EQ(call_as(hub, arts, post("/v1/approvals", text_of(approval))).status, 201);
  draft.approvals = {approval};
  const std::vector<MailboxEpochCertificate> to = {intake};
  const auto envelope =
      seal(draft, {social_worker.certificate, social_worker.signing, 1}, to, now_ms()).value();
  const auto first = call_as(hub, social_worker, post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(first.status, 201) << first.body;
  const auto original = receipt_of(first).decided;
  ASSERT_EQ(original.decisions.size(), 1U);
  EXPECT_EQ(original.decisions[0].approvers, std::vector<Id>{arts.staff_id});

  ASSERT_EQ(hub.remove_device("clb", arts.device_id).status, 200);
  const auto replay = call_as(hub, social_worker, post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(receipt_of(replay).decided, original);
}

}  // namespace
}  // namespace draaischijf::testing
