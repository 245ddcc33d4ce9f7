// The daily path through the real hub: the CLB seals a doorverwijzing to the CAW intake, the
// CAW's device hears of it on /v1/stream, lists, fetches, opens it with its own keys and
// acknowledges it, and the CLB sees "delivered". Listing pages with a cursor.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;

class FlowTest : public ::testing::Test {
 protected:
  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(FlowTest, SubmitNotifyFetchOpenAcknowledgeAndTheSenderSeesDelivered) {
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  StreamClient stream(hub.client("caw"));
  ASSERT_TRUE(stream.upgraded());
  const auto hello = stream.next();
  ASSERT_EQ(hello.at("type").as_string(), "subscribed");
  ASSERT_EQ(hello.at("mailboxes").as_array().size(), 1U);
  EXPECT_EQ(hello.at("mailboxes").as_array()[0].as_string(), mailbox);

  const auto envelope = hub.seal_from("clb", {hub.epoch_of(intake)}, "Doorverwijzing voor Lotte",
                                      MessageKind::doorverwijzing);
  const auto submitted = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  const auto receipt = boost::json::parse(submitted.body).as_object();
  const auto sequence = receipt.at("sequence").as_int64();
  const std::string message_id(receipt.at("message_id").as_string());

  // Notified with ids only.
  const auto note = stream.next();
  ASSERT_EQ(note.at("type").as_string(), "message");
  EXPECT_EQ(note.at("mailbox_id").as_string(), mailbox);
  EXPECT_EQ(note.at("sequence").as_int64(), sequence);
  EXPECT_EQ(note.size(), 3U) << "a notification carries ids only";

  const auto listing = hub.json("caw", get("/v1/mailboxes/" + mailbox + "/messages"));
  const auto& messages = listing.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("message_id").as_string(), message_id);
  EXPECT_EQ(messages[0].at("sender_org").as_string(), hex(hub.org_id("clb")));
  EXPECT_EQ(messages[0].at("state").as_string(), "queued");

  const auto fetched =
      hub.call("caw", get("/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence)));
  ASSERT_EQ(fetched.status, 200);
  EXPECT_NE(fetched.head.find("application/octet-stream"), std::string::npos);
  EXPECT_EQ(bytes_of(fetched.body), envelope);
  auto opened = hub.open_as("caw", bytes_of(fetched.body));
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->fragments.size(), 1U);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(opened->fragments[0].body.data()),
                        opened->fragments[0].body.size()),
            "Doorverwijzing voor Lotte");
  EXPECT_EQ(opened->sender.org_id, hub.org_id("clb"));

  const std::string status_path = "/v1/envelopes/" + message_id + "/status";
  EXPECT_EQ(hub.json("clb", get(status_path)).at("recipients").as_array()[0].at("state"), "queued");
  const auto ack = hub.call(
      "caw",
      post("/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence) + "/ack", ""));
  ASSERT_EQ(ack.status, 200) << ack.body;
  const auto status = hub.json("clb", get(status_path));
  const auto& recipients = status.at("recipients").as_array();
  ASSERT_EQ(recipients.size(), 1U);
  EXPECT_EQ(recipients[0].at("mailbox_id").as_string(), mailbox);
  EXPECT_EQ(recipients[0].at("state").as_string(), "delivered");
  // Acknowledging again is harmless (clients retry).
  EXPECT_EQ(hub.call("caw", post("/v1/mailboxes/" + mailbox + "/messages/" +
                                     std::to_string(sequence) + "/ack",
                                 ""))
                .status,
            200);
}

// An idle stream and an idle keep-alive connection give their buffers back (TLS records, read
// buffers); both must go on working after each idle spell: pings are answered, a message is
// still notified, and a connection's next request (one larger than a TLS record) still read.
TEST_F(FlowTest, AStreamIdleAcrossPingsStillDeliversAndAnIdleConnectionStillServes) {
  const auto intake = hub.mailbox_of("caw");
  StreamClient stream(hub.client("caw"));
  ASSERT_TRUE(stream.upgraded());
  ASSERT_EQ(stream.next().at("type").as_string(), "subscribed");
  auto connection = hub.client("clb");
  for (const std::string payload : {"first idle spell", "second idle spell"}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(stream.ping(payload));
    EXPECT_EQ(stream.next_pong(), payload);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(connection->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    std::string answer;
    while (answer.find("{\"status\":\"ok\"}") == std::string::npos) {
      const std::string more = connection->read_some();
      ASSERT_FALSE(more.empty()) << "the idle connection was not served: " << answer;
      answer += more;
    }
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0U) << answer;
  }
  // 40 KiB of text: an envelope of several TLS records, on the connection that was idle.
  const auto envelope = hub.seal_from("clb", {hub.epoch_of(intake)}, std::string(40 * 1024, 'x'),
                                      MessageKind::doorverwijzing);
  ASSERT_TRUE(connection->send(post("/v1/envelopes", text_of(envelope))));
  std::string answer;
  while (answer.find("\r\n\r\n") == std::string::npos) {
    const std::string more = connection->read_some();
    ASSERT_FALSE(more.empty()) << "no answer to the envelope: " << answer;
    answer += more;
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 201", 0), 0U) << answer;
  const auto note = stream.next();
  ASSERT_EQ(note.at("type").as_string(), "message");
  EXPECT_EQ(note.at("mailbox_id").as_string(), intake.at("mailbox_id").as_string());
}

TEST_F(FlowTest, CursorPagingVisitsEveryMessageOnceInOrder) {
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  std::vector<std::int64_t> sequences;
  for (int i = 0; i < 5; ++i) {
    const auto envelope = hub.seal_from("clb", {hub.epoch_of(intake)}, "bericht");
    const auto response = hub.call("clb", post("/v1/envelopes", text_of(envelope)));
    ASSERT_EQ(response.status, 201);
    sequences.push_back(boost::json::parse(response.body).at("sequence").as_int64());
  }
  std::vector<std::int64_t> seen;
  std::string cursor = "0";
  for (int pages = 0; pages < 10; ++pages) {
    const auto page =
        hub.json("caw", get("/v1/mailboxes/" + mailbox + "/messages?after=" + cursor + "&limit=2"));
    for (const auto& m : page.at("messages").as_array()) {
      seen.push_back(m.at("sequence").as_int64());
    }
    if (page.at("next_after").is_null()) {
      break;
    }
    cursor = std::to_string(page.at("next_after").as_int64());
  }
  EXPECT_EQ(seen, sequences);
  const auto bad = hub.call("caw", get("/v1/mailboxes/" + mailbox + "/messages?limit=0"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit between 1 and 1000"), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing
