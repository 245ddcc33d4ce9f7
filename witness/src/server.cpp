#include "server.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <draaischijf/protocol/witness_request.hpp>

namespace draaischijf::witness {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
constexpr auto kDeadline = std::chrono::seconds(30);

// Fields are fixed words and numbers: no request content reaches the log.
void log_line(std::string_view event, std::string_view fields = {}) {
  std::cout << "{\"event\":\"" << event << "\"" << fields << "}" << std::endl;
}

ssl::context make_context(const WitnessConfig& config) {
  ssl::context context(ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    throw std::runtime_error("OpenSSL refused the TLS 1.3 settings");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  boost::system::error_code ec;
  context.use_certificate_chain_file(config.tls_certificate.string(), ec);
  if (!ec) {
    context.use_private_key_file(config.tls_private_key.string(), ssl::context::pem, ec);
  }
  if (ec) {
    throw std::runtime_error("cannot use the TLS certificate " + config.tls_certificate.string() +
                             " and key " + config.tls_private_key.string() +
                             ": check tls_certificate and tls_private_key (init makes them)");
  }
  return context;
}

http::response<http::string_body> answer_to(const http::request<http::string_body>& request,
                                            Witness& witness) {
  Answer answer;
  if (request.target() != "/add-checkpoint") {
    answer = {404, "text/plain; charset=utf-8", "This witness answers POST /add-checkpoint.\n"};
  } else if (request.method() != http::verb::post) {
    answer = {405, "text/plain; charset=utf-8", "Use POST.\n"};
  } else {
    answer = witness.add_checkpoint(request.body());
  }
  http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                             request.version()};
  response.set(http::field::content_type, answer.content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(answer.body);
  response.prepare_payload();
  log_line("add-checkpoint", ",\"status\":" + std::to_string(answer.status));
  return response;
}

net::awaitable<void> session(Stream stream, Witness& witness) {
  stream.next_layer().expires_after(kDeadline);
  auto [handshake] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (handshake) {
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(protocol::witness::kMaxRequestSize);
    stream.next_layer().expires_after(kDeadline);
    auto [read, bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (read) {
      if (read == http::error::body_limit) {
        http::response<http::string_body> too_large{http::status::payload_too_large, 11};
        too_large.body() = "The request is larger than any add-checkpoint body.\n";
        too_large.prepare_payload();
        (void)co_await http::async_write(stream, too_large, kNoThrow);
      }
      break;
    }
    auto response = answer_to(parser.get(), witness);
    auto [written, sent] = co_await http::async_write(stream, response, kNoThrow);
    if (written || !response.keep_alive()) {
      break;
    }
  }
  (void)co_await stream.async_shutdown(kNoThrow);
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context& context, Witness& witness) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kNoThrow);
    if (error == net::error::operation_aborted) {
      co_return;
    }
    if (!error) {
      net::co_spawn(acceptor.get_executor(),
                    session(Stream(beast::tcp_stream(std::move(socket)), context), witness),
                    net::detached);
    }
  }
}

}  // namespace

void serve(const WitnessConfig& config, Witness& witness) {
  ssl::context context = make_context(config);
  net::io_context io(1);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.listen_address, ec);
  if (ec) {
    throw std::runtime_error("listen_address " + config.listen_address + " is not an IP address");
  }
  tcp::acceptor acceptor(io);
  acceptor.open(address.is_v6() ? tcp::v6() : tcp::v4());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind({address, config.port}, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + config.listen_address + ":" +
                             std::to_string(config.port) + ": " + ec.message());
  }
  acceptor.listen();
  net::signal_set stop(io, SIGINT, SIGTERM);
  stop.async_wait([&](const boost::system::error_code&, int) {
    acceptor.close();
    io.stop();
  });
  net::co_spawn(io, accept_loop(acceptor, context, witness), net::detached);
  log_line("listening", ",\"port\":" + std::to_string(acceptor.local_endpoint().port()) +
                            ",\"logs\":" + std::to_string(config.logs.size()));
  io.run();
  log_line("stopped");
}

}  // namespace draaischijf::witness
