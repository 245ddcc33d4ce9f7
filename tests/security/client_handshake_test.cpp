// A hub that goes away during the TLS handshake (a restart, a crash) is not a hub that refused
// this device's certificate: the connection error must say the hub closed the connection, so
// nobody goes looking for a certificate problem that is not there.

#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using client::connection_errc;

// Accepts TCP connections on 127.0.0.1 and closes each at once, before any TLS.
class ClosingListener {
 public:
  ClosingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* raw = reinterpret_cast<sockaddr*>(&address);
    EXPECT_EQ(::bind(fd_, raw, length), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(::getsockname(fd_, raw, &length), 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int peer = ::accept(fd_, nullptr, nullptr);
        if (peer >= 0) {
          ::close(peer);
        }
      }
    });
  }
  ~ClosingListener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  ClosingListener(const ClosingListener&) = delete;
  ClosingListener& operator=(const ClosingListener&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(TamperingTest, AHubThatClosesDuringTheHandshakeIsNotACertificateRefusal) {
  ClosingListener listener;
  const auto connection = client::HubConnection::open(
      {"127.0.0.1", listener.port()}, profile->tls(),
      client::RetryPolicy{1, std::chrono::milliseconds(10), std::chrono::milliseconds(10),
                          std::chrono::seconds(30)});
  ASSERT_FALSE(connection) << "a TLS session with a listener that speaks no TLS";
  EXPECT_NE(connection.error(), make_error_code(connection_errc::handshake_failed));
  EXPECT_EQ(connection.error(), make_error_code(connection_errc::handshake_interrupted));
  const auto said = connection.error().message();
  EXPECT_EQ(said.find("certificate"), std::string::npos) << said;
  EXPECT_NE(said.find("closed the connection during the TLS handshake"), std::string::npos) << said;
}

}  // namespace
}  // namespace draaischijf::testing
