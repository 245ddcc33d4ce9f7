// The second-approval queue in a real browser (approvals.browser.mjs): the CLB's social worker
// composes a medical fragment to the CAW on their page, is told the CLB-arts must approve and
// asks; the CLB-arts, on a second `draaischijf ui` with their own profile, sees exactly the text
// and approves or declines; approved, the social worker sends and the CAW reads it. The CLI
// says afterwards what reached the CAW.
#include <gtest/gtest.h>

#include "approval_fixture.hpp"
#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

class ApprovalsBrowser : public WithApprovers<UiBrowser> {
 protected:
  ApprovalsBrowser() { script = "approvals.browser.mjs"; }

  void play(const std::string& name, const std::string& file = {}) {
    const std::string arts_url = start_ui(arts);
    browser(name,
            {{"ARTS_URL", arts_url},
             {"PUPIL", std::string(kPupil)},
             {"CONSENT", consent},
             {"INTAKE", intake},
             {"TEXT", std::string(kText)},
             {"REASON", "Eerst de ouders horen over de groeicurve."},
             {"ATTACH_FILE", file}},
            false, &worker);
  }
};

TEST_F(ApprovalsBrowser, TheArtsApprovesExactlyTheTextAndTheCawReadsIt) {
  play("approve");
  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  EXPECT_EQ(text_of(at_caw[0], "sender_role"), "clb_maatschappelijk_werker");
  const auto read =
      caw.json_of({"read", std::to_string(at_caw[0].as_object().at("sequence").as_int64())});
  EXPECT_NE(boost::json::serialize(read).find(kText), std::string::npos) << read;
}

// The draft's file goes with the request: the arts downloads exactly it, approves, and the CAW
// receives the message with that file.
TEST_F(ApprovalsBrowser, TheArtsApprovesTheDraftsFileAndTheCawReceivesIt) {
  const auto chart = dir.path() / "groeicurve.pdf";
  const std::string bytes = "%PDF-1.4\n% groeicurve 2016-2026\n%%EOF\n";
  write_file(chart, view_of(bytes));
  play("file", chart.string());
  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  caw.json_of({"read", std::to_string(at_caw[0].as_object().at("sequence").as_int64()), "--save",
               (dir.path() / "caw-files").string()});
  EXPECT_EQ(slurp(dir.path() / "caw-files" / "groeicurve.pdf"), bytes);
}

TEST_F(ApprovalsBrowser, ADeclineReachesTheSocialWorkerAndNothingLeaves) {
  play("decline");
  EXPECT_TRUE(inbox(caw).empty());
}

}  // namespace
}  // namespace draaischijf::testing
