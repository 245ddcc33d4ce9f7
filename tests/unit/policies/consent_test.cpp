#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

using protocol::DataCategory;
using protocol::OrgType;
using protocol::Purpose;

ConsentRecord record(ConsentGiver giver, OrgType to) {
  ConsentRecord r;
  r.id = "c1";
  r.giver = giver;
  r.recipient_org_types.add(to);
  r.categories.add(DataCategory::psychisch_sociaal);
  r.purposes.add(Purpose::doorverwijzing);
  r.valid_from = *parse_date("2026-01-01");
  return r;
}

PupilFacts born(std::string_view date) {
  PupilFacts pupil;
  pupil.birth_date = parse_date(date);
  return pupil;
}

std::vector<ConsentIssue> issues(const ConsentCheck& check) {
  std::vector<ConsentIssue> out;
  for (const auto& problem : check.problems) {
    out.push_back(problem.issue);
  }
  return out;
}

const CivilDate kDate = *parse_date("2026-03-10");

TEST(ValidateConsentTest, TheGiverIsDerivedOnTheRegistrationDate) {
  const RuleSet& rules = testing::flemish_rules();
  // Turns 12 on the registration date: the pupil decides.
  EXPECT_TRUE(validate_consent(rules, record(ConsentGiver::leerling, OrgType::caw),
                               born("2014-03-10"), kDate)
                  .valid());
  EXPECT_EQ(issues(validate_consent(rules, record(ConsentGiver::ouders, OrgType::caw),
                                    born("2014-03-10"), kDate)),
            std::vector{ConsentIssue::giver_should_be_pupil});
  // The day before: the parents decide.
  const auto by_pupil = validate_consent(rules, record(ConsentGiver::leerling, OrgType::caw),
                                         born("2014-03-11"), kDate);
  EXPECT_EQ(issues(by_pupil), std::vector{ConsentIssue::giver_should_be_parents});
  EXPECT_EQ(by_pupil.problems[0].rule_id, "R32");
  EXPECT_TRUE(
      validate_consent(rules, record(ConsentGiver::ouders, OrgType::caw), born("2014-03-11"), kDate)
          .valid());
  // Both is always enough.
  EXPECT_TRUE(
      validate_consent(rules, record(ConsentGiver::beiden, OrgType::caw), born("2014-03-11"), kDate)
          .valid());
}

TEST(ValidateConsentTest, AtEighteenTheAssessmentOfAMinorLapses) {
  const RuleSet& rules = testing::flemish_rules();
  PupilFacts pupil = born("2008-03-11");
  pupil.competency = Competency::onbekwaam;
  EXPECT_TRUE(
      validate_consent(rules, record(ConsentGiver::ouders, OrgType::cgg), pupil, kDate).valid());
  pupil.birth_date = parse_date("2008-03-10");
  EXPECT_EQ(
      issues(validate_consent(rules, record(ConsentGiver::ouders, OrgType::cgg), pupil, kDate)),
      std::vector{ConsentIssue::giver_should_be_pupil});
  pupil.adult_incompetent = true;
  EXPECT_TRUE(
      validate_consent(rules, record(ConsentGiver::ouders, OrgType::cgg), pupil, kDate).valid());
}

TEST(ValidateConsentTest, ElpNeedsTheParentsAlsoFromTwelve) {
  const RuleSet& rules = testing::flemish_rules();
  const auto elp = OrgType::eerstelijnspsycholoog;
  EXPECT_EQ(issues(validate_consent(rules, record(ConsentGiver::leerling, elp), born("2011-01-01"),
                                    kDate)),
            std::vector{ConsentIssue::parents_required});
  EXPECT_EQ(
      issues(validate_consent(rules, record(ConsentGiver::ouders, elp), born("2011-01-01"), kDate)),
      std::vector{ConsentIssue::pupil_required});
  EXPECT_TRUE(validate_consent(rules, record(ConsentGiver::beiden, elp), born("2011-01-01"), kDate)
                  .valid());
  EXPECT_TRUE(validate_consent(rules, record(ConsentGiver::ouders, elp), born("2016-01-01"), kDate)
                  .valid());
}

TEST(ValidateConsentTest, StructuralProblems) {
  const RuleSet& rules = testing::flemish_rules();
  ConsentRecord blank;
  blank.giver = ConsentGiver::ouders;
  blank.valid_from = *parse_date("2026-01-01");
  EXPECT_EQ(issues(validate_consent(rules, blank, born("2016-01-01"), kDate)),
            std::vector{ConsentIssue::blank_scope});

  auto reversed = record(ConsentGiver::ouders, OrgType::caw);
  reversed.valid_until = parse_date("2025-12-31");
  EXPECT_EQ(issues(validate_consent(rules, reversed, born("2016-01-01"), kDate)),
            (std::vector{ConsentIssue::dates_reversed, ConsentIssue::not_valid_on_date}));

  auto revoked = record(ConsentGiver::ouders, OrgType::caw);
  revoked.revoked = true;
  EXPECT_EQ(issues(validate_consent(rules, revoked, born("2016-01-01"), kDate)),
            std::vector{ConsentIssue::already_revoked});

  EXPECT_EQ(issues(validate_consent(rules, record(ConsentGiver::ouders, OrgType::caw), PupilFacts{},
                                    kDate)),
            std::vector{ConsentIssue::age_unknown});
  EXPECT_EQ(protocol::name_of(ConsentIssue::blank_scope), "blank_scope");
}

}  // namespace
}  // namespace draaischijf::policies
