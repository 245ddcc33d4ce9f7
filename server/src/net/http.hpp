#pragma once

// The transport's HTTP vocabulary (Beast), and the two conversions between it and the API's
// own ApiRequest and Reply. Only net/ includes this header.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "api/reply.hpp"
#include "net/tls_stream.hpp"

namespace draaischijf::server {

namespace http = boost::beast::http;
using Request = http::request<http::vector_body<std::uint8_t>>;
using Response = http::response<http::string_body>;
using RequestParser = http::request_parser<http::vector_body<std::uint8_t>>;

inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

/// On every answer: the hub is reached over HTTPS only (RFC 6797).
inline constexpr std::string_view kHsts = "max-age=31536000";

/// The API's view of a request: method, target and body (moved out of `request`).
[[nodiscard]] inline ApiRequest to_api_request(Request& request) {
  ApiRequest out;
  switch (request.method()) {
    case http::verb::get:
      out.method = Method::get;
      break;
    case http::verb::put:
      out.method = Method::put;
      break;
    case http::verb::post:
      out.method = Method::post;
      break;
    default:
      out.method = Method::other;
      break;
  }
  out.target = std::string(request.target());
  out.body = std::move(request.body());
  return out;
}

/// A reply as an HTTP/1.x response on this connection.
[[nodiscard]] inline Response to_response(Reply reply, unsigned version, bool keep_alive) {
  Response response{static_cast<http::status>(reply.status), version};
  if (!reply.content_type.empty()) {
    response.set(http::field::content_type, reply.content_type);
  }
  for (const auto& [name, value] : reply.headers) {
    response.set(name, value);
  }
  response.set(http::field::strict_transport_security, kHsts);
  response.body() = std::move(reply.body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

/// The one way the transport refuses a request it will not read further: the problem, with
/// keep-alive off, written; the caller then ends the connection.
inline boost::asio::awaitable<void> refuse_and_close(TlsStream& stream, ProblemKind kind,
                                                     unsigned version, std::string request_id,
                                                     std::string extra = {}) {
  auto response = to_response(problem_reply(kind, request_id, std::move(extra)), version, false);
  co_await http::async_write(stream, response, kNoThrow);
}

/// After a refusal the client may still be sending a body: reading and discarding it for a
/// while (bounded) lets the refusal arrive instead of a reset. The write side is shut first,
/// so a client that already has the whole answer sees its end at once.
inline boost::asio::awaitable<void> linger(TlsStream& stream) {
  constexpr std::size_t kDrainBytes = std::size_t{4} << 20;
  auto& tcp = boost::beast::get_lowest_layer(stream);
  boost::system::error_code ignored;
  tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  tcp.expires_after(std::chrono::seconds(2));
  std::vector<char> scratch(16 * 1024);
  for (std::size_t drained = 0; drained < kDrainBytes;) {
    auto [error, n] = co_await tcp.async_read_some(boost::asio::buffer(scratch), kNoThrow);
    if (error) {
      break;
    }
    drained += n;
  }
}

}  // namespace draaischijf::server
