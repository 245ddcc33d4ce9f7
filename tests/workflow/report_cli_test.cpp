// The director's report with the CLI, against the hub process (docs/WORKFLOW.md 6, "Reports"):
// after the CAW accepted and started a referral, `report` and `report --csv` give the CAW's
// working days to `accepted` and to `started` as rows of their own, by organisation only.

#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

using ReportCliTest = CliScenario;

TEST_F(ReportCliTest, TheReportGivesThePartnersDaysToAcceptedAndToStartedAsRows) {
  const auto sent = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september."}));
  const std::string id = text_of(sent, "message_id");
  const std::string caw_org = orgs["caw"];
  // Before any answer the partner has no pace to report.
  const auto before = clb({"report", "--csv"});
  ASSERT_EQ(before.exit, 0) << before.err;
  EXPECT_EQ(before.out.find("partner_working_days_to_accepted"), std::string::npos) << before.out;

  ASSERT_EQ(caw({"referral", "status", id, "accepted"}).exit, 0);
  ASSERT_EQ(caw({"referral", "status", id, "started"}).exit, 0);
  const auto csv = clb({"report", "--csv"});
  ASSERT_EQ(csv.exit, 0) << csv.err;
  for (const std::string figure :
       {"partner_working_days_to_accepted", "partner_working_days_to_started"}) {
    EXPECT_NE(csv.out.find(figure + "," + caw_org + " count,1\n"), std::string::npos) << csv.out;
    EXPECT_NE(csv.out.find(figure + "," + caw_org + " median,"), std::string::npos) << csv.out;
    EXPECT_NE(csv.out.find(figure + "," + caw_org + " p90,"), std::string::npos) << csv.out;
  }
  EXPECT_NE(csv.out.find("waitlisted_at_partner," + caw_org + " count,0\n"), std::string::npos)
      << csv.out;
  EXPECT_EQ(csv.out.find(id), std::string::npos) << csv.out;
  const auto table = clb({"report"});
  ASSERT_EQ(table.exit, 0) << table.err;
  EXPECT_NE(table.out.find("partner_working_days_to_started"), std::string::npos) << table.out;
  // The partner's figures are the CLB's report, not the partner's: the CAW gets a refusal.
  EXPECT_EQ(caw({"report"}).exit, 1);
}

}  // namespace
}  // namespace draaischijf::testing
