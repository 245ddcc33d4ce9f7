// The client library's connection to the real hub process: mutual TLS with the device's files,
// keep-alive, reconnection after a hub restart, and clear errors when the hub is away or the
// device's files do not fit.

#include <gtest/gtest.h>

#include <draaischijf/client/hub_connection.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

using client::connection_errc;
using client::DeviceTls;
using client::HubAddress;
using client::HubConnection;
using client::RetryPolicy;

class ConnectionTest : public ::testing::Test {
 protected:
  std::string config(std::uint16_t port) const {
    return "[server]\nlisten_port = " + std::to_string(port) + "\ndata_dir = \"" +
           (dir / "data").string() + "\"\n";
  }
  DeviceTls device(const std::string& slug) const {
    const auto pki = dir / "data" / "dev-pki";
    return {pki / "root.pem", pki / slug / "device.pem", pki / slug / "device.key"};
  }
  TempDir dir;
  std::unique_ptr<HubProcess> hub = std::make_unique<HubProcess>(dir.path(), config(0));
};

TEST_F(ConnectionTest, RequestsShareOneConnectionAndSurviveAHubRestart) {
  auto connection = HubConnection::open({"localhost", hub->port()}, device("clb"));
  ASSERT_TRUE(connection) << connection.error().message();
  const auto first = connection->get("/v1/organisations");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->content_type, "application/json");
  EXPECT_NE(first->body.find("\"organisations\""), std::string::npos);
  ASSERT_TRUE(connection->get("/healthz"));
  EXPECT_EQ(connection->connections_made(), 1U) << "keep-alive";

  // The hub stops and comes back on the same port: the next request reconnects by itself.
  const auto port = hub->port();
  ASSERT_EQ(hub->terminate(), 0);
  hub = std::make_unique<HubProcess>(dir.path(), config(port));
  const auto after = connection->get("/v1/organisations");
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(connection->connections_made(), 2U);

  const auto refused =
      connection->post("/v1/envelopes", view_of("not an envelope"), "application/octet-stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(refused->content_type, "application/problem+json");
}

TEST_F(ConnectionTest, AHubThatIsAwayIsReportedAfterTheRetries) {
  const auto port = hub->port();
  auto connection =
      HubConnection::open({"localhost", port}, device("clb"),
                          RetryPolicy{3, std::chrono::milliseconds(20),
                                      std::chrono::milliseconds(40), std::chrono::seconds(30)});
  ASSERT_TRUE(connection);
  ASSERT_EQ(hub->terminate(), 0);
  const auto answer = connection->get("/healthz");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), make_error_code(connection_errc::unreachable));
  EXPECT_NE(answer.error().message().find("the hub runs"), std::string::npos);
}

TEST_F(ConnectionTest, FilesThatDoNotFitAreAClearErrorBeforeAnyRequest) {
  auto mixed = device("clb");
  mixed.private_key = device("caw").private_key;
  const auto wrong_key = HubConnection::open({"localhost", hub->port()}, mixed);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error(), make_error_code(connection_errc::tls_setup_failed));

  // A root that is not the hub's: the hub's certificate does not verify.
  auto foreign = device("clb");
  foreign.ca = foreign.certificate;  // a device certificate is no trust anchor for the hub
  const auto untrusted = HubConnection::open({"localhost", hub->port()}, foreign);
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error(), make_error_code(connection_errc::handshake_failed));
}

}  // namespace
}  // namespace draaischijf::testing
