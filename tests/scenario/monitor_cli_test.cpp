// `draaischijf admin monitor` with the real hub and the real CLI: the organisation admin replays
// the directory log; the deployment's first epochs, made before this profile kept its record,
// alert (exit 4, one line each saying why) until acknowledged; a rotation the admin made itself
// does not alert; the next run starts where the last one stopped.

#include <gtest/gtest.h>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

using MonitorCliTest = CliScenario;

TEST_F(MonitorCliTest, TheAdminSeesItsEntriesAndAnAlertForEachEpochItsDevicesDidNotMake) {
  const auto first = clb_admin({"admin", "monitor"});
  EXPECT_EQ(first.exit, 4) << first.out << first.err;
  EXPECT_NE(first.out.find("ok    #"), std::string::npos) << "the organisation key: " << first.out;
  EXPECT_NE(first.out.find("ALERT #"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("why: signed by this organisation's key but not made on this device"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.err.find("did not make"), std::string::npos) << first.err;

  // The admins checked them: acknowledged by index, they no longer alert.
  const auto listed = clb_admin({"--json", "admin", "monitor"});
  EXPECT_EQ(listed.exit, 0) << "a second run replays nothing new: " << listed.out;
  std::string::size_type at = 0;
  std::vector<std::string> acknowledge = {"admin", "monitor"};
  while ((at = first.out.find("ALERT #", at)) != std::string::npos) {
    at += 7;
    acknowledge.push_back("--acknowledge");
    acknowledge.push_back(first.out.substr(at, first.out.find(' ', at) - at));
  }
  const auto acknowledged = clb_admin(acknowledge);
  EXPECT_EQ(acknowledged.exit, 0) << acknowledged.out << acknowledged.err;

  // A rotation by this admin is its own: listed, no alert.
  ASSERT_EQ(clb_admin({"admin", "rotate", onthaal}).exit, 0);
  const auto own = clb_admin.json_of({"admin", "monitor"});
  const auto& entries = own.as_object().at("entries").as_array();
  ASSERT_EQ(entries.size(), 1U) << own;
  EXPECT_EQ(text_of(entries[0], "subject"), onthaal);
  EXPECT_FALSE(entries[0].as_object().at("alert").as_bool());

  // Usage: an index that is not one.
  EXPECT_EQ(clb_admin({"admin", "monitor", "--acknowledge", "x"}).exit, 2);
}

}  // namespace
}  // namespace draaischijf::testing
