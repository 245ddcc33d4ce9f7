#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>

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
  const Decision decision = evaluate(rules, request);
  EXPECT_EQ(decision.outcome, Outcome::deny);
  ASSERT_EQ(decision.reasons.size(), 1U);
  EXPECT_EQ(decision.reasons[0].rule_id, "R00");
  EXPECT_FALSE(decision.reasons[0].nl.empty());
  EXPECT_FALSE(decision.reasons[0].en.empty());
  EXPECT_EQ(decision.policy_version, rules.version());
}

TEST(DecisionTest, OutcomesHaveStableNames) {
  EXPECT_EQ(to_string(Outcome::allow), "allow");
  EXPECT_EQ(to_string(Outcome::deny), "deny");
  EXPECT_EQ(to_string(Outcome::needs_consent), "needs_consent");
  EXPECT_EQ(to_string(Outcome::needs_second_approval), "needs_second_approval");
}

}  // namespace
}  // namespace draaischijf::policies
