// R06 in both directions (docs/POLICY.md, R06): the partner's feedback to the CLB on a referral
// it received rides under the consent the referral was sent under, when the hub's referral
// record links them (Request::answers_referral); without that link, or with a consent that was
// not for a referral, feedback still needs a consent of its own.

#include <string>

#include <gtest/gtest.h>

#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

// The CAW's feedback to the CLB about a 16-year-old, under the consent given.
Request feedback(std::string_view purposes, bool answers_referral) {
  const std::string text =
      "date = 2026-03-10; born = 2010-01-01; sender = caw/partner_hulpverlener; "
      "recipient = clb/clb_psycholoog; kind = terugkoppeling; purpose = terugkoppeling; "
      "categories = psychisch_sociaal; consent = id=c1 giver=leerling to=caw "
      "categories=psychisch_sociaal purposes=" +
      std::string(purposes) + " from=2026-01-01";
  auto request = parse_request(text);
  EXPECT_TRUE(request) << (request ? "" : request.error().message());
  Request out = request ? *request : Request{};
  out.answers_referral = answers_referral;
  return out;
}

TEST(ReferralConsentTest, FeedbackOnAReferralPassesUnderTheReferralsConsent) {
  const Decision d = evaluate(testing::flemish_rules(), feedback("doorverwijzing", true));
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.consent_record_ids, std::vector<std::string>{"c1"});
  // A consultation's consent likewise covers the partner's answer to it.
  EXPECT_EQ(evaluate(testing::flemish_rules(), feedback("consultatie", true)).outcome,
            Outcome::allow);
}

TEST(ReferralConsentTest, FeedbackWithoutAReferralRelationStillNeedsItsOwnConsent) {
  const Decision d = evaluate(testing::flemish_rules(), feedback("doorverwijzing", false));
  EXPECT_EQ(d.outcome, Outcome::needs_consent);
  ASSERT_EQ(d.consent_notes.size(), 1U);
  EXPECT_EQ(d.consent_notes[0].mismatch, ConsentMismatch::purpose_not_covered);
  // A consent for guidance was no referral's: the link does not widen it.
  EXPECT_EQ(evaluate(testing::flemish_rules(), feedback("begeleiding", true)).outcome,
            Outcome::needs_consent);
}

TEST(ReferralConsentTest, TheRuleSetDecides) {
  std::string text = testing::flemish_rules_text();
  const std::string on = "consent_covers_referral_answers = yes";
  const auto at = text.find(on);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, on.size(), "consent_covers_referral_answers = no");
  const auto rules = parse_rule_set(text);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_FALSE(rules->settings().consent_covers_referral_answers);
  EXPECT_EQ(evaluate(*rules, feedback("doorverwijzing", true)).outcome, Outcome::needs_consent);
}

}  // namespace
}  // namespace draaischijf::policies
