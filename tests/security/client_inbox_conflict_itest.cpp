// A lying hub delivers a corrupted copy of a message first, under the genuine message's id and
// at an earlier hub sequence, then the genuine message. The first copy must not hide the second:
// both are kept, both carry the `conflict` flag, the genuine one still opens, and the CLI shows
// the flag.

#include <gtest/gtest.h>

#include "process.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

bool has_flag(const client::InboxEntry& entry, std::string_view flag) {
  return std::find(entry.flags.begin(), entry.flags.end(), flag) != entry.flags.end();
}

TEST_F(TamperingTest, ACorruptedFirstCopyDoesNotHideTheGenuineMessage) {
  const auto scan = dir.path() / "scan.bin";
  write_file(scan, view_of("het verslag\n"));
  auto school = open_school();
  std::vector<Id> sent_ids;
  for (int i = 0; i < 2; ++i) {
    sent_ids.push_back(send_file_to_onthaal(school, scan, onthaal).message_id);
  }
  const std::string messages = "/v1/mailboxes/" + protocol::hex_encode(onthaal) + "/messages";
  // First the hub lists only the second message and the stand-in keeps its envelope; the
  // fetch fails, so nothing is stored and the cursor stays.
  std::string genuine;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind(messages + "?", 0) == 0) {
      rewrite(reply, [](json::object& o) {
        auto& listed = o["messages"].as_array();
        listed.erase(listed.begin(), listed.end() - 1);
      });
    } else if (target.rfind(messages + "/", 0) == 0) {
      genuine = reply.body;
      reply.status = 500;
    }
  };
  ASSERT_FALSE(device->sync());
  ASSERT_FALSE(genuine.empty());
  // Then the first sequence is served a corrupted copy of the second message, and the second
  // sequence the genuine one.
  bool corrupted_served = false;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (!corrupted_served && target.rfind(messages + "/", 0) == 0 &&
        target.find("/ack") == std::string::npos) {
      reply.body = genuine;
      auto& byte = reply.body[reply.body.size() * 3 / 4];  // in the sealed body
      byte = static_cast<char>(byte ^ 0x01);
      corrupted_served = true;
    }
  };
  const auto report = device->sync();
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_TRUE(corrupted_served);
  ASSERT_EQ(report->arrived.size(), 2U);
  EXPECT_TRUE(has_flag(report->arrived[1], "conflict")) << "the sync did not report the conflict";
  *tamper = nullptr;
  const auto inbox = device->inbox(false).value();
  std::vector<client::InboxEntry> copies;
  std::copy_if(inbox.begin(), inbox.end(), std::back_inserter(copies),
               [&](const auto& e) { return e.message_id == sent_ids[1]; });
  ASSERT_EQ(copies.size(), 2U) << "the genuine copy was dropped";
  EXPECT_FALSE(copies[0].problem.empty()) << "the corrupted copy verified";
  EXPECT_TRUE(copies[1].problem.empty()) << copies[1].problem;
  EXPECT_TRUE(has_flag(copies[0], "conflict"));
  EXPECT_TRUE(has_flag(copies[1], "conflict"));
  EXPECT_TRUE(device->read(copies[1].mailbox_id, copies[1].sequence));

  const auto listed =
      run_program(dir.path(), {DRAAISCHIJF_CLI_BINARY, "--profile", (dir.path() / "clb").string(),
                               "--key-file", (dir.path() / "clb.key").string(), "inbox", "--all"});
  EXPECT_EQ(listed.exit, 0) << listed.err;
  EXPECT_NE(listed.out.find("!conflict"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace draaischijf::testing
