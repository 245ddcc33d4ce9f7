// The real hub process over real TLS on 127.0.0.1: submission with a signed receipt, replay,
// the client-certificate checks that run before any handler, limits and request-smuggling
// defences, health and metrics, and a graceful stop.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "dev_hub.hpp"
#include "independent_checks.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;

class HubTest : public ::testing::Test {
 protected:
  // A doorverwijzing from the CLB to the CAW intake, with a plaintext canary.
  std::vector<std::uint8_t> referral() {
    return hub.seal_from("clb", {hub.epoch_of(hub.mailbox_of("caw"))}, "CANARY-e2e-plaintext",
                         MessageKind::doorverwijzing);
  }
  std::unique_ptr<TlsClient> client(const std::string& slug) { return hub.client(slug); }

  TempDir dir;
  DevHub hub{dir.path(), "[limits]\nmax_connections = 64\n"};
  std::filesystem::path pki = hub.pki;
};

TEST_F(HubTest, AcceptedEnvelopeGetsASignedReceiptAndAReplayGetsTheSameOne) {
  const auto envelope = referral();
  const auto first = client("clb")->exchange(post("/v1/envelopes", text_of(envelope)));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  const auto body = boost::json::parse(first->body).as_object();
  const auto receipt_bytes = base64_decode(std::string(body.at("receipt").as_string())).value();
  const auto receipt = parse_receipt(receipt_bytes).value();
  const auto seed_bytes = read_file(dir / "data" / "hub-signing.key");
  ASSERT_EQ(seed_bytes.size(), 32U);
  const auto hub_key = SigningKey::from_seed(
      SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed_bytes.data(), 32)));
  EXPECT_TRUE(verify(receipt, hub_key.public_key()));
  // The hub and this test share the protocol library: check its signature and envelope hash
  // against 8.3 and 8.4 computed here with libsodium alone.
  EXPECT_TRUE(independent_receipt_signature_ok(receipt_bytes, hub_key.public_key()));
  EXPECT_EQ(receipt.envelope_hash, independent_envelope_hash(envelope));
  EXPECT_EQ(receipt.sequence, static_cast<std::uint64_t>(body.at("sequence").as_int64()));
  // It names the policy's decision for the one recipient: R06 under the test consent.
  ASSERT_EQ(receipt.decided.decisions.size(), 1U);
  EXPECT_EQ(receipt.decided.decisions[0].mailbox_id,
            hub.epoch_of(hub.mailbox_of("caw")).mailbox_id);
  EXPECT_EQ(receipt.decided.decisions[0].rule_ids, "R06");
  EXPECT_EQ(receipt.decided.decisions[0].legal_basis, "consent:" + hex(hub.pupil_consent()));

  const auto replay = client("clb")->exchange(post("/v1/envelopes", text_of(envelope)));
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 409);
  const auto again = boost::json::parse(replay->body).as_object();
  EXPECT_EQ(again.at("sequence"), body.at("sequence"));
  EXPECT_TRUE(again.at("duplicate").as_bool());
  EXPECT_EQ(again.at("receipt"), body.at("receipt")) << "the original decisions, signed alike";
}

TEST_F(HubTest, EnvelopeNamingAnotherOrganisationIsRefused) {
  const auto response = client("school")->exchange(post("/v1/envelopes", text_of(referral())));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_NE(response->body.find("urn:draaischijf:problem:sender-mismatch"), std::string::npos);
  EXPECT_NE(response->body.find("title_nl"), std::string::npos);
}

TEST_F(HubTest, PlaintextNeverReachesTheDatabaseOrTheLog) {
  ASSERT_EQ(client("clb")->exchange(post("/v1/envelopes", text_of(referral())))->status, 201);
  ASSERT_EQ(hub.process().terminate(), 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "data")) {
    if (entry.is_regular_file()) {
      const auto bytes = read_file(entry.path());
      EXPECT_EQ(text_of(bytes).find("CANARY-e2e-plaintext"), std::string::npos) << entry.path();
    }
  }
  EXPECT_EQ(hub.process().log_text().find("CANARY"), std::string::npos);
}

TEST_F(HubTest, OversizedHeaderGets431) {
  const std::string big(9000, 'a');
  const auto response =
      client("clb")->exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + big +
                              "\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_NE(response->head.find("X-Request-Id: "), std::string::npos)
      << "a transport refusal names its request too";
}

TEST_F(HubTest, RequestSmugglingShapesAreRefused) {
  const auto both = client("clb")->exchange(
      "POST /v1/envelopes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 400);
  EXPECT_NE(both->body.find("urn:draaischijf:problem:malformed-request"), std::string::npos);
  const auto not_chunked = client("clb")->exchange(
      "POST /v1/envelopes HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n"
      "Connection: close\r\n\r\n");
  ASSERT_TRUE(not_chunked);
  EXPECT_EQ(not_chunked->status, 400);
  const auto old = client("clb")->exchange(
      "POST /v1/envelopes HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 400);
}

TEST_F(HubTest, AKnownPathWithAnotherMethodGets405WithTheAllowedMethods) {
  const auto response =
      client("clb")->exchange("DELETE /v1/mailboxes/" + std::string(32, '0') +
                              "/messages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_NE(response->head.find("Allow: GET"), std::string::npos) << response->head;
  EXPECT_NE(response->body.find("method-not-allowed"), std::string::npos);
}

TEST_F(HubTest, HealthAndMetricsAnswer) {
  hub.restart(metrics_devices_line({hub.device_folder("clb")}));  // /metrics is operator-only
  const auto health = client("clb")->exchange(get("/healthz"));
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto metrics = client("clb")->exchange(get("/metrics"));
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("draaischijf_requests_total "), std::string::npos);
  EXPECT_NE(metrics->body.find("# TYPE draaischijf_connections_open gauge"), std::string::npos);
  const auto missing = client("clb")->exchange(get("/v1/nothing-here"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HubTest, SigtermStopsCleanlyAndTheDataSurvives) {
  ASSERT_EQ(client("clb")->exchange(post("/v1/envelopes", text_of(referral())))->status, 201);
  EXPECT_EQ(hub.process().terminate(), 0);
  EXPECT_NE(hub.process().log_text().find("\"event\":\"stopped\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "hub.db-wal") &&
               std::filesystem::file_size(dir / "data" / "hub.db-wal") > 0)
      << "the WAL was not checkpointed";
}

// Without the wake-up on stop the hub waits ten seconds for idle connections to go away, and
// says so in its log: the test reads that, not the time the stop took.
TEST_F(HubTest, SigtermClosesIdleConnectionsAndStreamsWithoutWaitingForThem) {
  auto idle = client("clb");
  ASSERT_TRUE(idle->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_NE(idle->read_some().find(R"({"status":"ok"})"), std::string::npos);
  StreamClient stream(client("caw"));
  ASSERT_TRUE(stream.upgraded());
  ASSERT_EQ(stream.next().at("type"), "subscribed");

  EXPECT_EQ(hub.process().terminate(), 0);
  EXPECT_EQ(hub.process().count_events("stop.drain_timed_out"), 0U)
      << "the hub waited for its idle connections:\n"
      << hub.process().log_text();
  EXPECT_EQ(hub.process().count_events("stopped"), 1U);
  EXPECT_TRUE(idle->closed_by_peer());
  EXPECT_TRUE(stream.next().empty()) << "the stream did not end";
  EXPECT_EQ(stream.close_code(), 1001) << "no close frame with going_away (RFC 6455 7.4.1)";
}

}  // namespace
}  // namespace draaischijf::testing

namespace draaischijf::testing {
namespace {

class HubLimitsTest : public ::testing::Test {
 protected:
  void start(const std::string& limits, const std::string& server_lines = "") {
    hub = std::make_unique<HubProcess>(dir.path(), "[server]\nlisten_port = 0\ndata_dir = \"" +
                                                       (dir / "data").string() + "\"\n" +
                                                       server_lines + "[limits]\n" + limits);
    pki = dir / "data" / "dev-pki";
  }
  std::unique_ptr<TlsClient> client() {
    return std::make_unique<TlsClient>(hub->port(), pki / "root.pem", pki / "clb" / "device.pem",
                                       pki / "clb" / "device.key");
  }
  TempDir dir;
  std::unique_ptr<HubProcess> hub;
  std::filesystem::path pki;
};

// One GET on a connection kept open (no Connection: close): the response body, read up to its
// Content-Length; empty when the connection ended first.
std::string keep_alive_get(TlsClient& connection, const std::string& target) {
  if (!connection.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
    return {};
  }
  std::string text;
  while (true) {
    const auto end = text.find("\r\n\r\n");
    const auto length_at = text.find("Content-Length: ");
    if (end != std::string::npos && length_at != std::string::npos && length_at < end) {
      const auto length = std::stoul(text.substr(length_at + 16));
      if (text.size() >= end + 4 + length) {
        return text.substr(end + 4, length);
      }
    }
    const std::string more = connection.read_some();
    if (more.empty()) {
      return {};
    }
    text += more;
  }
}

// A metric's value in a /metrics text; -1 when it is not there.
long metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stol(text.substr(at + name.size() + 2));
}

TEST_F(HubLimitsTest, ConnectionsBeyondTheLimitAreRefusedWhileOthersAreServed) {
  start("max_connections = 3\n");
  // Again with the clb device allowed to read /metrics (its id exists only now).
  ASSERT_EQ(hub->terminate(), 0);
  hub.reset();
  start("max_connections = 3\n", metrics_devices_line({pki / "clb"}));
  // One slot watches the hub's own count of open connections, on a connection kept open.
  auto watcher = client();
  ASSERT_EQ(metric(keep_alive_get(*watcher, "/metrics"), "draaischijf_connections_open"), 1);
  auto first = client();
  auto second = client();
  ASSERT_TRUE(first->handshake_ok());
  ASSERT_TRUE(second->handshake_ok());
  auto third = client();
  EXPECT_FALSE(third->exchange(get("/healthz"))) << "a connection beyond the limit was served";
  const auto served = first->exchange(get("/healthz"));  // the first two still work
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  second.reset();
  first.reset();
  // The slots are free once the hub has seen both connections end (not after some time).
  ASSERT_TRUE(eventually([&] {
    return metric(keep_alive_get(*watcher, "/metrics"), "draaischijf_connections_open") == 1;
  })) << "the closed connections were never counted out";
  const auto after = client()->exchange(get("/healthz"));
  ASSERT_TRUE(after) << "a slot freed by closed connections is not reused";
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(metric(keep_alive_get(*watcher, "/metrics"), "draaischijf_connections_refused_total"),
            1);
}

TEST_F(HubLimitsTest, SlowRequestIsCutOffAtTheReadDeadlineWhileOthersAreServed) {
  start("read_deadline_seconds = 1\n");
  auto slow = client();
  ASSERT_TRUE(slow->send("POST /v1/envelopes HTTP/1.1\r\nHost: local"));  // and then nothing
  const auto other = client()->exchange(get("/healthz"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  // closed_by_peer() gives up after 20 s, so a true answer means the 1 s deadline cut the
  // request: without it the connection would stay open for the idle timeout (minutes).
  EXPECT_TRUE(slow->closed_by_peer());
}

TEST_F(HubLimitsTest, EnvelopeAboveTheSizeLimitGets413) {
  start("max_envelope_bytes = 4096\n");
  const auto response = client()->exchange(post("/v1/envelopes", std::string(10000, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("envelope-too-large"), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing

namespace draaischijf::testing {
namespace {

TEST(HubQuotaTest, AFullMailboxWarnsThenRefusesWith507UntilMessagesAreFetched) {
  TempDir dir;
  DevHub hub(dir.path(),
             "[limits]\nmailbox_quota_bytes = 1048576\nmailbox_warning_fraction = 0.5\n");
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const std::string big(400 * 1024, 'x');
  const auto send = [&] {
    return hub.call(
        "clb", post("/v1/envelopes", text_of(hub.seal_from("clb", {hub.epoch_of(intake)}, big))));
  };
  const auto first = send();
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.body.find("warnings"), std::string::npos);
  const auto second = send();
  ASSERT_EQ(second.status, 201);
  EXPECT_NE(second.body.find("mailbox-nearly-full"), std::string::npos) << second.body;
  const auto third = send();
  EXPECT_EQ(third.status, 507);
  EXPECT_NE(third.body.find("urn:draaischijf:problem:mailbox-full"), std::string::npos);
  EXPECT_NE(third.body.find(mailbox), std::string::npos) << "the detail names the mailbox";
  // Other mailboxes are not affected, and fetching frees room.
  EXPECT_EQ(hub.call("caw", post("/v1/envelopes",
                                 text_of(hub.seal_from("caw", {hub.epoch_of(hub.mailbox_of("clb"))},
                                                       "terugkoppeling"))))
                .status,
            201);
  const auto sequence = boost::json::parse(first.body).at("sequence").as_int64();
  ASSERT_EQ(hub.call("caw", post("/v1/mailboxes/" + mailbox + "/messages/" +
                                     std::to_string(sequence) + "/ack",
                                 ""))
                .status,
            200);
  EXPECT_EQ(send().status, 201);
}

TEST(HubCanaryTest, PlaintextIsInNoFileAfterAHardKillEither) {
  TempDir dir;
  {
    DevHub hub(dir.path());
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(
          hub.call("clb", post("/v1/envelopes",
                               text_of(hub.seal_from("clb", {hub.epoch_of(hub.mailbox_of("caw"))},
                                                     "CANARY-wal-plaintext"))))
              .status,
          201);
    }
  }  // SIGKILL: the WAL is left as it is
  bool wal_seen = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (entry.is_regular_file()) {
      wal_seen = wal_seen || entry.path().string().ends_with("-wal");
      const auto bytes = read_file(entry.path());
      EXPECT_EQ(text_of(bytes).find("CANARY-wal"), std::string::npos) << entry.path();
    }
  }
  EXPECT_TRUE(wal_seen) << "the WAL should still be there after a kill";
}

TEST(HubSmugglingTest, AChunkHeaderOver8KiBIsRefused) {
  TempDir dir;
  DevHub hub(dir.path());
  const auto response =
      hub.call("clb",
               "POST /v1/envelopes HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
               "Connection: close\r\n\r\n5;ext=" +
                   std::string(9000, 'a') + "\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("malformed-request"), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing
