// The web inbox with 5,000 messages in Debian's chromium, against the same page with 50 in the
// same run (tools/bench-ui.sh runs it; docs/BENCHMARKS.md has the figures). The real hub and
// profiles of the scenario fixture; the school's messages go through the hub, the CLB's device
// fetches them and reads a third; then the CLB's `draaischijf ui --no-browser` is started and
// ui_inbox.bench.mjs (Playwright, as the browser tests use it) times the first paint of the
// list and the opening of a message, over several runs. First with the baseline's messages,
// then, after the rest arrived, with all of them.
//
//   ui_inbox_bench [--messages N] [--baseline N] [--runs R]   (defaults 5000, 50, 11)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "busy_inbox.hpp"
#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

int g_messages = 5000;
int g_baseline = 50;
int g_runs = 11;

class UiInboxBench : public UiBrowser {
 protected:
  // One school sends thousands of messages within minutes, far above the rate per organisation
  // a hub allows by default: raised, as tools/bench-hub.sh raises it for its load generator.
  void SetUp() override {
    UiBrowser::SetUp();
    const auto port = hub->port();
    ASSERT_EQ(hub->terminate(), 0);
    hub = std::make_unique<HubProcess>(
        dir.path(), config(port) + "[limits]\nrate_per_org = 1000000.0\nrate_burst = 1000000.0\n");
  }

  /// Starts the CLB's web inbox, runs the browser's measurement as `label`, stops the program.
  void measure(const std::string& label, const std::string& baseline_file = {}) {
    const std::string out = (dir.path() / ("ui-inbox-" + label + ".json")).string();
    std::vector<std::pair<std::string, std::string>> env = {{"UI_URL", start_ui(clb)},
                                                            {"LABEL", label},
                                                            {"RUNS", std::to_string(g_runs)},
                                                            {"OUT", out}};
    if (!baseline_file.empty()) {
      env.emplace_back("BASELINE", baseline_file);
    }
    const ProcessResult r = run_program(
        dir.path(), {"node", (Path(DRAAISCHIJF_BENCH_DIR) / "ui_inbox.bench.mjs").string()},
        {.cwd = DRAAISCHIJF_BENCH_DIR, .env = env});
    EXPECT_EQ(r.exit, 0) << r.err;
    std::fputs(r.out.c_str(), stdout);
    std::fflush(stdout);
    EXPECT_EQ(stop_program(started.back().first), 0);
    started.pop_back();
    last_file = out;
  }

  std::string last_file;
};

TEST_F(UiInboxBench, FirstPaintAndOpeningAgainstASmallInbox) {
  fill_busy_inbox(school, clb, onthaal, 0, g_baseline);
  measure(std::to_string(g_baseline));
  const std::string baseline_file = last_file;
  fill_busy_inbox(school, clb, onthaal, g_baseline, g_messages - g_baseline);
  measure(std::to_string(g_messages), baseline_file);
}

}  // namespace
}  // namespace draaischijf::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; i += 2) {
    const int value = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--messages") == 0) {
      draaischijf::testing::g_messages = value;
    } else if (std::strcmp(argv[i], "--baseline") == 0) {
      draaischijf::testing::g_baseline = value;
    } else if (std::strcmp(argv[i], "--runs") == 0) {
      draaischijf::testing::g_runs = value;
    } else {
      std::fprintf(stderr, "ui_inbox_bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (draaischijf::testing::g_baseline <= 0 ||
      draaischijf::testing::g_messages <= draaischijf::testing::g_baseline ||
      draaischijf::testing::g_runs <= 0) {
    std::fprintf(stderr, "ui_inbox_bench: need 0 < --baseline < --messages and --runs > 0\n");
    return 2;
  }
  return RUN_ALL_TESTS();
}
