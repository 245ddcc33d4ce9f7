#include <sstream>

#include <gtest/gtest.h>

#include <draaischijf/client/walkthrough.hpp>

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

}  // namespace
}  // namespace draaischijf::client
