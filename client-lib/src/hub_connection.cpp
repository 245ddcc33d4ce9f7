// Asio and Beast are compiled header-only in this one file (the server compiles them
// separately): the client library and the hub are never linked into one program.

#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <draaischijf/client/hub_connection.hpp>

namespace draaischijf::client {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::vector_body<std::uint8_t>>;
constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxProblemBody = 64 * 1024;

// Closed or reset during the TLS handshake without an alert (a hub going down or restarting);
// anything else is a refusal (a certificate alert, or the hub's certificate failing the check).
bool handshake_interrupted(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::connection_aborted || ec == net::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

// Runs one asynchronous operation to completion on this thread.
template <class Start>
beast::error_code run_on(net::io_context& context, Start start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  context.restart();
  context.run();
  return result;
}

}  // namespace

// connection_category() is in errors.cpp, with the client's other category.

struct HubConnection::Impl {
  HubAddress address;
  RetryPolicy retry;
  net::io_context ioc{1};
  ssl::context tls{ssl::context::tls_client};
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  std::uint64_t connections = 0;

  // Runs one asynchronous operation to completion on this thread (Beast's stream timeouts
  // work for asynchronous operations only).
  template <class Start>
  beast::error_code run(Start start) {
    return run_on(ioc, std::move(start));
  }

  // TCP, SNI, host-name check and the TLS handshake on a fresh stream of `context`.
  protocol::Result<void> dial(net::io_context& context, Stream& fresh) const {
    auto& socket = beast::get_lowest_layer(fresh);
    socket.expires_after(retry.io_timeout);
    tcp::resolver resolver(context);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (!ec) {
      ec = run_on(context, [&](auto done) { socket.async_connect(endpoints, done); });
    }
    if (ec) {
      return make_error_code(connection_errc::unreachable);
    }
    // Requests are small writes right after the TLS handshake's last flight: without this, Nagle
    // holds each until the hub's delayed ACK (40 ms) when the hub has nothing to say first.
    socket.socket().set_option(tcp::no_delay(true), ec);
    // SNI; SSL_set_tlsext_host_name is a macro with a C cast.
    SSL_ctrl(fresh.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(address.host.c_str()));
    fresh.set_verify_callback(ssl::host_name_verification(address.host));
    ec = run_on(context, [&](auto done) { fresh.async_handshake(ssl::stream_base::client, done); });
    if (ec) {
      return make_error_code(ec == beast::error::timeout ? connection_errc::timeout
                             : handshake_interrupted(ec) ? connection_errc::handshake_interrupted
                                                         : connection_errc::handshake_failed);
    }
    return {};
  }

  protocol::Result<void> connect_once() {
    stream.emplace(ioc, tls);
    buffer.clear();
    if (auto dialled = dial(ioc, *stream); !dialled) {
      stream.reset();
      return dialled;
    }
    ++connections;
    return {};
  }

  // Connects, retrying with exponential backoff while the hub cannot be reached.
  protocol::Result<void> connect() {
    auto delay = retry.first_delay;
    for (int attempt = 1;; ++attempt) {
      auto connected = connect_once();
      if (connected || connected.error() != connection_errc::unreachable ||
          attempt >= retry.attempts) {
        return connected;
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, retry.max_delay);
    }
  }

  // An error on the current connection: nullopt when the connection was lost on the way (the
  // caller reconnects and sends again), else the error to report.
  std::optional<protocol::Result<HubReply>> failed(const beast::error_code& ec) {
    stream.reset();
    if (ec == beast::error::timeout) {
      return protocol::Result<HubReply>(make_error_code(connection_errc::timeout));
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::broken_pipe ||
        ec == ssl::error::stream_truncated || ec == http::error::partial_message) {
      return std::nullopt;
    }
    return protocol::Result<HubReply>(make_error_code(connection_errc::bad_response));
  }

  template <class Header>
  HubReply reply_of(const Header& response, std::string body) {
    HubReply reply{response.result_int(), std::string(response[http::field::content_type]),
                   std::move(body), 0};
    if (const auto retry_after = response.find(http::field::retry_after);
        retry_after != response.end()) {
      reply.retry_after_seconds = static_cast<unsigned>(
          std::strtoul(std::string(retry_after->value()).c_str(), nullptr, 10));
    }
    if (!response.keep_alive()) {
      stream.reset();  // the hub closes after this answer
    }
    return reply;
  }

  void restart_deadline() { beast::get_lowest_layer(*stream).expires_after(retry.io_timeout); }

  // Reads a whole (small) answer.
  std::optional<protocol::Result<HubReply>> read_reply() {
    restart_deadline();
    http::response<http::string_body> response;
    const auto ec = run([&](auto done) { http::async_read(*stream, buffer, response, done); });
    if (ec) {
      return failed(ec);
    }
    return protocol::Result<HubReply>(reply_of(response, std::move(response.body())));
  }

  // Reads only the header of an answer whose body may be large.
  beast::error_code read_header(http::response_parser<http::buffer_body>& parser) {
    parser.body_limit(boost::none);
    restart_deadline();
    return run([&](auto done) { http::async_read_header(*stream, buffer, parser, done); });
  }

  // One exchange on the current connection; nullopt when the connection was lost on the way.
  std::optional<protocol::Result<HubReply>> exchange_once(Request& request) {
    restart_deadline();
    if (const auto ec = run([&](auto done) { http::async_write(*stream, request, done); })) {
      return failed(ec);
    }
    return read_reply();
  }

  // Reads a body whose header is in `parser` in chunks, handing each to `consume`; every chunk
  // restarts the I/O deadline, so a large body on a slow line is fine and a stall is not.
  template <class Consume>
  beast::error_code read_body(http::response_parser<http::buffer_body>& parser, Consume consume) {
    std::vector<std::uint8_t> chunk(kChunk);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      restart_deadline();
      auto ec = run([&](auto done) { http::async_read(*stream, buffer, parser, done); });
      if (ec && ec != http::error::need_buffer) {
        return ec;
      }
      if (auto consumed = consume(std::span(chunk).first(chunk.size() - parser.get().body().size));
          !consumed) {
        return consumed.error();
      }
    }
    return {};
  }

  // A non-2xx answer to a streamed request: a problem document, read whole (it is small).
  std::optional<protocol::Result<HubReply>> read_problem(
      http::response_parser<http::buffer_body>& parser) {
    std::string body;
    const auto ec = read_body(parser, [&body](std::span<const std::uint8_t> bytes) {
      if (body.size() + bytes.size() > kMaxProblemBody) {
        return protocol::Result<void>(make_error_code(connection_errc::bad_response));
      }
      body.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return protocol::Result<void>();
    });
    if (ec) {
      return failed(ec);
    }
    return protocol::Result<HubReply>(reply_of(parser.get(), std::move(body)));
  }

  std::optional<protocol::Result<HubReply>> put_once(const std::string& target,
                                                     UploadSource& source,
                                                     std::string_view content_type) {
    if (auto rewound = source.rewind(); !rewound) {
      return protocol::Result<HubReply>(rewound.error());
    }
    http::request<http::empty_body> request{http::verb::put, target, 11};
    request.set(http::field::host, address.host);
    request.set(http::field::content_type, std::string(content_type));
    request.set(http::field::expect, "100-continue");
    request.content_length(source.size());
    request.keep_alive(true);
    http::request_serializer<http::empty_body> header(request);
    restart_deadline();
    auto ec = run([&](auto done) { http::async_write_header(*stream, header, done); });
    // The hub answers 100 Continue when it will take the body, or refuses at once.
    http::response_parser<http::buffer_body> first;
    if (!ec) {
      ec = read_header(first);
    }
    if (ec) {
      return failed(ec);
    }
    if (first.get().result() != http::status::continue_) {
      return read_problem(first);
    }
    std::vector<std::uint8_t> chunk(kChunk);
    for (std::uint64_t sent = 0; sent < source.size();) {
      auto n = source.read(chunk);
      if (!n) {
        stream.reset();  // the hub holds half a body: this connection cannot be used again
        return protocol::Result<HubReply>(n.error());
      }
      if (*n == 0) {
        stream.reset();
        return protocol::Result<HubReply>(make_error_code(connection_errc::upload_source_short));
      }
      restart_deadline();
      ec = run([&](auto done) { net::async_write(*stream, net::buffer(chunk.data(), *n), done); });
      if (ec) {
        return failed(ec);
      }
      sent += *n;
    }
    return read_reply();
  }

  std::optional<protocol::Result<HubReply>> get_into_once(const std::string& target,
                                                          DownloadSink& sink) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, address.host);
    request.keep_alive(true);
    restart_deadline();
    auto ec = run([&](auto done) { http::async_write(*stream, request, done); });
    http::response_parser<http::buffer_body> parser;
    if (!ec) {
      ec = read_header(parser);
    }
    if (ec) {
      return failed(ec);
    }
    if (parser.get().result_int() < 200 || parser.get().result_int() >= 300) {
      return read_problem(parser);
    }
    if (auto rewound = sink.rewind(); !rewound) {
      stream.reset();
      return protocol::Result<HubReply>(rewound.error());
    }
    protocol::Result<void> written;
    ec = read_body(parser, [&](std::span<const std::uint8_t> bytes) {
      written = bytes.empty() ? protocol::Result<void>() : sink.write(bytes);
      return written;
    });
    if (!written) {
      stream.reset();  // the rest of the body is still on its way: start afresh next time
      return protocol::Result<HubReply>(written.error());
    }
    if (ec) {
      return failed(ec);
    }
    return protocol::Result<HubReply>(reply_of(parser.get(), {}));
  }

  // Sends with `once` on a connection, reconnecting (with backoff) and sending again when the
  // connection was lost on the way.
  template <class Once>
  protocol::Result<HubReply> with_retries(Once once) {
    for (int attempt = 1;; ++attempt) {
      if (!stream) {
        if (auto connected = connect(); !connected) {
          return connected.error();
        }
      }
      // A keep-alive connection the hub has closed in the meantime shows up here.
      if (auto answer = once()) {
        return std::move(*answer);
      }
      if (attempt >= retry.attempts) {
        return make_error_code(connection_errc::unreachable);
      }
    }
  }

  protocol::Result<HubReply> exchange(Request& request) {
    request.version(11);
    request.set(http::field::host, address.host);
    request.keep_alive(true);
    request.prepare_payload();
    return with_retries([&] { return exchange_once(request); });
  }
};

namespace {

// The WebSocket runs on an io_context of its own, with one read kept outstanding between
// calls to next(): a frame that arrives while nobody waits is not lost.
class StreamNotifications final : public HubNotifications {
 public:
  explicit StreamNotifications(ssl::context& tls) : ws_(ioc_, tls) {}
  StreamNotifications(const StreamNotifications&) = delete;
  StreamNotifications& operator=(const StreamNotifications&) = delete;
  StreamNotifications(StreamNotifications&&) = delete;
  StreamNotifications& operator=(StreamNotifications&&) = delete;
  ~StreamNotifications() override {
    if (reading_) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      // The read completes (operation_aborted) before the stream goes; the WebSocket's own
      // ping timer may still be pending and is dropped with the io_context.
      ioc_.restart();
      while (!done_ && ioc_.run_one_for(std::chrono::milliseconds(100)) > 0) {
      }
    }
  }

  Stream& next_layer() { return ws_.next_layer(); }
  net::io_context& context() { return ioc_; }

  protocol::Result<void> upgrade(const std::string& host) {
    auto ec = run_on(ioc_, [&](auto done) { ws_.async_handshake(host, "/v1/stream", done); });
    if (ec) {
      return make_error_code(connection_errc::bad_response);
    }
    // From here the WebSocket keeps time itself: pings when idle, a dead hub noticed.
    beast::get_lowest_layer(ws_).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(64 * 1024);
    return {};
  }

  protocol::Result<std::string> next(std::chrono::milliseconds wait) override {
    if (!reading_) {
      reading_ = true;
      done_ = false;
      ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        result_ = ec;
        done_ = true;
      });
    }
    ioc_.restart();
    ioc_.run_for(wait);
    if (!done_) {
      return std::string();
    }
    reading_ = false;
    if (result_) {
      return make_error_code(connection_errc::unreachable);  // the stream ended
    }
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return frame;
  }

 private:
  net::io_context ioc_{1};
  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  bool reading_ = false;
  bool done_ = false;
  beast::error_code result_;
};

}  // namespace

protocol::Result<std::unique_ptr<HubNotifications>> HubConnection::listen() {
  auto notifications = std::make_unique<StreamNotifications>(impl_->tls);
  if (auto dialled = impl_->dial(notifications->context(), notifications->next_layer()); !dialled) {
    return dialled.error();
  }
  if (auto upgraded = notifications->upgrade(impl_->address.host); !upgraded) {
    return upgraded.error();
  }
  return std::unique_ptr<HubNotifications>(std::move(notifications));
}

protocol::Result<HubConnection> HubConnection::open(const HubAddress& address, const DeviceTls& tls,
                                                    RetryPolicy retry) {
  auto impl = std::make_unique<Impl>();
  impl->address = address;
  impl->retry = retry;
  SSL_CTX* native = impl->tls.native_handle();
  beast::error_code ec;
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1) {
    return make_error_code(connection_errc::tls_setup_failed);
  }
  impl->tls.set_verify_mode(ssl::verify_peer, ec);
  if (!ec) {
    impl->tls.load_verify_file(tls.ca.string(), ec);
  }
  if (!ec) {
    impl->tls.use_certificate_chain_file(tls.certificate.string(), ec);
  }
  if (!ec) {
    impl->tls.use_private_key_file(tls.private_key.string(), ssl::context::pem, ec);
  }
  if (ec || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return make_error_code(connection_errc::tls_setup_failed);
  }
  if (auto connected = impl->connect(); !connected) {
    return connected.error();
  }
  return HubConnection(std::move(impl));
}

HubConnection::HubConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubConnection::HubConnection(HubConnection&& other) noexcept = default;
HubConnection& HubConnection::operator=(HubConnection&& other) noexcept = default;
HubConnection::~HubConnection() = default;

protocol::Result<HubReply> HubConnection::get(std::string_view target) {
  Request request{http::verb::get, std::string(target), 11};
  return impl_->exchange(request);
}

protocol::Result<HubReply> HubConnection::post(std::string_view target,
                                               std::span<const std::uint8_t> body,
                                               std::string_view content_type) {
  Request request{http::verb::post, std::string(target), 11};
  request.set(http::field::content_type, std::string(content_type));
  request.body().assign(body.begin(), body.end());
  return impl_->exchange(request);
}

protocol::Result<HubReply> HubConnection::put(std::string_view target, UploadSource& body,
                                              std::string_view content_type) {
  const std::string path(target);
  return impl_->with_retries([&] { return impl_->put_once(path, body, content_type); });
}

protocol::Result<HubReply> HubConnection::get_into(std::string_view target, DownloadSink& sink) {
  const std::string path(target);
  return impl_->with_retries([&] { return impl_->get_into_once(path, sink); });
}

std::uint64_t HubConnection::connections_made() const noexcept { return impl_->connections; }

}  // namespace draaischijf::client
