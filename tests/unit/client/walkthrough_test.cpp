#include <sstream>

#include <gtest/gtest.h>

#include <draaischijf/client/walkthrough.hpp>
#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::client {
namespace {

TEST(WalkthroughTest, EveryStepHoldsAndThePlaintextIsNeverPrintedAsASecret) {
  std::ostringstream out;
  EXPECT_EQ(run_walkthrough(out), 0) << out.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("Every check held."), std::string::npos);
  EXPECT_EQ(text.find("FAILED"), std::string::npos);
  EXPECT_NE(text.find("and reads the doorverwijzing sent before it joined"), std::string::npos);
  EXPECT_EQ(text.find("AGE-SECRET-KEY-1"), std::string::npos);
}

// The certificates and the envelope are dated by the clock it is given, not the machine's: on a
// clock years ahead every check still holds (each certificate is valid from that "now").
TEST(WalkthroughTest, RunsOnTheClockItIsGiven) {
  const protocol::ManualClock clock{protocol::from_unix_ms(4'102'444'800'000)};  // 2100-01-01
  std::ostringstream out;
  EXPECT_EQ(run_walkthrough(out, clock), 0) << out.str();
  EXPECT_NE(out.str().find("Every check held."), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::client
