// A hub that backdates when it received a message (to hide that it held it back, say) cannot
// make it look older than its sender signed it: a message created more than the allowed clock
// skew after the hub's received time is flagged `created_after_receipt`, never hidden.

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

TEST_F(TamperingTest, AMessageSignedAfterTheHubSaysItArrivedIsFlagged) {
  auto school = open_school();
  const auto send = [&] {
    const auto scan = dir.path() / "scan.bin";
    write_file(scan, view_of("het verslag\n"));
    return send_file_to_onthaal(school, scan, onthaal).message_id;
  };
  const auto honest = send();
  ASSERT_TRUE(device->sync());
  const auto backdated = send();
  const std::string listing = "/v1/mailboxes/" + protocol::hex_encode(onthaal) + "/messages?";
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind(listing, 0) == 0) {
      rewrite(reply, [](json::object& o) {
        for (auto& entry : o["messages"].as_array()) {
          auto& at = entry.as_object()["received_at_ms"];
          at = at.to_number<std::int64_t>() - 60 * 60 * 1000;  // an hour earlier
        }
      });
    }
  };
  ASSERT_TRUE(device->sync());
  *tamper = nullptr;
  const auto flagged = [](const client::InboxEntry& e) {
    return std::find(e.flags.begin(), e.flags.end(), "created_after_receipt") != e.flags.end();
  };
  int seen = 0;
  for (const auto& entry : device->inbox(false).value()) {
    if (entry.message_id == honest) {
      EXPECT_FALSE(flagged(entry)) << "an honest receipt time was flagged";
      ++seen;
    }
    if (entry.message_id == backdated) {
      EXPECT_TRUE(flagged(entry)) << "a receipt time an hour before the signature went unnoticed";
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace draaischijf::testing
