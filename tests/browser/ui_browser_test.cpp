// draaischijf ui in a real browser: each test starts the real hub and the CLI profiles
// (CliScenario), then the CLB's `draaischijf ui` process, and runs one test of ui.browser.mjs,
// in which Playwright drives Debian's chromium headless against it. The harness passes the
// address the program printed and, where the test needs it, what the school sends.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kHostile =
    "<script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" & 'single'";

class UiBrowser : public CliScenario {
 protected:
  void TearDown() override {
    for (const auto& [pid, cli] : started) {
      EXPECT_EQ(stop_program(pid), 0) << slurp(cli->output("ui", "err"));
    }
  }

  /// Starts `cli`'s web inbox; the one-time address it printed.
  std::string start_ui(const Cli& cli) {
    started.emplace_back(cli.start({"ui", "--no-browser"}, "ui"), &cli);
    constexpr std::string_view kLead = "Open (works once): ";
    std::string url;
    EXPECT_TRUE(eventually([&] {
      const auto out = slurp(cli.output("ui", "out"));
      const auto at = out.find(kLead);
      const auto end = at == std::string::npos ? at : out.find('\n', at);
      if (end == std::string::npos) {
        return false;
      }
      url = out.substr(at + kLead.size(), end - at - kLead.size());
      return true;
    })) << slurp(cli.output("ui", "err"));
    return url;
  }

  /// The school's signaal to the CLB onthaal with `text`, as the school's CLI command line.
  std::vector<std::string> school_signaal(std::string_view text) const {
    return {DRAAISCHIJF_CLI_BINARY,
            "--profile",
            school.profile().string(),
            "--key-file",
            (dir.path() / "school.key").string(),
            "send",
            "signaal",
            "--to",
            onthaal,
            "--pupil",
            "school-leerling-7",
            "--text",
            "leren_en_studeren=" + std::string(text)};
  }

  void send_signaal(std::string_view text) const {
    const auto argv = school_signaal(text);
    const auto sent = run_program(dir.path(), argv);
    ASSERT_EQ(sent.exit, 0) << sent.err;
  }

  /// Runs the browser test `name` with the CLB's web inbox (UI_URL) and, for `with_school`,
  /// the school's (SCHOOL_URL); its output on failure.
  void browser(const std::string& name, std::vector<std::pair<std::string, std::string>> env = {},
               bool with_school = false, const Cli* whose = nullptr) {
    env.emplace_back("UI_URL", start_ui(whose != nullptr ? *whose : clb));
    if (with_school) {
      env.emplace_back("SCHOOL_URL", start_ui(school));
    }
    const ProcessResult r = run_program(
        dir.path(), {"node", (fs::path(DRAAISCHIJF_BROWSER_DIR) / "ui.browser.mjs").string(), name},
        {.cwd = DRAAISCHIJF_BROWSER_DIR, .env = env});
    EXPECT_EQ(r.exit, 0) << r.out << r.err
                         << "\n(./setup.sh installs chromium, node and the tests' npm packages)";
  }

  std::vector<std::pair<pid_t, const Cli*>> started;
};

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
