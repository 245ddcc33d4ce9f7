#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

constexpr std::string_view kHeader = R"([ruleset]
name = test
version = 1
)";

std::string with_rule(std::string_view body) {
  return std::string(kHeader) + "\n[rule R01]\ntitle = t\nsource = s\n" + std::string(body);
}

TextError error_of(std::string_view text) {
  const auto parsed = parse_rule_set(text);
  EXPECT_FALSE(parsed) << "expected a refusal";
  return parsed ? TextError{} : parsed.error();
}

TEST(RuleParserTest, ParsesTheFlemishRuleSet) {
  const RuleSet& rules = testing::flemish_rules();
  EXPECT_EQ(rules.name(), "flemish-clb");
  EXPECT_EQ(rules.version(), "2026.12.1");
  EXPECT_FALSE(rules.empty());
  EXPECT_EQ(rules.settings().competency_age, 12);
  EXPECT_EQ(rules.settings().adult_age, 18);
  EXPECT_EQ(rules.settings().elp_consent, ConsentSource::ouders_en_giver);
  EXPECT_EQ(rules.settings().danger_approval_role, protocol::StaffRole::clb_directeur);
  const RuleInfo* r03 = rules.find("R03");
  ASSERT_NE(r03, nullptr);
  EXPECT_EQ(r03->stage, Stage::exception);
  EXPECT_EQ(r03->effect, "allow");
  EXPECT_EQ(r03->otherwise, "deny");
  EXPECT_EQ(r03->outcomes, (std::vector<Outcome>{Outcome::allow, Outcome::deny}));
  // Continuation lines are joined with one space.
  const RuleInfo* r30 = rules.find("R30");
  ASSERT_NE(r30, nullptr);
  EXPECT_NE(r30->en.find("end-to-end encrypted."), std::string::npos) << r30->en;
}

TEST(RuleParserTest, AMinimalRuleSetParses) {
  const auto parsed = parse_rule_set(
      with_rule("stage = consent\nwhen recipient_org in caw\neffect = consent giver\n"
                "nl = n\nen = e\n"));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->rules().size(), 1U);
}

TEST(RuleParserTest, ErrorsNameTheLineAndTheReason) {
  struct Case {
    std::string text;
    errc code;
    std::size_t line;
    std::string message;
  };
  const std::string ok_tail = "effect = allow\nnl = n\nen = e\n";
  const std::vector<Case> cases = {
      {"name = x\n", errc::missing_key, 1,
       "line 1: missing key: the file must start with [ruleset]"},
      {std::string(kHeader) + "[rules R1]\n", errc::unknown_section, 4,
       "line 4: unknown section: [rules]"},
      {std::string(kHeader) + "colour = blue\n", errc::unknown_key, 4,
       "line 4: unknown key: 'colour' in [ruleset]"},
      {with_rule("stage = refusal\nwhen recipient_org in cawx\n" + ok_tail), errc::unknown_name, 9,
       "line 9: unknown name: organisation type 'cawx'"},
      {with_rule("stage = refusal\nwhen recipient_org in @nope\n" + ok_tail), errc::unknown_name, 9,
       "line 9: unknown name: organisation type group '@nope'"},
      {with_rule("stage = refusal\nwhen recipient_org is caw\n" + ok_tail), errc::syntax, 9,
       "line 9: syntax error: operator 'is' for 'recipient_org'"},
      {with_rule("stage = refusal\nwhen colour in caw\n" + ok_tail), errc::unknown_key, 9,
       "line 9: unknown key: condition field 'colour'"},
      {with_rule("stage = sometimes\n" + ok_tail), errc::unknown_name, 8,
       "line 8: unknown name: stage 'sometimes'"},
      {with_rule("stage = refusal\neffect = maybe\nnl = n\nen = e\n"), errc::unknown_name, 9,
       "line 9: unknown name: effect 'maybe'"},
      {with_rule("stage = refusal\neffect = consent ouders sometimes\nnl = n\nen = e\n"),
       errc::unknown_name, 9, "line 9: unknown name: consent option 'sometimes'"},
      {with_rule("stage = refusal\n" + ok_tail + "nl = again\n"), errc::duplicate, 12,
       "line 12: duplicate: key 'nl'"},
      {with_rule("stage = refusal\neffect = allow\nnl = n\n"), errc::missing_key, 5,
       "line 5: missing key: rule R01 has no en"},
      {with_rule("stage = refusal\nrequire flags has verzet\n" + ok_tail), errc::missing_key, 5,
       "line 5: missing key: rule R01 has no otherwise_nl and otherwise_en (it has "
       "requirements)"},
      {with_rule("stage = refusal\notherwise = deny\n" + ok_tail), errc::misplaced, 5,
       "line 5: not allowed here: rule R01 has an otherwise but no 'require'"},
      {with_rule("stage = duty\neffect = allow\nnl = n\nen = e\n"), errc::misplaced, 5,
       "line 5: not allowed here: effect 'allow' in stage duty"},
      {with_rule("stage = consent\n" + ok_tail) + "[rule R02]\ntitle = t\nsource = s\n" +
           "stage = refusal\n" + ok_tail,
       errc::misplaced, 12,
       "line 12: not allowed here: rule R02 of stage refusal comes after a rule of stage "
       "consent"},
      {with_rule("stage = consent\n" + ok_tail) + "[rule R01]\n", errc::duplicate, 12,
       "line 12: duplicate: rule id 'R01'"},
      {std::string(kHeader) + "\n[rule R01]\n  continued\n", errc::syntax, 6,
       "line 6: syntax error: indented line continues nothing"},
      {with_rule("stage = refusal\n!!\n"), errc::syntax, 9,
       "line 9: syntax error: expected 'key = value' or a condition"},
      {std::string(kHeader) + "[settings]\ncompetency_age = twelve\n", errc::bad_value, 5,
       "line 5: bad value: competency_age must be a whole number of at most 120"},
      {std::string(kHeader) + "[groups]\norg a = caw\norg a = cgg\n", errc::duplicate, 6,
       "line 6: duplicate: group 'a'"},
      {with_rule("stage = consent\neffect = consent $nope\nnl = n\nen = e\n"), errc::unknown_name,
       9, "line 9: unknown name: setting '$nope'"},
      {with_rule("stage = consent\n" + ok_tail) + "[settings]\n", errc::misplaced, 12,
       "line 12: not allowed here: [settings] must come before the rules"},
      {std::string(kHeader), errc::missing_key, 3,
       "line 3: missing key: the rule set has no rules"},
  };
  for (const Case& c : cases) {
    const TextError error = error_of(c.text);
    EXPECT_EQ(error.code, c.code) << c.text;
    EXPECT_EQ(error.line, c.line) << c.text;
    EXPECT_EQ(error.message(), c.message) << c.text;
  }
}

TEST(RuleParserTest, ErrorCodesHaveFixedMessagesInTheirCategory) {
  const boost::system::error_code code = errc::unknown_name;
  EXPECT_STREQ(code.category().name(), "draaischijf.policies");
  EXPECT_EQ(code.message(), "unknown name");
}

TEST(RuleParserTest, ValueOnARefusalThrowsWithTheMessage) {
  const auto parsed = parse_rule_set("nothing");
  ASSERT_FALSE(parsed);
  EXPECT_THROW((void)parsed.value(), std::runtime_error);
}

TEST(RuleParserTest, SettingsChangeTheCompetencyAge) {
  const std::string text = std::string(kHeader) +
                           "[settings]\ncompetency_age = 14\n"
                           "[rule R06]\ntitle = t\nsource = s\nstage = consent\n"
                           "when recipient_org in caw\neffect = consent giver\nnl = n\nen = e\n";
  const auto rules = parse_rule_set(text);
  ASSERT_TRUE(rules) << rules.error().message();
  Request request;
  request.recipient_org_type = protocol::OrgType::caw;
  request.categories.add(protocol::DataCategory::psychisch_sociaal);
  request.date = *parse_date("2026-03-10");
  request.pupil.birth_date = parse_date("2013-01-01");  // 13
  EXPECT_EQ(evaluate(*rules, request).consent_from, ConsentGiver::ouders);
  request.pupil.birth_date = parse_date("2012-03-10");  // 14 today
  EXPECT_EQ(evaluate(*rules, request).consent_from, ConsentGiver::leerling);
}

}  // namespace
}  // namespace draaischijf::policies
