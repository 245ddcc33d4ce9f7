#pragma once

// The load generator's client side: mutual TLS 1.3 connections to 127.0.0.1 and one HTTP/1.1
// exchange at a time on each, with Asio coroutines on one thread so the machine's other core
// stays with the server under test.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace draaischijf::bench {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

inline constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);

struct ClientIdentity {
  std::filesystem::path ca;           // the root the server certificate must chain to
  std::filesystem::path certificate;  // device certificate chain (PEM)
  std::filesystem::path key;          // its private key (PEM)
};

/// TLS 1.3 only, no session resumption: every connection is a full handshake with the client
/// certificate, as a fresh device would make it.
inline std::unique_ptr<ssl::context> client_context(const ClientIdentity& identity) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  // Idle connections hold no read and write buffers (many thousands are opened).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  context->load_verify_file(identity.ca.string());
  context->set_verify_mode(ssl::verify_peer);
  context->set_verify_callback(ssl::host_name_verification("localhost"));
  context->use_certificate_chain_file(identity.certificate.string());
  context->use_private_key_file(identity.key.string(), ssl::context::pem);
  return context;
}

/// A connected, handshaken stream; nullptr when the server refused or did not answer in time.
inline net::awaitable<std::unique_ptr<Stream>> connect(ssl::context& context, std::uint16_t port) {
  auto stream = std::make_unique<Stream>(co_await net::this_coro::executor, context);
  auto& socket = beast::get_lowest_layer(*stream);
  socket.expires_after(std::chrono::seconds(30));
  auto [connect_error] =
      co_await socket.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port), kNoThrow);
  if (connect_error) {
    co_return nullptr;
  }
  // As the client library: a request is not held back by Nagle behind the handshake's last flight.
  boost::system::error_code ignored;
  socket.socket().set_option(tcp::no_delay(true), ignored);
  auto [handshake_error] = co_await stream->async_handshake(ssl::stream_base::client, kNoThrow);
  if (handshake_error) {
    co_return nullptr;
  }
  socket.expires_after(std::chrono::seconds(60));
  co_return stream;
}

struct Answer {
  unsigned status = 0;  // 0: the connection failed
  unsigned retry_after_seconds = 0;
  std::string body;
  bool keep_alive = true;  // false: the server closes the connection after this answer
};

/// The seconds a 429 or 503 asks the client to wait (Retry-After), 0 when it names none.
inline unsigned retry_after_seconds(const http::fields& fields) {
  const auto retry = fields.find(http::field::retry_after);
  return retry == fields.end() ? 0 : static_cast<unsigned>(std::stoul(std::string(retry->value())));
}

/// One request and its response on a keep-alive connection.
template <class Body>
net::awaitable<Answer> exchange(Stream& stream, beast::flat_buffer& buffer,
                                http::request<Body>& request) {
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
  auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
  if (write_error) {
    co_return Answer{};
  }
  http::response<http::string_body> response;
  auto [read_error, read] = co_await http::async_read(stream, buffer, response, kNoThrow);
  if (read_error) {
    co_return Answer{};
  }
  co_return Answer{response.result_int(), retry_after_seconds(response), std::move(response.body()),
                   response.keep_alive()};
}

inline http::request<http::empty_body> get_request(const std::string& target, bool keep_alive) {
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "localhost");
  request.keep_alive(keep_alive);
  return request;
}

}  // namespace draaischijf::bench
