#pragma once

// A TLS-terminating forwarding proxy, for tests that need something real on the wire between a
// client and the hub process: it accepts TLS on 127.0.0.1 with a server certificate the clients
// trust, reads each HTTP/1.1 request, and either answers it itself or forwards it to the hub over
// mutual TLS and hands the hub's answer back. The hub knows a device by its client certificate,
// so the proxy shows the hub the certificate of the one device it stands in front of (as a
// terminating load balancer re-originates TLS with an identity of its own); it asks its own
// clients for a certificate under the same root. One thread, Asio coroutines, one connection to
// the hub per client connection.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace draaischijf::testing {

class ForwardingProxy {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  // What the proxy does with a request besides forwarding it. Both run on the proxy's thread.
  struct Rules {
    // Answers the request itself when it returns a response: nothing reaches the hub.
    std::function<std::optional<Response>(const Request&)> answer;
    // Changes the hub's answer to a forwarded request before it is handed back.
    std::function<void(const Request&, Response&)> rewrite;
  };

  // PEM files.
  struct Tls {
    std::filesystem::path ca;  // the root the hub, the proxy and their clients chain to
    std::filesystem::path server_certificate;  // shown to the proxy's clients
    std::filesystem::path server_key;
    std::filesystem::path device_certificate;  // shown to the hub: the device forwarded for
    std::filesystem::path device_key;
  };

  // One request as it passed: its method and target, and the status handed back.
  struct Exchange {
    std::string method;
    std::string target;
    unsigned status = 0;
  };

  ForwardingProxy(std::uint16_t hub_port, const Tls& tls, Rules rules)
      : hub_port_(hub_port), rules_(std::move(rules)) {
    namespace ssl = boost::asio::ssl;
    server_tls_.use_certificate_chain_file(tls.server_certificate.string());
    server_tls_.use_private_key_file(tls.server_key.string(), ssl::context::pem);
    server_tls_.load_verify_file(tls.ca.string());
    server_tls_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    hub_tls_.use_certificate_chain_file(tls.device_certificate.string());
    hub_tls_.use_private_key_file(tls.device_key.string(), ssl::context::pem);
    hub_tls_.load_verify_file(tls.ca.string());
    hub_tls_.set_verify_mode(ssl::verify_peer);
    acceptor_.open(tcp::v4());
    acceptor_.bind({boost::asio::ip::address_v4::loopback(), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(ioc_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ForwardingProxy(const ForwardingProxy&) = delete;
  ForwardingProxy& operator=(const ForwardingProxy&) = delete;
  ~ForwardingProxy() {
    ioc_.stop();
    thread_.join();
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }

  // Every request answered so far, in the order the answers were sent.
  [[nodiscard]] std::vector<Exchange> exchanges() const {
    const std::lock_guard lock(mutex_);
    return exchanges_;
  }
  void forget_exchanges() {
    const std::lock_guard lock(mutex_);
    exchanges_.clear();
  }

  // The answer of a hub that has no route for the request, as the hub words it.
  [[nodiscard]] static Response not_found(const Request& request) {
    Response response{boost::beast::http::status::not_found, request.version()};
    response.set(boost::beast::http::field::content_type, "application/problem+json");
    response.body() =
        R"({"type":"urn:draaischijf:problem:not-found","title":"Not found","status":404})";
    return response;
  }

 private:
  using tcp = boost::asio::ip::tcp;
  using Stream = boost::asio::ssl::stream<tcp::socket>;
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;
  // Batches of envelopes come through whole (up to 8 MiB after the first, docs/PROTOCOL.md 7.21).
  static constexpr std::uint64_t kBodyLimit = std::uint64_t{64} << 20;

  static auto on_error(boost::beast::error_code& ec) {
    return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
  }

  Awaitable<void> accept_loop() {
    while (true) {
      boost::beast::error_code ec;
      tcp::socket socket(ioc_);
      co_await acceptor_.async_accept(socket, on_error(ec));
      if (ec) {
        co_return;
      }
      boost::asio::co_spawn(ioc_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  // One client connection, request after request while both sides keep it alive. A connection
  // to the hub that fails ends the client's connection without an answer: the client library
  // connects again and sends the request again, as it does when the hub itself goes away.
  Awaitable<void> serve(tcp::socket socket) {
    namespace http = boost::beast::http;
    Stream client(std::move(socket), server_tls_);
    boost::beast::error_code ec;
    co_await client.async_handshake(Stream::server, on_error(ec));
    std::optional<Stream> hub;
    boost::beast::flat_buffer client_buffer;
    boost::beast::flat_buffer hub_buffer;
    while (!ec) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      co_await http::async_read(client, client_buffer, parser, on_error(ec));
      if (ec) {
        co_return;
      }
      const Request request = parser.release();
      std::optional<Response> response = rules_.answer ? rules_.answer(request) : std::nullopt;
      if (!response) {
        response = co_await forward(hub, hub_buffer, request);
        if (!response) {
          co_return;
        }
        if (rules_.rewrite) {
          rules_.rewrite(request, *response);
        }
      }
      response->keep_alive(request.keep_alive() && response->keep_alive());
      response->prepare_payload();
      record(request, *response);
      co_await http::async_write(client, *response, on_error(ec));
      if (!response->keep_alive()) {
        co_return;
      }
    }
  }

  // The hub's answer to `request`; nullopt when the hub could not be reached or asked.
  Awaitable<std::optional<Response>> forward(std::optional<Stream>& hub,
                                             boost::beast::flat_buffer& buffer,
                                             const Request& request) {
    namespace http = boost::beast::http;
    boost::beast::error_code ec;
    if (!hub) {
      hub.emplace(ioc_, hub_tls_);
      buffer.clear();
      co_await hub->next_layer().async_connect({boost::asio::ip::address_v4::loopback(), hub_port_},
                                               on_error(ec));
      if (!ec) {
        hub->set_verify_callback(boost::asio::ssl::host_name_verification("localhost"));
        co_await hub->async_handshake(Stream::client, on_error(ec));
      }
    }
    if (!ec) {
      co_await http::async_write(*hub, request, on_error(ec));
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    if (!ec) {
      co_await http::async_read(*hub, buffer, parser, on_error(ec));
    }
    if (ec) {
      hub.reset();
      co_return std::nullopt;
    }
    Response response = parser.release();
    if (!response.keep_alive()) {
      hub.reset();  // the hub closes after this answer
    }
    co_return response;
  }

  void record(const Request& request, const Response& response) {
    const std::lock_guard lock(mutex_);
    exchanges_.push_back({std::string(request.method_string()), std::string(request.target()),
                          response.result_int()});
  }

  std::uint16_t hub_port_;
  std::uint16_t port_ = 0;
  Rules rules_;
  boost::asio::ssl::context server_tls_{boost::asio::ssl::context::tls_server};
  boost::asio::ssl::context hub_tls_{boost::asio::ssl::context::tls_client};
  mutable std::mutex mutex_;
  std::vector<Exchange> exchanges_;
  // Declared after what its coroutines use: their frames go with it.
  boost::asio::io_context ioc_{1};
  tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

}  // namespace draaischijf::testing
