// validate_consent() bounds a consent record's free text and lists and refuses text that is
// not display safe, naming the field, before it judges anything else.

#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

ConsentRecord valid_record() {
  ConsentRecord r;
  r.id = "c1";
  r.giver = ConsentGiver::ouders;
  r.capacity = "moeder";
  r.competency_basis = "jonger dan 12";
  r.recipient_org_types.add(protocol::OrgType::caw);
  r.categories.add(protocol::DataCategory::psychisch_sociaal);
  r.purposes.add(protocol::Purpose::doorverwijzing);
  r.valid_from = *parse_date("2026-01-01");
  return r;
}

std::vector<std::string> fields(const ConsentCheck& check) {
  std::vector<std::string> out;
  for (const auto& problem : check.problems) {
    EXPECT_EQ(problem.issue, ConsentIssue::field_invalid);
    out.push_back(problem.field);
  }
  return out;
}

ConsentCheck check(const ConsentRecord& record) {
  PupilFacts pupil;
  pupil.birth_date = parse_date("2016-01-01");
  return validate_consent(testing::flemish_rules(), record, pupil, *parse_date("2026-03-10"));
}

TEST(ConsentFieldsTest, ControlAndBidiCharactersAreRefusedNamingTheField) {
  EXPECT_TRUE(check(valid_record()).valid());
  auto r = valid_record();
  r.capacity = "moeder\r\n\x1b[2J";
  r.competency_basis = "team\xE2\x80\xAE";
  r.recorded_by = "a\tb";
  EXPECT_EQ(fields(check(r)),
            (std::vector<std::string>{"capacity", "competency_basis", "recorded_by"}));
}

TEST(ConsentFieldsTest, LengthsAndListsAreBounded) {
  auto r = valid_record();
  r.capacity = std::string(kConsentTextMax, 'm');
  r.competency_basis = std::string(kConsentBasisMax, 'b');
  r.recipient_org_ids.resize(kConsentOrganisationsMax);
  EXPECT_TRUE(check(r).valid()) << "at the bounds";
  r.capacity += "m";
  r.competency_basis += "b";
  r.recipient_org_ids.emplace_back();
  r.id = std::string(1'000'000, 'x');
  EXPECT_EQ(fields(check(r)),
            (std::vector<std::string>{"consent_id", "capacity", "competency_basis",
                                      "scope.organisations"}));
}

}  // namespace
}  // namespace draaischijf::policies
