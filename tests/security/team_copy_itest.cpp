// The team's Sent copy at the real hub (docs/POLICY.md R37, docs/PROTOCOL.md 7.9): a copy to the
// sender's own organisation's general mailbox is admitted by a decision of its own, on record
// like every decision and not in the disclosure register; a general mailbox of another
// organisation is never taken for the sender's own; and the copy gives the other recipients
// nothing the rules would not give them alone.

#include <ctime>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

std::uint64_t now_seconds() { return static_cast<std::uint64_t>(std::time(nullptr)); }

// Rows of `sql` (one text column, one blob parameter) read beside the running hub.
std::vector<std::string> rows_of(const std::filesystem::path& data, const char* sql,
                                 const Id& message_id) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2((data / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &select, nullptr);
    sqlite3_bind_blob(select, 1, message_id.data(), static_cast<int>(message_id.size()),
                      SQLITE_TRANSIENT);
    while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(select, 0);
      out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(select);
  }
  sqlite3_close(db);
  return out;
}

class TeamCopyTest : public ::testing::Test {
 protected:
  // A general mailbox (function 0) of `slug`, whose only member is that organisation's dev
  // device, created by its admin with the organisation key; its current epoch certificate.
  MailboxEpochCertificate general_mailbox(const std::string& slug) {
    const auto organisation = hub.organisation_key(slug);
    const auto member = hub.keys(slug);
    const auto seed = EpochSeed::random();
    MailboxEpochCertificate epoch;
    epoch.mailbox_id = random_id();
    epoch.org_id = organisation.org_id;
    epoch.mailbox_key = mailbox_identity(seed).public_key();
    const std::vector<Id> ids{member.device_id};
    epoch.members_hash = members_hash(ids);
    epoch.not_before = now_seconds() - 60;
    epoch.not_after = now_seconds() + 24 * 3600;
    epoch = issue(epoch, organisation.signing);
    const auto box =
        seal_seed_to_device(seed, epoch.mailbox_id, 0, member.encryption.public_key()).value();
    const json::object request{{"name", "Verzonden"},
                               {"certificate", base64_encode(encode(epoch))},
                               {"members", json::array{{{"device_id", hex(member.device_id)},
                                                        {"seed_box", base64_encode(box)}}}}};
    const auto created = hub.admin_call(slug, AdminAction::create_mailbox, epoch.mailbox_id,
                                        "/v1/mailboxes", json::serialize(request));
    EXPECT_EQ(created.status, 201) << created.body;
    return epoch;
  }

  // Psychosocial detail about a pupil from the CLB psychologist, for guidance, without a
  // consent: no rule lets it leave the CLB.
  std::pair<Id, HttpResponse> send_psychosocial(
      const std::vector<MailboxEpochCertificate>& recipients) {
    Draft draft;
    draft.message_id = random_id();
    draft.kind = MessageKind::consultatie;
    draft.purpose = Purpose::begeleiding;
    draft.pupil = test_pupil_binding();
    draft.fragments.push_back({DataCategory::psychisch_sociaal, GuidanceDomain::none, "text/plain",
                               SecretBytes::copy_of(view_of("Gesprek gehad."))});
    const auto envelope = seal(draft, {psycholoog.certificate, psycholoog.signing, ++sequence},
                               recipients, now_seconds() * 1000)
                              .value();
    return {draft.message_id, call_as(hub, psycholoog, post("/v1/envelopes", text_of(envelope)))};
  }

  std::vector<std::string> decision_rules(const Id& message_id) {
    return rows_of(dir.path() / "data",
                   "SELECT rule_ids FROM audit WHERE event = 'policy.decision' AND message_id = ? "
                   "ORDER BY id",
                   message_id);
  }

  TempDir dir;
  DevHub hub{dir.path()};
  ExtraDevice psycholoog = enrol_device(hub, dir.path(), "clb", "clb_psycholoog");
  std::uint64_t sequence = 0;
};

TEST_F(TeamCopyTest, TheCopyToTheOwnTeamIsAdmittedByItsOwnDecisionOnRecord) {
  const auto team = general_mailbox("clb");
  const auto [id, answer] = send_psychosocial({team});
  ASSERT_EQ(answer.status, 201) << answer.body;
  EXPECT_EQ(decision_rules(id), std::vector<std::string>{"R37"});
  // On record, and no disclosure: the team's own folder is not a third party.
  EXPECT_TRUE(
      rows_of(dir.path() / "data", "SELECT legal_basis FROM disclosures WHERE message_id = ?", id)
          .empty());
}

TEST_F(TeamCopyTest, AnotherOrganisationsGeneralMailboxIsNotTakenForTheOwnTeam) {
  // The CAW's general mailbox looks exactly like a team's Sent folder, but it is the CAW's.
  const auto foreign = general_mailbox("caw");
  const auto [id, answer] = send_psychosocial({foreign});
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(problem_slug(answer), "policy-refused");
  EXPECT_EQ(answer.body.find("R37"), std::string::npos) << answer.body;
  const auto rules = decision_rules(id);
  ASSERT_EQ(rules.size(), 1U);
  EXPECT_EQ(rules.front().find("R37"), std::string::npos) << rules.front();
}

TEST_F(TeamCopyTest, TheCopyGivesNoOtherRecipientMore) {
  // The same refused message with the team's copy beside it: the CAW recipient is still
  // refused, so nothing is stored, and the copy's allow does not carry over to it.
  const auto team = general_mailbox("clb");
  const auto intake = hub.epoch_of(hub.mailbox_of("caw"));
  const auto [id, answer] = send_psychosocial({intake, team});
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(problem_slug(answer), "policy-refused");
  const auto rules = decision_rules(id);
  ASSERT_EQ(rules.size(), 2U);
  EXPECT_EQ(rules.at(0).find("R37"), std::string::npos) << rules.at(0);
  EXPECT_EQ(rules.at(1), "R37");
  EXPECT_TRUE(
      rows_of(dir.path() / "data", "SELECT sequence FROM envelopes WHERE message_id = ?", id)
          .empty());
}

TEST_F(TeamCopyTest, APartnersOwnCopyKeepsTheConsentItAnswersUnder) {
  // The CAW answers the CLB under the consent the CLB registered, with its own Sent copy beside
  // it: the copy is no third party, so the consent still covers the answer to the CLB.
  const auto caw_team = general_mailbox("caw");
  const auto onthaal = hub.epoch_of(hub.mailbox_of("clb"));
  const auto envelope = hub.seal_from("caw", {onthaal, caw_team}, "Intake gepland.");
  const auto answer = hub.call("caw", post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto id = parse_envelope(envelope).value().outer.message_id;
  const auto bases =
      rows_of(dir.path() / "data",
              "SELECT legal_basis FROM audit WHERE event = 'policy.decision' AND message_id = ? "
              "ORDER BY id",
              id);
  ASSERT_EQ(bases.size(), 2U);
  EXPECT_EQ(bases.at(0).rfind("consent:", 0), 0U) << bases.at(0);
  EXPECT_EQ(bases.at(1), "rule:R37");
}

}  // namespace
}  // namespace draaischijf::testing
