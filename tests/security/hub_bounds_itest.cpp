// The fixed bounds of server/README.md ("Fixed: ..."), each at its edge against the real hub
// process: a JSON body of 1 MiB is read and one byte more is refused unread (400
// malformed-request), and a WebSocket client message of 4 KiB is taken while one byte more
// ends the stream with close code 1009 (message too big).

#include <gtest/gtest.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

// A JSON object of exactly `size` bytes with none of the fields an enrolment needs.
std::string padded_object(std::size_t size) {
  const std::string open = R"({"padding":")";
  const std::string close = R"("})";
  return open + std::string(size - open.size() - close.size(), 'p') + close;
}

std::string detail_of(const HttpResponse& response) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(response.body, ec);
  const auto* detail = !ec && doc.is_object() ? doc.as_object().if_contains("detail") : nullptr;
  return detail != nullptr && detail->is_string() ? std::string(detail->as_string()) : "";
}

TEST(HubBounds, AJsonBodyOfOneMebibyteIsReadAndOneByteMoreIsRefused) {
  TempDir dir;
  DevHub hub(dir.path());
  // 1 MiB: parsed, and then refused for what it lacks.
  const auto read = hub.call("clb", post("/v1/enrolments", padded_object(kMiB)));
  EXPECT_EQ(read.status, 400) << read.body.substr(0, 300);
  EXPECT_NE(detail_of(read).find("signing_key"), std::string::npos) << read.body.substr(0, 300);
  // One byte more: refused as a body, before it is parsed.
  const auto refused = hub.call("clb", post("/v1/enrolments", padded_object(kMiB + 1)));
  EXPECT_EQ(refused.status, 400) << refused.body.substr(0, 300);
  EXPECT_NE(refused.body.find("urn:draaischijf:problem:malformed-request"), std::string::npos);
  EXPECT_NE(detail_of(refused).find("1 MiB"), std::string::npos) << refused.body.substr(0, 300);
  EXPECT_EQ(detail_of(refused).find("signing_key"), std::string::npos) << "it was parsed";
}

TEST(HubBounds, AWebSocketMessageOfFourKibibytesIsTakenAndOneByteMoreEndsTheStream) {
  TempDir dir;
  DevHub hub(dir.path());
  const auto intake = hub.mailbox_of("caw");
  StreamClient within(hub.client("caw"));
  ASSERT_TRUE(within.upgraded());
  ASSERT_EQ(within.next().at("type"), "subscribed");
  ASSERT_TRUE(within.send_text(std::string(4096, 'w')));
  // Still served: the next envelope for the intake is announced on it.
  ASSERT_EQ(hub.call("clb", post("/v1/envelopes",
                                 text_of(hub.seal_from("clb", {hub.epoch_of(intake)}, "bericht"))))
                .status,
            201);
  const auto announced = within.next();
  ASSERT_NE(announced.if_contains("type"), nullptr)
      << "the stream ended after a 4 KiB message; close code " << within.close_code().value_or(0);
  EXPECT_EQ(announced.at("type"), "message");

  StreamClient beyond(hub.client("caw"));
  ASSERT_TRUE(beyond.upgraded());
  ASSERT_EQ(beyond.next().at("type"), "subscribed");
  ASSERT_TRUE(beyond.send_text(std::string(4097, 'w')));
  EXPECT_TRUE(beyond.next().empty()) << "a message over 4 KiB was taken";
  EXPECT_EQ(beyond.close_code(), 1009) << "no close frame saying the message is too big";
}

}  // namespace
}  // namespace draaischijf::testing
