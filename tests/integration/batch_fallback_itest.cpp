// The client library's catch-up (docs/PROTOCOL.md 7.21) through a real TLS-terminating proxy in
// front of the real hub process: a hub that does not serve the envelope batch or the batch
// acknowledgement (404) still gets every envelope fetched and acknowledged, one by one; a hub
// that answers the batch with a malformed frame stream fails the sync and leaves nothing kept
// and nothing acknowledged.
//
// The proxy forwards over mutual TLS with the certificate of the CLB device it stands in front
// of (the hub knows a device by its certificate), so the hub behind it is the one in production
// with nothing switched off: only the proxy plays the hub without the batch routes.

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope_batch.hpp>

#include "forwarding_proxy.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using Request = ForwardingProxy::Request;
using Response = ForwardingProxy::Response;
using Exchange = ForwardingProxy::Exchange;
namespace http = boost::beast::http;

bool is_batch_fetch(const Request& request) {
  return request.method() == http::verb::get &&
         request.target().find("/envelopes?") != boost::core::string_view::npos;
}
bool is_batch_acknowledgement(const Request& request) {
  return request.method() == http::verb::post && request.target().ends_with("/acks");
}

class BatchFallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto key_file = dir.path() / "device.key";
    ASSERT_TRUE(client::create_key_file(key_file));
    unlock = client::Unlock::with_key_file(key_file).value();
  }

  [[nodiscard]] fs::path pki() const { return dir.path() / "data" / "dev-pki"; }

  // The CLB's device, its hub the proxy following `rules`; the proxy shows the device's own
  // certificate to the real hub and the hub's server certificate to the device.
  void connect_clb_through_proxy(ForwardingProxy::Rules rules) {
    proxy.emplace(
        hub.port(),
        ForwardingProxy::Tls{pki() / "root.pem", pki() / "server.pem", pki() / "server.key",
                             pki() / "clb" / "device.pem", pki() / "clb" / "device.key"},
        std::move(rules));
    clb.emplace(open_device("clb", proxy->port()));
    const auto own = clb->mailboxes(clb->device().org_id);
    ASSERT_TRUE(own && !own->empty());
    onthaal = own->front().mailbox_id;
  }

  // The development deployment's device of `organisation`, its hub at `port`.
  Client open_device(const std::string& organisation, std::uint16_t port) {
    client::ProfileSettings settings;
    settings.hub = {"localhost", port};
    EXPECT_TRUE(client::import_dev_device(pki() / organisation, dir.path() / organisation, settings,
                                          unlock));
    return Client::open(client::Profile::open(dir.path() / organisation).value(), unlock).value();
  }

  // The school sends the onthaal mailbox one note per text, straight to the hub.
  std::vector<Id> school_sends(const std::vector<std::string>& texts) {
    auto school = open_device("school", hub.port());
    std::vector<Id> sent_ids;
    for (const auto& text : texts) {
      const auto sent = school.send(school_note_to(onthaal, text));
      EXPECT_TRUE(sent) << sent.error().message();
      sent_ids.push_back(sent ? sent->message_id : Id{});
    }
    return sent_ids;
  }

  // The states of the onthaal queue as the hub lists them to the CLB's device, asked directly.
  std::vector<std::string> hub_queue_states() {
    TlsClient direct(hub.port(), pki() / "root.pem", pki() / "clb" / "device.pem",
                     pki() / "clb" / "device.key");
    const auto listed = direct.exchange(get(mailbox() + "/messages?after=0"));
    EXPECT_TRUE(listed && listed->status == 200);
    std::vector<std::string> states;
    if (listed && listed->status == 200) {
      const auto body = json::parse(listed->body);
      for (const auto& entry : body.at("messages").as_array()) {
        states.emplace_back(entry.at("state").as_string());
      }
    }
    return states;
  }

  [[nodiscard]] std::string mailbox() const {
    return "/v1/mailboxes/" + protocol::hex_encode(onthaal);
  }

  // The exchanges whose target starts with the onthaal mailbox's path and then `route`.
  [[nodiscard]] std::vector<Exchange> to_mailbox(std::string_view route) const {
    std::vector<Exchange> out;
    for (auto& exchange : proxy->exchanges()) {
      if (exchange.target.starts_with(mailbox() + std::string(route))) {
        out.push_back(std::move(exchange));
      }
    }
    return out;
  }

  // Every arrived message verified, carries the texts sent, in order, under the sent ids.
  void expect_arrived_as_sent(const client::SyncReport& report, const std::vector<Id>& sent_ids,
                              const std::vector<std::string>& texts) {
    ASSERT_EQ(report.arrived.size(), sent_ids.size());
    for (std::size_t i = 0; i < sent_ids.size(); ++i) {
      const auto& arrived = report.arrived[i];
      EXPECT_TRUE(arrived.problem.empty()) << arrived.problem;
      EXPECT_EQ(arrived.message_id, sent_ids[i]);
      const auto read = clb->read(arrived.mailbox_id, arrived.sequence);
      ASSERT_TRUE(read) << read.error().message();
      ASSERT_EQ(read->fragments.size(), 1U);
      const auto body = read->fragments[0]->body;
      EXPECT_EQ(std::string(body.begin(), body.end()), texts[i]);
    }
  }

  TempDir dir;
  HubProcess hub{dir.path(), "[server]\nlisten_port = 0\ndata_dir = \"" +
                                 (dir.path() / "data").string() + "\"\n"};
  client::Unlock unlock;
  std::optional<ForwardingProxy> proxy;
  std::optional<Client> clb;
  Id onthaal{};
};

// A hub of before docs/PROTOCOL.md 7.21 (404 to both batch routes): the device fetches each
// envelope alone and acknowledges each alone; everything arrives, verified and readable, and
// the hub's queue holds nothing undelivered afterwards.
TEST_F(BatchFallbackTest, AHubWithoutTheBatchRoutesGetsEachEnvelopeFetchedAndAcknowledgedAlone) {
  connect_clb_through_proxy({.answer = [](const Request& request) -> std::optional<Response> {
                               if (is_batch_fetch(request) || is_batch_acknowledgement(request)) {
                                 return ForwardingProxy::not_found(request);
                               }
                               return std::nullopt;
                             },
                             .rewrite = {}});
  const std::vector<std::string> texts{"Een.", "Twee.", "Drie.", "Vier."};
  const auto sent_ids = school_sends(texts);

  const auto report = clb->sync();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->new_messages, texts.size());
  EXPECT_EQ(report->refused, 0U);

  // The batch routes were asked once each and refused; every envelope then went alone.
  const auto batches = to_mailbox("/envelopes?");
  ASSERT_EQ(batches.size(), 1U);
  EXPECT_EQ(batches[0].status, 404U);
  const auto batch_acks = to_mailbox("/acks");
  ASSERT_EQ(batch_acks.size(), 1U);
  EXPECT_EQ(batch_acks[0].status, 404U);
  std::vector<std::string> fetched;
  std::vector<std::string> acknowledged;
  for (const auto& exchange : to_mailbox("/messages/")) {
    EXPECT_EQ(exchange.status / 100, 2U) << exchange.method << " " << exchange.target;
    (exchange.method == "GET" ? fetched : acknowledged).push_back(exchange.target);
  }
  std::vector<std::string> expected_fetches;
  std::vector<std::string> expected_acks;
  for (const auto& arrived : report->arrived) {
    expected_fetches.push_back(mailbox() + "/messages/" + std::to_string(arrived.sequence));
    expected_acks.push_back(expected_fetches.back() + "/ack");
  }
  EXPECT_EQ(fetched, expected_fetches);
  EXPECT_EQ(acknowledged, expected_acks);

  // The hub has every one delivered: its queue holds nothing for this device any more.
  EXPECT_EQ(hub_queue_states(), std::vector<std::string>(texts.size(), "delivered"));
  proxy->forget_exchanges();
  const auto again = clb->sync();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->new_messages, 0U);
  EXPECT_TRUE(to_mailbox("/messages/").empty()) << "the second sync fetched an envelope";
  EXPECT_TRUE(to_mailbox("/envelopes?").empty()) << "the second sync asked for a batch";

  expect_arrived_as_sent(*report, sent_ids, texts);
}

// How the proxy spoils the hub's batch answer.
enum class Spoil { nothing, cut_short, frame_repeated, frame_more_than_asked };

// A batch answer whose frame stream is malformed (the last frame cut short, a frame repeated,
// one frame more than asked, every frame before it intact) fails the sync as the hub's lie:
// nothing of the page is kept on the device and nothing is acknowledged at the hub, so the same
// page comes whole with the next honest answer.
TEST_F(BatchFallbackTest, AMalformedBatchFailsTheSyncAndKeepsNothingOfThePage) {
  auto spoil = std::make_shared<std::atomic<Spoil>>(Spoil::nothing);
  connect_clb_through_proxy(
      {.answer = {}, .rewrite = [spoil](const Request& request, Response& response) {
         if (!is_batch_fetch(request) || response.result() != http::status::ok) {
           return;
         }
         auto& body = response.body();
         const auto frames = protocol::parse_envelope_batch(
             {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()});
         ASSERT_TRUE(frames && !frames->empty());
         // Copied: the frames view `body`, which grows below.
         const std::int64_t last = frames->back().sequence;
         const std::vector<std::uint8_t> envelope(frames->back().envelope.begin(),
                                                  frames->back().envelope.end());
         switch (spoil->load()) {
           case Spoil::nothing:
             break;
           case Spoil::cut_short:
             body.pop_back();
             break;
           case Spoil::frame_repeated:
             protocol::append_envelope_frame(body, last, envelope);
             break;
           case Spoil::frame_more_than_asked:
             protocol::append_envelope_frame(body, last + 1, envelope);
             break;
         }
       }});
  const std::vector<std::string> texts{"Een.", "Twee.", "Drie."};
  const auto sent_ids = school_sends(texts);

  for (const Spoil how : {Spoil::cut_short, Spoil::frame_repeated, Spoil::frame_more_than_asked}) {
    SCOPED_TRACE(static_cast<int>(how));
    spoil->store(how);
    proxy->forget_exchanges();
    const auto report = clb->sync();
    ASSERT_FALSE(report) << "a malformed batch went unnoticed";
    EXPECT_EQ(report.error(), make_error_code(client::client_errc::hub_answer_invalid))
        << report.error().message();
    ASSERT_EQ(to_mailbox("/envelopes?").size(), 1U) << "the batch was not asked for";
    const auto listed = clb->inbox().list(false);
    ASSERT_TRUE(listed) << listed.error().message();
    EXPECT_TRUE(listed->empty()) << listed->size() << " message(s) of the page kept";
    EXPECT_TRUE(to_mailbox("/acks").empty()) << "acknowledged in a batch";
    EXPECT_TRUE(to_mailbox("/messages/").empty()) << "fetched or acknowledged alone";
    EXPECT_EQ(hub_queue_states(), std::vector<std::string>(texts.size(), "queued"));
  }

  spoil->store(Spoil::nothing);
  const auto report = clb->sync();
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(hub_queue_states(), std::vector<std::string>(texts.size(), "delivered"));
  expect_arrived_as_sent(*report, sent_ids, texts);
}

}  // namespace
}  // namespace draaischijf::testing
