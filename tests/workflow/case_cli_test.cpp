// Onthaal triage with the draaischijf CLI against the real hub process: the school's signaal
// becomes a case the CLB takes on, tracks and closes with `case ...`; the school follows it with
// `signalen`; the director reads `report --csv` (docs/WORKFLOW.md, "Onthaal triage").

#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

using CaseCliTest = CliScenario;

TEST_F(CaseCliTest, FromSignaalToClosureWithTheSchoolFollowing) {
  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                  "leren_en_studeren=Leest traag, vraagt hulp."});
  const auto queue = clb.json_of({"cases"}).as_array();
  ASSERT_EQ(queue.size(), 1U);
  const std::string id = text_of(queue[0], "case_id");
  EXPECT_EQ(text_of(queue[0], "state"), "new");
  EXPECT_EQ(text_of(school.json_of({"signalen"}).as_array().at(0), "status"), "ontvangen");

  // Vraagverheldering before anyone has the case: refused, exit 1, with the reason.
  const auto early = clb({"case", "vraagverheldering", id});
  EXPECT_EQ(early.exit, 1);
  EXPECT_NE(early.err.find("The case is new; vraagverheldering is not allowed"), std::string::npos)
      << early.err;

  const std::string person = text_of(clb.json_of({"whoami"}), "person");
  EXPECT_EQ(text_of(clb.json_of({"case", "assign", id, "--to", person}), "state"), "assigned");
  EXPECT_EQ(text_of(clb.json_of({"case", "track", id, "diagnosis"}), "track"), "diagnosis");
  EXPECT_EQ(text_of(school.json_of({"signalen"}).as_array().at(0), "status"), "in_behandeling");
  EXPECT_EQ(text_of(clb.json_of({"case", "close", id, "--reason", "referred"}), "state"), "closed");
  EXPECT_EQ(text_of(school.json_of({"signalen"}).as_array().at(0), "status"), "afgerond");
  // The case's statements, verified by the client against the device's certificate.
  const auto shown = clb({"case", "show", id});
  EXPECT_EQ(shown.exit, 0) << shown.err;
  EXPECT_NE(shown.out.find("3 signed statements, each verified"), std::string::npos) << shown.out;
  // A usage error names what is wrong: exit 2.
  EXPECT_EQ(clb({"case", "close", id, "--reason", "tired"}).exit, 2);

  const auto csv = clb({"report", "--csv"});
  ASSERT_EQ(csv.exit, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("figure,detail,value\n", 0), 0U) << csv.out;
  EXPECT_NE(csv.out.find("working_days_to_closure,count,1\n"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("signalen," + orgs["school"] + ",1\n"), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find(id), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find(person), std::string::npos) << csv.out;
}

}  // namespace
}  // namespace draaischijf::testing
