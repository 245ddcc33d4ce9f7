#pragma once

// The fixture of the browser tests of draaischijf ui: the real hub and the CLI profiles
// (CliScenario), `draaischijf ui` started for a profile, and one test of a script under
// tests/browser/ run with node, in which Playwright drives Debian's chromium headless against
// it. The harness passes the address the program printed and what else the test needs.
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {

class UiBrowser : public CliScenario {
 public:
  using Path = std::filesystem::path;

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
    const ProcessResult r =
        run_program(dir.path(), {"node", (Path(DRAAISCHIJF_BROWSER_DIR) / script).string(), name},
                    {.cwd = DRAAISCHIJF_BROWSER_DIR, .env = env});
    EXPECT_EQ(r.exit, 0) << r.out << r.err
                         << "\n(./setup.sh installs chromium, node and the tests' npm packages)";
  }

  std::vector<std::pair<pid_t, const Cli*>> started;
  /// The file of browser tests `browser` runs a test of.
  std::string script = "ui.browser.mjs";
};

}  // namespace draaischijf::testing
