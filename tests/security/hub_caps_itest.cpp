// Caps that keep one client from holding the hub: plain TCP sockets that never start TLS, the
// handshakes under way at once, a device that connects and says nothing, and notification
// streams per device and organisation; and no session resumption past the CRL check.

#include <algorithm>
#include <poll.h>

#include <gtest/gtest.h>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using std::chrono::milliseconds;

// A TCP connection from `source` (a loopback address) to the hub that sends nothing.
int idle_socket(std::uint16_t port, const char* source = "127.0.0.1") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// GET /healthz over mTLS from `source`, on a socket of our own (TlsClient always uses
// 127.0.0.1): the status, or 0 when there was no HTTP answer.
int health_from(DevHub& hub, const char* source) {
  signal(SIGPIPE, SIG_IGN);  // a refused connection must fail a write, not kill the test
  const int fd = idle_socket(hub.port(), source);
  if (fd < 0) {
    return 0;
  }
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(context, (hub.pki / "root.pem").c_str(), nullptr);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_use_certificate_chain_file(context, (hub.pki / "clb" / "device.pem").c_str());
  SSL_CTX_use_PrivateKey_file(context, (hub.pki / "clb" / "device.key").c_str(), SSL_FILETYPE_PEM);
  const timeval patience{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  int status = 0;
  const std::string request = get("/healthz");
  if (SSL_connect(ssl) == 1 &&
      SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
    char buffer[4096];
    const int n = SSL_read(ssl, buffer, sizeof buffer);
    const std::string text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0U);
    status = text.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(text.substr(9, 3)) : 0;
  }
  SSL_free(ssl);
  SSL_CTX_free(context);
  close(fd);
  return status;
}

// Whether the hub has closed `fd` (end of stream or a reset), without waiting.
bool closed_by_hub(int fd) {
  pollfd ready{fd, POLLIN, 0};
  if (poll(&ready, 1, 0) != 1) {
    return false;
  }
  char byte = 0;
  return recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

TEST(HubConnectionCaps, SocketsThatNeverStartTlsDoNotLockOutRealClients) {
  TempDir dir;
  DevHub hub(dir.path(),
             "[limits]\nmax_connections = 24\nmax_handshakes_per_address = 8\n"
             "handshake_deadline_seconds = 1\n");
  std::vector<int> sockets;
  for (int i = 0; i < 40; ++i) {  // more than the global cap, all from 127.0.0.1
    sockets.push_back(idle_socket(hub.port()));
  }
  // The hub has taken all 40 once it has refused those beyond the address's 8 slots.
  ASSERT_TRUE(eventually([&] {
    return std::count_if(sockets.begin(), sockets.end(), closed_by_hub) >= 32;
  })) << "the hub did not refuse the sockets beyond the address's slots";
  // Another address is served at once: 127.0.0.1 holds 8 slots, not the whole cap.
  EXPECT_EQ(health_from(hub, "127.0.0.2"), 200);
  // And 127.0.0.1 itself once the handshake deadline frees its slots, though its idle sockets
  // stay open; without the deadline they would hold them for good.
  EXPECT_TRUE(eventually([&] { return health_from(hub, "127.0.0.1") == 200; }))
      << "the idle sockets locked out a real client";
  for (const int fd : sockets) {
    close(fd);
  }
}

// limits.max_handshakes_in_flight: a connection beyond the places is not refused, and not
// accepted either, until a handshake under way has ended (net/handshake_room.hpp).
TEST(HubConnectionCaps, ConnectionsBeyondTheHandshakePlacesWaitTheirTurnAndAreServed) {
  TempDir dir;
  DevHub hub(dir.path(),
             "[limits]\nmax_handshakes_in_flight = 1\nhandshake_deadline_seconds = 1\n");
  auto talking = hub.client("clb");
  ASSERT_TRUE(talking->handshake_ok());
  // The only place: a socket that never starts TLS. It reached the listen backlog first, so
  // the hub accepts it first.
  const int silent = idle_socket(hub.port());
  ASSERT_GE(silent, 0);
  // An authenticated connection needs no place: it is served while the place is taken.
  ASSERT_TRUE(talking->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(talking->read_some().rfind("HTTP/1.1 200", 0), 0U);
  // A new connection waits in the backlog for the place, then is served: not refused, and
  // handled only after the silent socket's handshake deadline closed it (without the bound it
  // would be served at once, with the silent socket still open).
  EXPECT_EQ(health_from(hub, "127.0.0.2"), 200);
  EXPECT_TRUE(closed_by_hub(silent)) << "a connection beyond the handshake places was accepted";
  close(silent);
}

// Session tickets the hub sent on connections of one client context.
int tickets_seen = 0;
int count_ticket(SSL* /*ssl*/, SSL_SESSION* /*session*/) {
  ++tickets_seen;
  return 0;  // not kept by the callback: SSL_get1_session below takes the session
}

// Every connection of a device is verified afresh against the CRLs in force: the hub sends no
// session ticket (that would only cost it a ticket per handshake) and resumes no session.
TEST(HubConnectionCaps, EveryConnectionIsAFullHandshakeWithoutTickets) {
  TempDir dir;
  DevHub hub(dir.path());
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(context, (hub.pki / "root.pem").c_str(), nullptr);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_use_certificate_chain_file(context, (hub.pki / "clb" / "device.pem").c_str());
  SSL_CTX_use_PrivateKey_file(context, (hub.pki / "clb" / "device.key").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context, count_ticket);
  tickets_seen = 0;
  SSL_SESSION* offered = nullptr;
  for (int connection = 0; connection < 2; ++connection) {
    const int fd = idle_socket(hub.port());
    ASSERT_GE(fd, 0);
    const timeval patience{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    if (offered != nullptr) {
      SSL_set_session(ssl, offered);  // what a client that resumes would offer
    }
    ASSERT_EQ(SSL_connect(ssl), 1);
    const std::string request = get("/healthz");
    ASSERT_GT(SSL_write(ssl, request.data(), static_cast<int>(request.size())), 0);
    char buffer[4096];
    const int n = SSL_read(ssl, buffer, sizeof buffer);  // tickets, if any, come before it
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n)).rfind("HTTP/1.1 200", 0), 0U);
    EXPECT_EQ(SSL_session_reused(ssl), 0) << "connection " << connection << " was resumed";
    if (offered == nullptr) {
      offered = SSL_get1_session(ssl);
    }
    SSL_free(ssl);
    close(fd);
  }
  EXPECT_EQ(tickets_seen, 0) << "the hub sent session tickets";
  SSL_SESSION_free(offered);
  SSL_CTX_free(context);
}

TEST(HubConnectionCaps, ADeviceThatSendsNothingIsClosedAtTheFirstRequestDeadline) {
  TempDir dir;
  DevHub hub(dir.path(),
             "[limits]\nfirst_request_deadline_seconds = 1\nidle_timeout_seconds = 300\n");
  auto silent = hub.client("clb");
  ASSERT_TRUE(silent->handshake_ok());
  // closed_by_peer() gives up after 20 s: only the 1 s deadline, not the 300 s idle timeout,
  // can close the connection within that.
  EXPECT_TRUE(silent->closed_by_peer());
  // A device that asks something in time keeps its keep-alive connection past that deadline
  // (the hub's timers run on its steady clock, so this wait is a real one: a lower bound, which
  // a loaded machine only lengthens).
  auto talking = hub.client("clb");
  ASSERT_TRUE(talking->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(talking->read_some().rfind("HTTP/1.1 200", 0), 0U);
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_TRUE(talking->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(talking->read_some().rfind("HTTP/1.1 200", 0), 0U);
}

// The upgrade request on a fresh connection of `slug` and the answer's status line and body.
std::string upgrade(DevHub& hub, const std::string& slug, bool admin = false) {
  auto connection = hub.client(slug, admin);
  connection->send(
      "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n");
  std::string answer;
  for (std::string more = connection->read_some(); !more.empty(); more = connection->read_some()) {
    answer += more;
  }
  return answer;
}

TEST(HubStreamCaps, StreamsAreCappedPerDeviceAndOrganisationAndOthersAreStillServed) {
  TempDir dir;
  DevHub hub(dir.path(), "[limits]\nmax_streams_per_device = 2\nmax_streams_per_org = 3\n");
  StreamClient first(hub.client("clb"));
  StreamClient second(hub.client("clb"));
  ASSERT_TRUE(first.upgraded());
  ASSERT_TRUE(second.upgraded());
  ASSERT_EQ(first.next().at("type"), "subscribed");
  ASSERT_EQ(second.next().at("type"), "subscribed");
  const std::string third = upgrade(hub, "clb");
  EXPECT_EQ(third.rfind("HTTP/1.1 429", 0), 0U) << third.substr(0, 300);
  EXPECT_NE(third.find("application/problem+json"), std::string::npos);
  EXPECT_NE(third.find("Retry-After:"), std::string::npos);
  // The organisation's third stream (its admin device), then no more for the organisation.
  StreamClient admin(hub.client("clb", true));
  ASSERT_TRUE(admin.upgraded());
  ASSERT_EQ(admin.next().at("type"), "subscribed");
  const std::string fourth = upgrade(hub, "clb", true);
  EXPECT_EQ(fourth.rfind("HTTP/1.1 429", 0), 0U) << fourth.substr(0, 300);
  // Another organisation is not affected.
  StreamClient school(hub.client("school"));
  EXPECT_TRUE(school.upgraded());
  EXPECT_EQ(school.next().at("type"), "subscribed");
  EXPECT_NE(hub.process().log_text().find("\"stream.refused\""), std::string::npos);
}

// On the hub's injected clock (an in-process hub): the one token is spent whatever the
// machine's speed, and the upgrade is allowed again exactly when the bucket has refilled.
TEST(HubStreamCaps, UpgradesGoThroughTheRateLimiter) {
  TempDir dir;
  InProcessHub served(dir.path(), "[limits]\nrate_per_org = 0.1\nrate_burst = 1.0\n");
  DevHub hub(served.port(), served.pki());
  StreamClient allowed(hub.client("caw"));  // the one token
  ASSERT_TRUE(allowed.upgraded());
  const std::string limited = upgrade(hub, "caw");
  EXPECT_EQ(limited.rfind("HTTP/1.1 429", 0), 0U) << limited.substr(0, 300);
  EXPECT_NE(limited.find("rate-limited"), std::string::npos);
  served.advance(std::chrono::seconds(10));  // one token at 0.1 a second
  StreamClient refilled(hub.client("caw"));
  EXPECT_TRUE(refilled.upgraded()) << "the bucket did not refill";
}

}  // namespace
}  // namespace draaischijf::testing
