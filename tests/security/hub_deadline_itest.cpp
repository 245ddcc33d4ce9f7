// The transport's deadlines and protocol floor, against the real hub process with short limits
// from its config: an idle keep-alive connection is closed at limits.idle_timeout_seconds, a
// peer that stalls inside the TLS handshake (saying nothing, or half a ClientHello) is dropped
// at limits.handshake_deadline_seconds and the refusal is logged and counted, and a client that
// offers only TLS 1.2 is refused while the same certificate over TLS 1.3 is served.

#include <gtest/gtest.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

// A plain TCP connection to the hub; reads on it give up after `patience`.
int tcp_connect(std::uint16_t port, seconds patience) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const timeval limit{static_cast<time_t>(patience.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// true when the hub ends the connection (end of stream or a reset) before the read times out.
bool dropped_by_hub(int fd) {
  char byte = 0;
  errno = 0;
  const ssize_t n = ::recv(fd, &byte, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

// The first flight of a real TLS client: a ClientHello record, made in memory.
std::string client_hello() {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(context);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);  // the SSL owns both now
  SSL_set_connect_state(ssl);
  (void)SSL_do_handshake(ssl);  // wants to read the ServerHello: the hello is written by then
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<std::size_t>(size > 0 ? size : 0));
  SSL_free(ssl);
  SSL_CTX_free(context);
  return hello;
}

TEST(HubDeadlines, AnIdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  TempDir dir;
  // Only the idle timeout is short: the first-request and read deadlines cannot close it.
  DevHub hub(dir.path(),
             "[limits]\nidle_timeout_seconds = 1\nfirst_request_deadline_seconds = 120\n"
             "read_deadline_seconds = 120\n");
  auto connection = hub.client("clb");
  ASSERT_TRUE(connection->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const std::string answer = connection->read_some();
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0U) << answer;
  EXPECT_EQ(answer.find("Connection: close"), std::string::npos) << "not kept alive: " << answer;
  const auto start = steady_clock::now();
  EXPECT_TRUE(connection->closed_by_peer()) << "the idle connection was kept open";
  EXPECT_LT(steady_clock::now() - start, seconds(10));
}

TEST(HubDeadlines, APeerThatStallsInTheTlsHandshakeIsDroppedAtTheHandshakeDeadline) {
  TempDir dir;
  // The default deadline is 5 s: a drop well before that comes from the configured second.
  DevHub hub(dir.path(), "[limits]\nhandshake_deadline_seconds = 1\n");
  const std::string hello = client_hello();
  ASSERT_GT(hello.size(), 100U);
  ASSERT_EQ(static_cast<unsigned char>(hello[0]), 0x16) << "not a TLS handshake record";
  const auto refused_before = hub.process().count_events("tls.refused");

  const int silent = tcp_connect(hub.port(), seconds(20));
  const int halfway = tcp_connect(hub.port(), seconds(20));
  ASSERT_GE(silent, 0);
  ASSERT_GE(halfway, 0);
  ASSERT_EQ(::send(halfway, hello.data(), hello.size() / 2, MSG_NOSIGNAL),
            static_cast<ssize_t>(hello.size() / 2));
  const auto start = steady_clock::now();
  EXPECT_TRUE(dropped_by_hub(silent)) << "a peer that said nothing was kept";
  EXPECT_TRUE(dropped_by_hub(halfway)) << "a peer that sent half a ClientHello was kept";
  EXPECT_LT(steady_clock::now() - start, seconds(4)) << "not dropped at the configured deadline";
  close(silent);
  close(halfway);

  EXPECT_TRUE(hub.process().wait_for_event("tls.refused", refused_before + 2))
      << hub.process().log_text();
  // A real client is served as before.
  EXPECT_EQ(hub.call("clb", get("/healthz")).status, 200);
}

// A handshake with the clb device's certificate, offering at most `max_version`; the version
// agreed, or 0 and OpenSSL's reason when the handshake failed.
std::pair<int, int> handshake_offering(DevHub& hub, int max_version) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(context, max_version);
  SSL_CTX_load_verify_locations(context, (hub.pki / "root.pem").c_str(), nullptr);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_use_certificate_chain_file(context, (hub.pki / "clb" / "device.pem").c_str());
  SSL_CTX_use_PrivateKey_file(context, (hub.pki / "clb" / "device.key").c_str(), SSL_FILETYPE_PEM);
  const int fd = tcp_connect(hub.port(), seconds(20));
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  ERR_clear_error();
  std::pair<int, int> out{0, 0};
  if (SSL_connect(ssl) == 1) {
    out.first = SSL_version(ssl);
  } else {
    out.second = ERR_GET_REASON(ERR_peek_error());
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(context);
  return out;
}

TEST(HubTlsVersion, AClientOfferingOnlyTls12IsRefusedAndTls13IsServed) {
  TempDir dir;
  DevHub hub(dir.path());
  const auto refused_before = hub.process().count_events("tls.refused");
  const auto [old_version, old_reason] = handshake_offering(hub, TLS1_2_VERSION);
  EXPECT_EQ(old_version, 0) << "a TLS 1.2 handshake succeeded";
  EXPECT_EQ(old_reason, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
      << "not refused for its version (OpenSSL reason " << old_reason << ")";
  EXPECT_TRUE(hub.process().wait_for_event("tls.refused", refused_before + 1));
  // The same client allowed TLS 1.3 gets it.
  const auto [version, reason] = handshake_offering(hub, TLS1_3_VERSION);
  EXPECT_EQ(version, TLS1_3_VERSION) << "reason " << reason;
}

}  // namespace
}  // namespace draaischijf::testing
