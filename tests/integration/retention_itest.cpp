// Retention through the real API (docs/POLICY.md, section 11): an in-process hub with the
// development deployment and a manual clock, real TLS clients. A message every recipient
// acknowledged is gone after the settled period (410 message-purged, the sender's status still
// says delivered and when the ciphertext went); one nobody fetched expires (410
// message-expired for the recipient, `expired` in the sender's status and on its stream);
// /metrics counts both.

#include <gtest/gtest.h>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

constexpr std::chrono::hours kDay{24};

class RetentionApiTest : public ::testing::Test {
 protected:
  // The CLB sends to the CAW's intake; returns (message id, sequence).
  std::pair<std::string, std::int64_t> send_to_caw() {
    const auto envelope =
        dev.seal_from("clb", {dev.epoch_of(intake)}, "Doorverwijzing", MessageKind::doorverwijzing);
    const auto submitted = dev.call("clb", post("/v1/envelopes", text_of(envelope)));
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    const auto receipt = boost::json::parse(submitted.body).as_object();
    return {std::string(receipt.at("message_id").as_string()), receipt.at("sequence").as_int64()};
  }
  std::string message_path(std::int64_t sequence) {
    return "/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence);
  }
  std::uint64_t purged_metric(const std::string& what) {
    const auto metrics = dev.call("clb", get("/metrics"));
    EXPECT_EQ(metrics.status, 200) << metrics.body;
    const std::string line = "draaischijf_retention_purged_total{what=\"" + what + "\"} ";
    const auto at = metrics.body.find(line);
    EXPECT_NE(at, std::string::npos) << metrics.body;
    return at == std::string::npos ? 0 : std::stoull(metrics.body.substr(at + line.size()));
  }

  TempDir dir;
  InProcessHub served{dir.path()};
  DevHub dev{served.port(), served.pki()};
  boost::json::object intake = dev.mailbox_of("caw");
  std::string mailbox{intake.at("mailbox_id").as_string()};
};

TEST_F(RetentionApiTest, AnAcknowledgedMessageIsGoneAfterTheSettledPeriodAndTheStatusSaysSo) {
  const auto [message_id, sequence] = send_to_caw();
  ASSERT_EQ(dev.call("caw", get(message_path(sequence))).status, 200);
  ASSERT_EQ(dev.call("caw", post(message_path(sequence) + "/ack", "")).status, 200);

  served.advance(6 * kDay);
  EXPECT_EQ(served.hub().purge_now().envelopes, 0U);
  EXPECT_EQ(dev.call("caw", get(message_path(sequence))).status, 200);

  served.advance(kDay + std::chrono::minutes(1));
  EXPECT_EQ(served.hub().purge_now().envelopes, 1U);

  const auto gone = dev.call("caw", get(message_path(sequence)));
  EXPECT_EQ(gone.status, 410);
  EXPECT_NE(gone.body.find("urn:draaischijf:problem:message-purged"), std::string::npos)
      << gone.body;
  // Acknowledging again stays harmless; the listing no longer offers it.
  EXPECT_EQ(dev.call("caw", post(message_path(sequence) + "/ack", "")).status, 200);
  const auto listing = dev.json("caw", get("/v1/mailboxes/" + mailbox + "/messages"));
  EXPECT_TRUE(listing.at("messages").as_array().empty());

  auto status = dev.json("clb", get("/v1/envelopes/" + message_id + "/status"));
  EXPECT_EQ(status.at("recipients").as_array()[0].at("state"), "delivered");
  ASSERT_TRUE(status.contains("purged_at_ms")) << boost::json::serialize(status);
  EXPECT_EQ(purged_metric("envelopes"), 1U);
}

TEST_F(RetentionApiTest, AnUnfetchedMessageExpiresAndTheSenderHearsOfIt) {
  StreamClient stream(dev.client("clb"));
  ASSERT_TRUE(stream.upgraded());
  ASSERT_EQ(stream.next().at("type").as_string(), "subscribed");
  const auto [message_id, sequence] = send_to_caw();

  served.advance(31 * kDay);
  EXPECT_EQ(served.hub().purge_now().expired, 1U);

  // The sender's own mailbox hears of it: ids only.
  const auto notice = stream.next();
  ASSERT_EQ(notice.at("type").as_string(), "expired") << boost::json::serialize(notice);
  EXPECT_EQ(notice.at("mailbox_id").as_string(), mailbox);
  EXPECT_EQ(notice.at("message_id").as_string(), message_id);
  EXPECT_EQ(notice.at("sequence").as_int64(), sequence);
  EXPECT_EQ(notice.size(), 4U);

  auto status = dev.json("clb", get("/v1/envelopes/" + message_id + "/status"));
  EXPECT_EQ(status.at("recipients").as_array()[0].at("state"), "expired");
  const auto late = dev.call("caw", get(message_path(sequence)));
  EXPECT_EQ(late.status, 410);
  EXPECT_NE(late.body.find("urn:draaischijf:problem:message-expired"), std::string::npos)
      << late.body;
  EXPECT_EQ(dev.call("caw", post(message_path(sequence) + "/ack", "")).status, 410);
  EXPECT_EQ(purged_metric("expired"), 1U);
}

}  // namespace
}  // namespace draaischijf::testing
