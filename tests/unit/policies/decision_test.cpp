#include <gtest/gtest.h>

#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

using protocol::DataCategory;

TEST(DecisionTest, EmptyRuleSetDeniesEveryRequestWithTheDefaultRule) {
  const RuleSet rules;
  ASSERT_TRUE(rules.empty());
  Request request;
  request.sender_org_type = protocol::OrgType::clb;
  request.recipient_org_type = protocol::OrgType::caw;
  request.kind = protocol::MessageKind::doorverwijzing;
  request.categories.add(DataCategory::psychisch_sociaal);
  ConsentRecord consent;
  consent.giver = ConsentGiver::beiden;
  consent.recipient_org_types.add(protocol::OrgType::caw);
  consent.categories.add(DataCategory::psychisch_sociaal);
  consent.purposes.add(protocol::Purpose::begeleiding);
  request.consents.push_back(consent);
  const Decision decision = evaluate(rules, request);
  EXPECT_EQ(decision.outcome, Outcome::deny);
  ASSERT_EQ(decision.reasons.size(), 1U);
  EXPECT_EQ(decision.reasons[0].rule_id, "R00");
  EXPECT_FALSE(decision.reasons[0].nl.empty());
  EXPECT_FALSE(decision.reasons[0].en.empty());
  // The reserved version of the empty rule set (a rule file may not call itself "none").
  EXPECT_EQ(decision.policy_version, "none");
  EXPECT_TRUE(decision.duties.empty());
  EXPECT_TRUE(decision.consent_record_ids.empty());
}

TEST(DecisionTest, OutcomesHaveStableNames) {
  EXPECT_EQ(to_string(Outcome::allow), "allow");
  EXPECT_EQ(to_string(Outcome::deny), "deny");
  EXPECT_EQ(to_string(Outcome::needs_consent), "needs_consent");
  EXPECT_EQ(to_string(Outcome::needs_second_approval), "needs_second_approval");
  EXPECT_EQ(protocol::parse_name<Outcome>("needs_consent"), Outcome::needs_consent);
}

TEST(DecisionTest, PolicyNameTablesAreCompleteAndRoundTrip) {
  EXPECT_EQ(protocol::policy_flags().size(), kFlagCount);
  for (const auto& entry : protocol::policy_flags()) {
    EXPECT_EQ(protocol::parse_name<Flag>(entry.name), entry.value);
    EXPECT_EQ(protocol::name_of(entry.value), entry.name);
  }
  EXPECT_EQ(protocol::name_of(RecipientKind::ouders), "ouders");
  EXPECT_EQ(protocol::name_of(ConsentGiver::beiden), "beiden");
  EXPECT_EQ(protocol::name_of(ConsentChannel::digitaal), "digitaal");
  EXPECT_EQ(protocol::name_of(Competency::onbekwaam), "onbekwaam");
  EXPECT_EQ(protocol::name_of(ConsentSource::ouders_en_giver), "ouders_en_giver");
  EXPECT_EQ(protocol::name_of(Stage::additional), "additional");
}

TEST(DecisionTest, EvaluationIsDeterministicAndEvaluateIntoReusesADecision) {
  const auto cases = parse_case_table(testing::flemish_cases_text());
  ASSERT_TRUE(cases) << cases.error().message();
  const RuleSet& rules = testing::flemish_rules();
  Decision reused;
  for (const TestCase& test : *cases) {
    const Decision first = evaluate(rules, test.request);
    // The case table's own expectation, written by hand from the rule text: without it every
    // comparison below would hold for a wrong decision as long as it is always the same one.
    EXPECT_EQ(first.outcome, test.expect.outcome) << test.name;
    const Decision second = evaluate(rules, test.request);
    EXPECT_EQ(first, second) << test.name;
    evaluate_into(rules, test.request, reused);
    EXPECT_EQ(first, reused) << test.name;
    // A copy of the rule set decides the same.
    const RuleSet copy = rules;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(evaluate(copy, test.request), first) << test.name;
  }
}

TEST(DecisionTest, AllowCarriesTheLegalBasisAndDuties) {
  const auto request = parse_request(
      "date = 2026-03-10; born = 2012-05-01; sender = clb/clb_psycholoog; "
      "recipient = caw/partner_intake; kind = doorverwijzing; purpose = doorverwijzing; "
      "categories = psychisch_sociaal; consent = id=c9 giver=leerling to=caw "
      "categories=psychisch_sociaal purposes=doorverwijzing from=2026-01-01");
  ASSERT_TRUE(request);
  const Decision d = evaluate(testing::flemish_rules(), *request);
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.consent_record_ids, std::vector<std::string>{"c9"});
  ASSERT_EQ(d.duties.size(), 2U);
  EXPECT_EQ(d.duties[0].rule_id, "R05");
  EXPECT_EQ(d.duties[1].rule_id, "R08");
  EXPECT_FALSE(d.consent_from);
  EXPECT_EQ(d.policy_version, "2026.12.1");
  EXPECT_EQ(d.reasons.at(0).source, "W5 (DIJH art. 72, 74), W17; GK");
}

TEST(DecisionTest, UnknownWireCodesMatchNoRule) {
  Request request;
  request.sender_org_type = static_cast<protocol::OrgType>(200);
  request.recipient_org_type = protocol::OrgType::school;
  request.categories.add(DataCategory::handelingsgericht_advies);
  const Decision d = evaluate(testing::flemish_rules(), request);
  EXPECT_EQ(d.outcome, Outcome::deny);
  EXPECT_EQ(d.rule_ids(), std::vector<std::string>{"R00"});
}

}  // namespace
}  // namespace draaischijf::policies
