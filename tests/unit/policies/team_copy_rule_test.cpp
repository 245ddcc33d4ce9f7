// R37, the team's own copy: the request builder marks a recipient as the sender's own team only
// when the directory's facts say so (the sender's organisation, a general mailbox), and the
// bundled rules then allow the copy by R37 alone, whatever the content; a mailbox that is not
// the team's is judged as before.

#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/labels.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {
namespace {

class TeamCopyRuleTest : public ::testing::Test {
 protected:
  TeamCopyRuleTest() {
    labels.kind = protocol::MessageKind::consultatie;
    labels.purpose = protocol::Purpose::begeleiding;
    labels.categories.add(protocol::DataCategory::psychisch_sociaal);
    labels.pupil_pseudonym[0] = 0xAB;
  }
  Decision judge(const RecipientFacts& recipient) {
    return evaluate(rules, request_for(labels, sender, recipient, CivilDate{2026, 12, 7}));
  }

  RuleSet rules = parse_rule_set(bundled_rule_text()).value();
  protocol::OuterHeader labels;
  SenderFacts sender{protocol::OrgType::clb, protocol::random_id(),
                     protocol::StaffRole::clb_psycholoog, protocol::random_id()};
};

TEST_F(TeamCopyRuleTest, TheOwnGeneralMailboxIsTheTeamsCopyAndR37AllowsIt) {
  const RecipientFacts team{sender.org_id, protocol::OrgType::clb, std::nullopt};
  const auto request = request_for(labels, sender, team, CivilDate{2026, 12, 7});
  EXPECT_EQ(request.recipient_kind, RecipientKind::eigen_team);
  const auto decision = judge(team);
  EXPECT_EQ(decision.outcome, Outcome::allow);
  EXPECT_EQ(decision.rule_ids(), std::vector<std::string>{"R37"});
  EXPECT_TRUE(decision.consent_record_ids.empty());
}

TEST_F(TeamCopyRuleTest, AnotherOrganisationsGeneralMailboxIsNotTheTeams) {
  const RecipientFacts other{protocol::random_id(), protocol::OrgType::clb, std::nullopt};
  EXPECT_EQ(request_for(labels, sender, other, CivilDate{2026, 12, 7}).recipient_kind,
            RecipientKind::organisation);
  const auto decision = judge(other);
  EXPECT_NE(decision.outcome, Outcome::allow);
  const auto ids = decision.rule_ids();
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "R37"), ids.end());
}

TEST_F(TeamCopyRuleTest, AMailboxWithAFunctionIsJudgedByItsRole) {
  // Psychosocial content to the own onthaal: R02's need to know still refuses it.
  const RecipientFacts onthaal{sender.org_id, protocol::OrgType::clb,
                               protocol::StaffRole::clb_onthaal};
  EXPECT_EQ(request_for(labels, sender, onthaal, CivilDate{2026, 12, 7}).recipient_kind,
            RecipientKind::organisation);
  const auto decision = judge(onthaal);
  EXPECT_EQ(decision.outcome, Outcome::deny);
  EXPECT_EQ(decision.rule_ids(), std::vector<std::string>{"R02"});
}

TEST_F(TeamCopyRuleTest, AnUnknownSenderHasNoTeam) {
  sender.org_id = {};
  const RecipientFacts zero{protocol::Id{}, protocol::OrgType::clb, std::nullopt};
  EXPECT_EQ(request_for(labels, sender, zero, CivilDate{2026, 12, 7}).recipient_kind,
            RecipientKind::organisation);
}

}  // namespace
}  // namespace draaischijf::policies
