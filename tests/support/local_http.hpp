#pragma once

// Plain HTTP/1.1 to draaischijf ui's local web server on 127.0.0.1, as a browser would send it:
// every header (Host, Origin, Cookie) is the test's to choose, so a test can also play the
// page of another site or a rebound DNS name.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace draaischijf::testing {

using LocalReply = boost::beast::http::response<boost::beast::http::string_body>;

struct LocalRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // Host defaults to 127.0.0.1:PORT
  std::string body;
};

/// One request on a connection of its own.
inline LocalReply local_http(std::uint16_t port, const LocalRequest& request) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> out{request.method, request.target, 11};
  out.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : request.headers) {
    out.set(name, value);
  }
  out.body() = request.body;
  if (!request.body.empty()) {
    out.set(http::field::content_type, "application/json");
  }
  out.prepare_payload();
  http::write(stream, out);
  boost::beast::flat_buffer buffer;
  LocalReply reply;
  http::read(stream, buffer, reply);
  boost::beast::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return reply;
}

/// The page's side of a session: the one-time URL exchanged for the cookie, then requests that
/// carry it and, for every non-GET, this server's Origin, as the page's own fetch() does.
class LocalPage {
 public:
  /// `start_url`: http://127.0.0.1:PORT/?t=TOKEN as the program printed it.
  explicit LocalPage(const std::string& start_url)
      : port_(static_cast<std::uint16_t>(
            std::stoi(start_url.substr(17, start_url.find('/', 17) - 17)))),
        token_target_(start_url.substr(start_url.find('/', 17))) {}

  /// The exchange; the reply (a 303 with Set-Cookie when the token was good).
  LocalReply open() {
    auto reply = local_http(port_, {boost::beast::http::verb::get, token_target_, {}, {}});
    const std::string cookie(reply[boost::beast::http::field::set_cookie]);
    cookie_ = cookie.substr(0, cookie.find(';'));
    return reply;
  }
  LocalReply get(const std::string& target) const {
    return local_http(port_, {boost::beast::http::verb::get, target, {{"Cookie", cookie_}}, {}});
  }
  LocalReply post(const std::string& target, const std::string& body = "{}") const {
    return local_http(port_, {boost::beast::http::verb::post,
                              target,
                              {{"Cookie", cookie_}, {"Origin", origin()}},
                              body});
  }
  [[nodiscard]] std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& cookie() const { return cookie_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& token_target() const { return token_target_; }

 private:
  std::uint16_t port_;
  std::string token_target_;
  std::string cookie_;
};

}  // namespace draaischijf::testing
