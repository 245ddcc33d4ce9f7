#include <gtest/gtest.h>

#include <draaischijf/policies/case_table.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

using testing::flemish_cases_text;
using testing::flemish_rules;

TEST(CaseTableTest, FlemishCaseTablePasses) {
  const auto report = run_case_table(flemish_rules(), flemish_cases_text());
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_GE(report->results.size(), 90U);
  EXPECT_TRUE(report->ok()) << report->text();
}

TEST(CaseTableTest, EveryRuleIsCoveredOnEachSide) {
  const auto cases = parse_case_table(flemish_cases_text());
  ASSERT_TRUE(cases) << cases.error().message();
  const auto coverage = check_coverage(flemish_rules(), *cases);
  EXPECT_TRUE(coverage.complete()) << coverage.text();
}

TEST(CaseTableTest, EveryTableRuleR01ToR32IsInTheRuleFile) {
  for (int n = 0; n <= 32; ++n) {
    const std::string id = (n < 10 ? "R0" : "R") + std::to_string(n);
    EXPECT_NE(flemish_rules().find(id), nullptr) << id;
  }
}

TEST(CaseTableTest, EveryRuleHasSourceAndBothLanguages) {
  for (const RuleInfo& rule : flemish_rules().rules()) {
    EXPECT_FALSE(rule.source.empty()) << rule.id;
    EXPECT_FALSE(rule.nl.empty()) << rule.id;
    EXPECT_FALSE(rule.en.empty()) << rule.id;
    if (!rule.otherwise.empty()) {
      EXPECT_FALSE(rule.otherwise_nl.empty()) << rule.id;
      EXPECT_FALSE(rule.otherwise_en.empty()) << rule.id;
    }
  }
}

constexpr std::string_view kOneCase = R"([case ouders-12]
date       = 2026-03-10
born       = 2014-03-10
sender     = clb/clb_psycholoog
recipient  = caw
purpose    = doorverwijzing
categories = psychisch_sociaal
expect     = allow
rules      = R06, R08
consent_from = ouders
)";

TEST(CaseTableTest, AFailingCaseShowsAReadableDiff) {
  const auto report = run_case_table(flemish_rules(), kOneCase);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->results.size(), 1U);
  EXPECT_FALSE(report->ok());
  const std::string text = report->text();
  EXPECT_NE(text.find("FAIL  ouders-12 (line 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("outcome: expected allow, got needs_consent"), std::string::npos) << text;
  EXPECT_NE(text.find("rules: expected R06, R08, got R06"), std::string::npos) << text;
  EXPECT_NE(text.find("consent_from: expected ouders, got leerling"), std::string::npos) << text;
  EXPECT_NE(text.find("1 cases: 0 passed, 1 failed (policy flemish-clb "), std::string::npos);
}

TEST(CaseTableTest, ContrastFailsWhenTheRuleDecides) {
  const auto report = run_case_table(flemish_rules(), R"([case c]
date = 2026-03-10
sender = clb/clb_pedagoog
recipient = school
categories = handelingsgericht_advies
expect = allow
rules = R03
contrast = R03
)");
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_NE(report->text().find("contrast R03"), std::string::npos) << report->text();
}

TEST(CaseTableTest, CaseTableErrorsNameTheLine) {
  const auto missing = parse_case_table("[case a]\ndate = 2026-03-10\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::missing_key);
  EXPECT_EQ(missing.error().line, 1U);

  const auto bad_flag =
      parse_case_table("[case a]\ndate = 2026-03-10\nflags = spijbelen, spijbel\n");
  ASSERT_FALSE(bad_flag);
  EXPECT_EQ(bad_flag.error().code, errc::unknown_name);
  EXPECT_EQ(bad_flag.error().line, 3U);
  EXPECT_EQ(bad_flag.error().message(), "line 3: unknown name: flag 'spijbel'");

  const auto bad_date = parse_case_table("[case a]\ndate = 2026-02-30\n");
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().code, errc::bad_date);
  EXPECT_EQ(bad_date.error().line, 2U);

  const auto duplicate = parse_case_table(std::string(kOneCase) + std::string(kOneCase));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, errc::duplicate);
  EXPECT_EQ(duplicate.error().line, 11U);
}

TEST(RequestSyntaxTest, ParsesACommandLineRequestWithSemicolons) {
  const auto request = parse_request(
      "date = 2026-03-10; born = 2012-05-01; sender = clb/clb_psycholoog; "
      "recipient = caw/partner_intake; kind = doorverwijzing; purpose = doorverwijzing; "
      "categories = psychisch_sociaal, doorverwijzing; flags = schoolvraag; "
      "consent = id=c1 giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2026-01-01; approval = clb_arts by=a1");
  ASSERT_TRUE(request) << request.error().message();
  EXPECT_EQ(request->recipient_org_type, protocol::OrgType::caw);
  EXPECT_EQ(request->recipient_role, protocol::StaffRole::partner_intake);
  EXPECT_TRUE(request->categories.contains(protocol::DataCategory::doorverwijzing));
  EXPECT_TRUE(request->flags.contains(Flag::schoolvraag));
  ASSERT_EQ(request->consents.size(), 1U);
  EXPECT_EQ(request->consents[0].giver, ConsentGiver::leerling);
  EXPECT_TRUE(request->consents[0].recipient_org_types.contains(protocol::OrgType::caw));
  ASSERT_EQ(request->approvals.size(), 1U);
  EXPECT_EQ(request->approvals[0].approver, "a1");
}

TEST(RequestSyntaxTest, RefusesExpectationKeysAndUnknownKeys) {
  const auto with_expect =
      parse_request("date = 2026-03-10; sender = clb/clb_arts; recipient = caw; expect = allow");
  ASSERT_FALSE(with_expect);
  EXPECT_EQ(with_expect.error().code, errc::unknown_key);
  const auto no_role = parse_request("date = 2026-03-10; sender = clb; recipient = caw");
  ASSERT_FALSE(no_role);
  EXPECT_EQ(no_role.error().code, errc::bad_value);
}

TEST(ExplainTest, ShowsOutcomeReasonsSourcesAndVersion) {
  const auto request = parse_request(
      "date = 2026-03-10; born = 2016-01-01; sender = clb/clb_verpleegkundige; "
      "recipient = huisarts; purpose = doorverwijzing; categories = vaccinatie");
  ASSERT_TRUE(request);
  const Decision decision = evaluate(flemish_rules(), *request);
  const std::string text = explain(decision);
  EXPECT_NE(text.find("needs_second_approval"), std::string::npos) << text;
  EXPECT_NE(text.find("clb_arts"), std::string::npos) << text;
  EXPECT_NE(text.find("[R06]"), std::string::npos) << text;
  EXPECT_NE(text.find("[R09]"), std::string::npos) << text;
  EXPECT_NE(text.find("bron/source: W5"), std::string::npos) << text;
  EXPECT_NE(text.find("de ouders of de voogd"), std::string::npos) << text;
  EXPECT_NE(text.find("2026.12.1"), std::string::npos) << text;
}

}  // namespace
}  // namespace draaischijf::policies
