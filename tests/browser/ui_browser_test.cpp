// draaischijf ui in a real browser: each test starts the real hub and the CLI profiles
// (CliScenario), then the CLB's `draaischijf ui` process, and runs one test of ui.browser.mjs,
// in which Playwright drives Debian's chromium headless against it. The harness passes the
// address the program printed and, where the test needs it, what the school sends.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kHostile =
    "<script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" & 'single'";

TEST_F(UiBrowser, TheOneTimeAddressGivesAStrictCookieAndIsThenRefused) { browser("token"); }

TEST_F(UiBrowser, ThePageHasTheCspAndRunsNoInlineScript) { browser("csp"); }

TEST_F(UiBrowser, MarkupInAMessageIsShownAsText) {
  send_signaal(kHostile);
  browser("hostile", {{"HOSTILE", std::string(kHostile)}});
}

TEST_F(UiBrowser, TheSchoolsSignaalAppearsWithoutReloading) {
  json::array argv;
  for (const auto& word : school_signaal("Leest traag, vraagt hulp.")) {
    argv.emplace_back(word);
  }
  browser("live", {{"SCHOOL_SEND", json::serialize(argv)}});
}

TEST_F(UiBrowser, TheSchoolRaisesASignaalFromThePageAndTheClbSeesItLive) {
  browser("compose", {}, true);
}

TEST_F(UiBrowser, ARefusedSendShowsTheReasonsAndSendsNothing) {
  browser("refused", {}, true);
  EXPECT_TRUE(inbox(caw, true).empty());
  EXPECT_TRUE(inbox(clb, true).empty());
}

// The CLB refers the pupil to the CAW with a PDF; the CAW downloads it from its page, as the
// bytes the CLB sent (checked against the signed hash by the program before the browser saw
// them), under a safe file name.
TEST_F(UiBrowser, ThePartnerDownloadsTheVerifiedAttachment) {
  const auto pdf = dir.path() / "verslag <1>.pdf";
  const std::string bytes = "%PDF-1.4\n% een klein verslag\n%%EOF\n";
  write_file(pdf, view_of(bytes));
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                             "doorverwijzing", "--text", "psychisch_sociaal=Zie verslag.", "--file",
                             "diagnostiek=" + pdf.string() + "@application/pdf"}));
  browser("download", {{"EXPECTED_FILE", pdf.string()}}, false, &caw);
}

TEST_F(UiBrowser, LockNowAsksAgainAndTheKeyFileUnlocks) { browser("lock"); }

TEST_F(UiBrowser, AMessageOpensWithTheKeyboardOnly) {
  send_signaal("Leest traag.");
  browser("keyboard");
}

TEST_F(UiBrowser, DutchByDefaultEnglishOnRequestAndAccessible) {
  send_signaal("Leest traag.");
  browser("language");
}

}  // namespace
}  // namespace draaischijf::testing
