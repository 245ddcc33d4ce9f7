// Second approvals through the real hub: an approval counts only while its approver device is
// still enrolled with the certificate it embeds, that certificate is valid, and the approval
// is younger than 14 days. A removed CLB-arts's approval, one whose certificate expired, or one
// given 15 days ago no longer lets medical data leave the CLB (R09); the refusal says why.

#include <thread>

#include <gtest/gtest.h>

#include <draaischijf/protocol/approval.hpp>

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
    Draft draft;
    draft.message_id = random_id();
    draft.kind = MessageKind::doorverwijzing;
    draft.purpose = Purpose::doorverwijzing;
    draft.consent_reference = consent;
    draft.pupil = test_pupil_binding();
    draft.thread_id = random_id();
    draft.fragments.push_back({DataCategory::preventieve_gezondheidszorg, GuidanceDomain::none,
                               "text/plain",
                               SecretBytes::copy_of(view_of("Groeicurve buigt af."))});
    const std::vector<Id> to = {intake.mailbox_id};
    const auto statement = approval_statement(draft, hub.org_id("clb"), to, approved_at_ms);
    const auto signed_approval =
        sign_approval(statement, approver.certificate, approver.signing).value();
    const auto registered = call_as(hub, approver, post("/v1/approvals", text_of(signed_approval)));
    EXPECT_EQ(registered.status, 201) << registered.body;
    draft.approvals = {signed_approval};
    return seal(draft, {social_worker.certificate, social_worker.signing, ++sequence},
                std::vector<MailboxEpochCertificate>{intake}, now_ms())
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
  DevHub hub{dir.path()};
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
  const auto removed =
      hub.call("clb", post("/v1/devices/" + hex(arts.device_id) + "/remove", ""), true);
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

TEST_F(PolicyApprovalTest, AnApprovalWhoseCertificateHasExpiredNoLongerCounts) {
  const auto until = now_ms() / 1000 + 3;
  const auto short_lived = enrol_device(hub, dir.path(), "clb", "clb_arts", until);
  const auto envelope = approved_referral(now_ms(), short_lived);
  while (now_ms() / 1000 <= until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto refused = send(envelope);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(notes_of(refused).find("not valid now"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace draaischijf::testing
