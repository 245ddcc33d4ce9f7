// The benchmark's measurement switches (core/bench_switch.hpp) exist only in bench builds: in
// every other build, the one CI tests and the release, the environment cannot switch the policy
// gate or the transparency logs off.

#include "core/bench_switch.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

namespace draaischijf::server {
namespace {

constexpr const char* kVariable = "DRAAISCHIJF_BENCH_SWITCH_TEST";

TEST(BenchSwitch, OnlyABenchBuildReadsTheEnvironment) {
  ASSERT_EQ(setenv(kVariable, "off", 1), 0);
#ifdef DRAAISCHIJF_BENCH_SWITCHES
  EXPECT_TRUE(bench_switched_off(kVariable, "bench.test_off"));
#else
  EXPECT_FALSE(bench_switched_off(kVariable, "bench.test_off"));
#endif
  ASSERT_EQ(setenv(kVariable, "on", 1), 0);
  EXPECT_FALSE(bench_switched_off(kVariable, "bench.test_off"));
  ASSERT_EQ(unsetenv(kVariable), 0);
  EXPECT_FALSE(bench_switched_off(kVariable, "bench.test_off"));
}

}  // namespace
}  // namespace draaischijf::server
