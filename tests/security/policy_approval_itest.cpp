// Second approvals through the real hub: an approval counts only while its approver device is
// still enrolled with the certificate it embeds, that certificate is valid, and the approval
// is younger than 14 days. A removed CLB-arts's approval, one whose certificate expired, or one
// given 15 days ago no longer lets medical data leave the CLB (R09); the refusal says why.

#include <gtest/gtest.h>

#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/pupil.hpp>

#include "in_process_hub.hpp"
#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

class PolicyApprovalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    intake = hub.epoch_of(hub.mailbox_of("caw"));
    const std::string body =
        R"({"pupil":")" + test_pupil_hex() +
        R"(","giver":"ouders","capacity":"moeder","pupil_facts":{"birth_date":"2016-01-01"},)"
        R"("scope":{"organisation_types":["caw"]},"categories":["preventieve_gezondheidszorg"],)"
        R"("purposes":["doorverwijzing"],"valid_from":"2020-01-01"})";
    const auto registered = hub.call("clb", post("/v1/consents", body));
    ASSERT_EQ(registered.status, 201) << registered.body;
    consent = consent_id_of(json::parse(registered.body).at("consent_id").as_string());
  }

  // A referral with a medical fragment from the social worker to the CAW intake, approved by
  // the arts at `approved_at_ms`; the approval is registered by the arts's device.
  std::vector<std::uint8_t> approved_referral(std::uint64_t approved_at_ms) {
    return approved_referral(approved_at_ms, arts);
  }
  std::vector<std::uint8_t> approved_referral(std::uint64_t approved_at_ms,
                                              const ExtraDevice& approver) {
    Draft draft = draft_of(DataCategory::preventieve_gezondheidszorg, "Groeicurve buigt af.");
    draft.kind = MessageKind::doorverwijzing;
    draft.purpose = Purpose::doorverwijzing;
    draft.consent_reference = consent;
    approve(draft, {intake}, approved_at_ms, approver);
    return sealed(draft, {intake});
  }
  // A draft about the test pupil with one text fragment of `category`.
  static Draft draft_of(DataCategory category, std::string_view text) {
    Draft draft;
    draft.message_id = random_id();
    draft.pupil = test_pupil_binding();
    draft.thread_id = random_id();
    draft.fragments.push_back(
        {category, GuidanceDomain::none, "text/plain", SecretBytes::copy_of(view_of(text))});
    return draft;
  }
  // `approver` signs and registers its approval of `draft` to `to`, given at
  // `approved_at_ms`; the draft then names it.
  void approve(Draft& draft, const std::vector<MailboxEpochCertificate>& to,
               std::uint64_t approved_at_ms, const ExtraDevice& approver) {
    std::vector<Id> mailboxes;
    for (const auto& epoch : to) {
      mailboxes.push_back(epoch.mailbox_id);
    }
    const auto statement = approval_statement(draft, hub.org_id("clb"), mailboxes, approved_at_ms);
    const auto signed_approval =
        sign_approval(statement, approver.certificate, approver.signing).value();
    const auto registered = call_as(hub, approver, post("/v1/approvals", text_of(signed_approval)));
    EXPECT_EQ(registered.status, 201) << registered.body;
    draft.approvals = {signed_approval};
  }
  // The draft sealed by the social worker.
  std::vector<std::uint8_t> sealed(const Draft& draft,
                                   const std::vector<MailboxEpochCertificate>& to) {
    return seal(draft, {social_worker.certificate, social_worker.signing, ++sequence}, to, now_ms())
        .value();
  }
  HttpResponse send(const std::vector<std::uint8_t>& envelope) {
    return call_as(hub, social_worker, post("/v1/envelopes", text_of(envelope)));
  }
  static std::string notes_of(const HttpResponse& refused) {
    boost::system::error_code ec;
    const auto value = json::parse(refused.body, ec);
    const auto* notes = !ec && value.is_object() ? value.as_object().if_contains("notes") : nullptr;
    return notes != nullptr ? json::serialize(*notes) : std::string();
  }

  TempDir dir;
  // In this process, on a clock the test moves: certificate validity is judged by the hub's
  // clock, so an expiry is tested by moving it rather than by waiting for the machine's.
  InProcessHub served{dir.path()};
  DevHub hub{served.port(), served.pki()};
  MailboxEpochCertificate intake;
  Id consent{};
  ExtraDevice social_worker = enrol_device(hub, dir.path(), "clb", "clb_maatschappelijk_werker");
  ExtraDevice arts = enrol_device(hub, dir.path(), "clb", "clb_arts");
  std::uint64_t sequence = 0;
};

TEST_F(PolicyApprovalTest, AnApprovalOfARemovedDeviceNoLongerCounts) {
  const auto first = send(approved_referral(now_ms()));
  ASSERT_EQ(first.status, 201) << "the arts's approval counts: " << first.body;
  const auto second = approved_referral(now_ms());
  const auto removed = hub.remove_device("clb", arts.device_id);
  ASSERT_EQ(removed.status, 200) << removed.body;
  const auto refused = send(second);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_NE(notes_of(refused).find("no longer enrolled"), std::string::npos) << refused.body;
}

TEST_F(PolicyApprovalTest, AnApprovalOlderThanFourteenDaysNoLongerCounts) {
  constexpr std::uint64_t kDay = 24ULL * 3600 * 1000;
  const auto refused = send(approved_referral(now_ms() - 15 * kDay));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_NE(notes_of(refused).find("older than 14 days"), std::string::npos) << refused.body;
  EXPECT_EQ(send(approved_referral(now_ms() - 13 * kDay)).status, 201) << "13 days still count";
}

// Four-eyes compares persons, not devices: the social worker's second device is the same
// person, so its approval is their own.
// The sender carries the approval inside its envelope (envelope v2), so it fetches it from the
// hub: its own organisation may, no other, and an unknown id looks the same as another's.
TEST_F(PolicyApprovalTest, OnlyTheApproversOrganisationFetchesAnApprovalToCarryIt) {
  Draft draft = draft_of(DataCategory::preventieve_gezondheidszorg, "Groeicurve buigt af.");
  draft.consent_reference = consent;
  approve(draft, {intake}, now_ms(), arts);
  const auto id = parse_approval(draft.approvals.at(0)).value().statement.approval_id;
  const auto own = hub.call("clb", get("/v1/approvals/" + hex(id)));
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.body, text_of(draft.approvals.at(0)));
  const auto other = hub.call("caw", get("/v1/approvals/" + hex(id)));
  const auto unknown = hub.call("clb", get("/v1/approvals/" + hex(random_id())));
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(problem_slug(other), problem_slug(unknown));
}

// The pupil-key box a device opens: only the device itself fetches it, only its organisation's
// admin leaves one, and only for an enrolled device of that organisation.
TEST_F(PolicyApprovalTest, APupilKeyBoxIsForItsDeviceAndFromItsOwnAdmin) {
  const auto clb_device = hex(hub.keys("clb").device_id);
  const auto clb_admin = hex(hub.keys("clb", true).device_id);
  EXPECT_EQ(hub.call("clb", get("/v1/devices/" + clb_device + "/pupil-key")).status, 200);
  EXPECT_EQ(hub.call("clb", get("/v1/devices/" + clb_admin + "/pupil-key")).status, 404);
  EXPECT_EQ(hub.call("caw", get("/v1/devices/" + clb_device + "/pupil-key")).status, 404);
  const std::string box(kPupilKeyBoxSize, 'x');
  EXPECT_EQ(hub.call("clb", post("/v1/devices/" + clb_device + "/pupil-key", box)).status, 403)
      << "a staff device is no admin";
  EXPECT_EQ(hub.call("caw", post("/v1/devices/" + clb_device + "/pupil-key", box), true).status,
            404)
      << "another organisation's admin";
  EXPECT_EQ(
      hub.call("clb", post("/v1/devices/" + clb_device + "/pupil-key", box.substr(1)), true).status,
      422);
}

// The person's second device has the person's role: the hub refuses to certify a staff id with
// a second role (person_enrolment_itest.cpp), so the sender's own approval is refused here by
// the gate's comparison of persons, not by the approver's role.
TEST_F(PolicyApprovalTest, AnApprovalFromAnotherDeviceOfTheSenderDoesNotCount) {
  const auto second_device = enrol_device(hub, dir.path(), "clb", "clb_maatschappelijk_werker",
                                          ~std::uint64_t{0}, social_worker.staff_id);
  EXPECT_EQ(second_device.certificate.staff_id, social_worker.staff_id);
  const auto refused = send(approved_referral(now_ms(), second_device));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_NE(refused.body.find("needs_second_approval"), std::string::npos) << refused.body;
  EXPECT_NE(notes_of(refused).find("sender themselves"), std::string::npos) << refused.body;
  // The hub keeps the person the admin certified, not one the device asked for.
  const auto listed = hub.call("clb", get("/v1/devices/" + hex(second_device.device_id)));
  EXPECT_NE(listed.body.find(hex(social_worker.staff_id)), std::string::npos) << listed.body;
}

// R27: a report goes only to the pupil's school of enrolment, which the hub cannot check. The
// sender's `inschrijvingsschool` alone no longer opens the route: the CLB director approves.
TEST_F(PolicyApprovalTest, AnAttestedSchoolOfEnrolmentNeedsTheDirectorsApproval) {
  const std::vector<MailboxEpochCertificate> school = {hub.epoch_of(hub.mailbox_of("school"))};
  Draft draft = draft_of(DataCategory::verslag, "Verslag toegang gemeenschappelijk curriculum.");
  draft.attestations =
      static_cast<std::uint32_t>(policies::FlagSet{policies::Flag::inschrijvingsschool}.bits());
  const auto refused = send(sealed(draft, school));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_NE(refused.body.find("\"approval_role\":\"clb_directeur\""), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("needs_second_approval"), std::string::npos) << refused.body;

  const auto director = enrol_device(hub, dir.path(), "clb", "clb_directeur");
  approve(draft, school, now_ms(), director);
  const auto sent = send(sealed(draft, school));
  EXPECT_EQ(sent.status, 201) << "with the director's approval: " << sent.body;
}

TEST_F(PolicyApprovalTest, AnApprovalWhoseCertificateHasExpiredNoLongerCounts) {
  // Valid for another minute of the hub's time.
  const auto until = static_cast<std::uint64_t>(unix_ms(served.now()) / 1000 + 60);
  const auto short_lived = enrol_device(hub, dir.path(), "clb", "clb_arts", until);
  const auto counted = send(approved_referral(now_ms(), short_lived));
  EXPECT_EQ(counted.status, 201) << "while its certificate is valid it counts: " << counted.body;
  const auto envelope = approved_referral(now_ms(), short_lived);
  served.advance(std::chrono::minutes(2));
  const auto refused = send(envelope);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(notes_of(refused).find("not valid now"), std::string::npos) << refused.body;
}

// Forged second approvals are refused when they are handed to the hub (approval-invalid), and
// an envelope naming one gets needs_second_approval with nothing queued for the CAW.
TEST_F(PolicyApprovalTest, ForgedApprovalsAreRefusedAndCountForNothing) {
  Draft draft = draft_of(DataCategory::preventieve_gezondheidszorg, "Groeicurve buigt af.");
  draft.kind = MessageKind::doorverwijzing;
  draft.purpose = Purpose::doorverwijzing;
  draft.consent_reference = consent;
  const std::vector<Id> to{intake.mailbox_id};
  const auto statement = approval_statement(draft, hub.org_id("clb"), to, now_ms());
  const auto expect_invalid = [&](const ExtraDevice& caller,
                                  const std::vector<std::uint8_t>& approval,
                                  const std::string& what) {
    const auto answer = call_as(hub, caller, post("/v1/approvals", text_of(approval)));
    EXPECT_EQ(answer.status, 422) << what << ": " << answer.body;
    EXPECT_EQ(problem_slug(answer), "approval-invalid") << what;
  };
  // The social worker's own keys in a certificate that says clb_arts, issued by itself.
  DeviceCertificate self_issued = social_worker.certificate;
  self_issued.role = StaffRole::clb_arts;
  self_issued = issue(self_issued, SigningKey::generate());
  const auto forged = sign_approval(statement, self_issued, social_worker.signing).value();
  expect_invalid(social_worker, forged, "a self-issued clb_arts certificate");
  // The arts's genuine approval, handed in by another device of the organisation.
  const auto genuine = sign_approval(statement, arts.certificate, arts.signing).value();
  expect_invalid(social_worker, genuine, "another device's approval");
  // The arts's genuine approval, handed in by another organisation's device.
  const auto partner = enrol_device(hub, dir.path(), "caw", "partner_intake");
  expect_invalid(partner, genuine, "another organisation's device");

  draft.approvals = {forged};
  const auto refused = send(sealed(draft, {intake}));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("needs_second_approval"), std::string::npos) << refused.body;
  const auto queued = hub.json("caw", get("/v1/mailboxes/" + hex(intake.mailbox_id) + "/messages"));
  EXPECT_TRUE(queued.at("messages").as_array().empty()) << "something was queued for the CAW";
}

}  // namespace
}  // namespace draaischijf::testing
