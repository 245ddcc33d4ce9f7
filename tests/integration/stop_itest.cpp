// A graceful stop of the real hub process (SIGTERM), with requests caught half-way: /readyz
// answers not-ready while the hub stops, a submission in flight is finished and acknowledged,
// and after a restart on the same data that envelope is there, opens, and is known as a replay.
//
// A request is caught half-way without a sleep: one write carries a whole keep-alive request
// and the start of the next, so once the first answer is in, the hub holds the partial second
// request in its buffer and is reading the rest (not idle, so the stop does not cut it off).

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

constexpr std::string_view kHealth = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

// Sends a keep-alive /healthz and `partial` together and waits for the /healthz answer.
void hold_half_a_request(TlsClient& connection, const std::string& partial) {
  ASSERT_TRUE(connection.send(std::string(kHealth) + partial));
  const std::string answer = connection.read_some();
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0U) << answer;
}

// The rest of a request, then everything until the hub closes the connection.
std::string finish_and_read(TlsClient& connection, const std::string& rest) {
  EXPECT_TRUE(connection.send(rest));
  std::string answer;
  for (std::string more = connection.read_some(); !more.empty(); more = connection.read_some()) {
    answer += more;
  }
  return answer;
}

TEST(HubStopTest, ReadyzSaysStoppingWhileTheHubStops) {
  TempDir dir;
  DevHub hub(dir.path());
  auto connection = hub.client("clb");
  hold_half_a_request(*connection, "GET /readyz HTTP/1.1\r\nHost: loc");
  hub.process().send_signal(SIGTERM);
  ASSERT_TRUE(hub.process().wait_for_event("stopping", 1));
  const std::string answer = finish_and_read(*connection, "alhost\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0U) << answer;
  EXPECT_NE(answer.find(R"({"status":"stopping"})"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(hub.process().terminate(), 0);
}

TEST(HubStopTest, ASubmissionInFlightFinishesOnSigtermAndIsThereAfterARestart) {
  TempDir dir;
  auto hub = std::make_unique<DevHub>(dir.path());
  const auto intake = hub->mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const auto envelope = hub->seal_from("clb", {hub->epoch_of(intake)}, "in flight at the stop",
                                       MessageKind::doorverwijzing);
  const std::string request = post("/v1/envelopes", text_of(envelope));
  const std::size_t half = request.find("\r\n\r\n") + 4 + envelope.size() / 2;

  auto connection = hub->client("clb");
  hold_half_a_request(*connection, request.substr(0, half));
  hub->process().send_signal(SIGTERM);
  ASSERT_TRUE(hub->process().wait_for_event("stopping", 1));
  const std::string answer = finish_and_read(*connection, request.substr(half));
  ASSERT_EQ(answer.rfind("HTTP/1.1 201", 0), 0U) << "the request in flight was cut off: " << answer;
  const auto accepted = boost::json::parse(answer.substr(answer.find("\r\n\r\n") + 4));
  const std::int64_t sequence = accepted.at("sequence").as_int64();
  EXPECT_EQ(hub->process().terminate(), 0);
  EXPECT_NE(hub->process().log_text().find("\"event\":\"stopped\""), std::string::npos);
  hub.reset();

  // A new hub process on the same data directory.
  hub = std::make_unique<DevHub>(dir.path());
  const auto listing =
      hub->json("caw", get("/v1/mailboxes/" + mailbox + "/messages"))["messages"].as_array();
  ASSERT_EQ(listing.size(), 1U);
  EXPECT_EQ(listing.at(0).at("sequence").as_int64(), sequence);
  const auto fetched =
      hub->call("caw", get("/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence)));
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body, text_of(envelope)) << "not the bytes acknowledged before the stop";
  auto opened = hub->open_as("caw", bytes_of(fetched.body));
  ASSERT_TRUE(opened) << opened.error().message();
  const auto replay = hub->call("clb", post("/v1/envelopes", text_of(envelope)));
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(boost::json::parse(replay.body).at("sequence").as_int64(), sequence);
}

}  // namespace
}  // namespace draaischijf::testing
