#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <openssl/ssl.h>

#include <draaischijf/certs/pki.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/admission.hpp>
#include <draaischijf/server/hub.hpp>
#include <draaischijf/server/message_store.hpp>
#include <draaischijf/server/problem.hpp>

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::vector_body<std::uint8_t>>;
using Response = http::response<http::string_body>;

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::size_t kMaxChunkHeader = 8 * 1024;

// Mozilla "modern": TLS 1.3 only, its three suites; groups without ML-KEM (OpenSSL 3.0).
ssl::context make_tls_context(const TlsMaterial& tls) {
  ssl::context context(ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(
          native, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") !=
          1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    throw std::runtime_error("OpenSSL refused the TLS 1.3 settings");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  boost::system::error_code ec;
  context.use_certificate_chain(net::buffer(tls.certificate_chain), ec);
  if (ec) {
    throw std::runtime_error("tls.certificate is not a usable PEM certificate chain");
  }
  context.use_private_key(net::buffer(tls.private_key), ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("tls.private_key is not a usable PEM private key for the certificate");
  }
  context.add_certificate_authority(net::buffer(tls.client_ca), ec);
  if (ec) {
    throw std::runtime_error("tls.client_ca is not a usable PEM CA certificate");
  }
  // A client certificate is required, checked for the client purpose, at most root -> org CA ->
  // device.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);
  return context;
}

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The hub's receipt-signing key: created once, kept in data_dir with mode 0600.
protocol::SigningKey load_or_create_hub_key(const std::filesystem::path& path) {
  protocol::SecretKey<32> seed;
  const int existing = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (existing >= 0) {
    const auto n = ::read(existing, seed.expose_mutable().data(), seed.kSize);
    ::close(existing);
    if (n != static_cast<ssize_t>(seed.kSize)) {
      throw std::runtime_error(path.string() + " is damaged: restore it from backup");
    }
    return protocol::SigningKey::from_seed(seed);
  }
  seed = protocol::SecretKey<32>::random();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, seed.expose().data(), seed.kSize) != static_cast<ssize_t>(seed.kSize) ||
      ::fsync(fd) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    throw std::runtime_error("cannot write the hub key to " + path.string() +
                             "; check that server.data_dir is writable");
  }
  ::close(fd);
  return protocol::SigningKey::from_seed(seed);
}

struct Metrics {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> envelopes_accepted{0};
  std::atomic<std::uint64_t> envelopes_refused{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
};

// Completes the store's callback (on the writer thread) on the session's executor.
template <class Token>
auto async_submit(MessageStore& store, Submission submission, Token&& token) {
  return net::async_initiate<Token, void(sqlite::Result<Accepted>)>(
      [&store](auto handler, Submission s) {
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        auto executor = net::get_associated_executor(*shared);
        auto complete = [shared, executor](sqlite::Result<Accepted> result) {
          net::post(executor, [shared, result]() mutable { std::move (*shared)(result); });
        };
        if (!store.submit(std::move(s), complete)) {
          complete(make_error_code(store_errc::overloaded));
        }
      },
      token, std::move(submission));
}

}  // namespace

struct Hub::Impl {
  Impl(const HubConfig& c, const TlsMaterial& tls, Logger& l)
      : config(c),
        log(l),
        tls_context(make_tls_context(tls)),
        acceptor(ioc),
        hub_key(load_or_create_hub_key(c.server.data_dir / "hub-signing.key")) {}

  HubConfig config;
  Logger& log;
  net::io_context ioc;
  ssl::context tls_context;
  tcp::acceptor acceptor;
  protocol::SigningKey hub_key;
  std::unique_ptr<MessageStore> store;
  Metrics metrics;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_request{1};

  net::awaitable<void> accept_loop();
  net::awaitable<void> drain();
  net::awaitable<void> session(beast::tcp_stream tcp);
  net::awaitable<Response> handle(const certs::DeviceIdentity& who, const protocol::Id& org,
                                  Request& request, const std::string& request_id);
  Response problem(const ProblemType& kind, const Request& request, const std::string& request_id,
                   std::string extra = {});
  Response json(http::status status, const boost::json::value& body, const Request& request);
  std::string metrics_text() const;
};

Response Hub::Impl::problem(const ProblemType& kind, const Request& request,
                            const std::string& request_id, std::string extra) {
  Response response{static_cast<http::status>(kind.status), request.version()};
  response.set(http::field::content_type, "application/problem+json");
  response.body() = to_json(Problem{kind, request_id, {}, std::move(extra)});
  if (kind.status == 503 || kind.status == 429) {
    response.set(http::field::retry_after, "1");
  }
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

Response Hub::Impl::json(http::status status, const boost::json::value& body,
                         const Request& request) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = boost::json::serialize(body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

std::string Hub::Impl::metrics_text() const {
  std::string out;
  const auto counter = [&out](std::string_view name, std::string_view help, std::uint64_t value,
                              std::string_view type = "counter") {
    out += "# HELP ";
    out += name;
    out += " ";
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " ";
    out += type;
    out += "\n";
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  counter("draaischijf_requests_total", "HTTP requests read.", metrics.requests);
  counter("draaischijf_envelopes_accepted_total", "Envelopes stored and acknowledged.",
          metrics.envelopes_accepted);
  counter("draaischijf_envelopes_refused_total", "Envelopes refused.", metrics.envelopes_refused);
  counter("draaischijf_connections_refused_total", "Connections refused at the limit.",
          metrics.connections_refused);
  counter("draaischijf_tls_handshakes_failed_total", "TLS handshakes that failed.",
          metrics.handshakes_failed);
  counter("draaischijf_connections_open", "Connections open now.", connections, "gauge");
  counter("draaischijf_writer_queue", "Writes waiting for the group commit.",
          store->writer().queued(), "gauge");
  return out;
}

net::awaitable<Response> Hub::Impl::handle(const certs::DeviceIdentity& who,
                                           const protocol::Id& org, Request& request,
                                           const std::string& request_id) {
  const std::string_view target(request.target().data(), request.target().size());
  if (request.method() == http::verb::get && (target == "/healthz" || target == "/readyz")) {
    co_return json(http::status::ok, {{"status", stopping ? "stopping" : "ok"}}, request);
  }
  if (request.method() == http::verb::get && target == "/metrics") {
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics_text();
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    co_return response;
  }
  if (target == "/v1/envelopes") {
    if (request.method() != http::verb::post) {
      co_return problem(problem_type("not-found"), request, request_id);
    }
    AdmissionLimits limits;
    limits.max_envelope_bytes = config.limits.max_envelope_bytes;
    limits.max_clock_skew = config.limits.max_clock_skew;
    auto admitted = admit(request.body(), {org}, std::chrono::system_clock::now(), limits);
    if (!admitted) {
      ++metrics.envelopes_refused;
      log.info("envelope.refused", {{"request_id", std::string_view(request_id)},
                                    {"org", std::string_view(who.org_id)},
                                    {"reason", std::string_view(admitted.error().message())}});
      co_return problem(problem_type_for(admitted.error()), request, request_id);
    }
    Submission submission;
    submission.message_id = admitted->outer.message_id;
    submission.sender_org = org;
    if (auto device = protocol::hex_decode(who.device_id); device && device->size() == 16) {
      std::copy(device->begin(), device->end(), submission.sender_device.begin());
    }
    submission.kind = admitted->outer.kind;
    submission.recipients = admitted->outer.recipients;
    submission.received_at_ms = now_ms();
    submission.envelope = std::move(request.body());
    auto accepted = co_await async_submit(*store, std::move(submission), net::use_awaitable);
    if (!accepted) {
      ++metrics.envelopes_refused;
      co_return problem(problem_type_for(accepted.error()), request, request_id);
    }
    ++metrics.envelopes_accepted;
    const auto receipt =
        protocol::sign_receipt(admitted->outer.message_id, accepted->envelope_hash,
                               static_cast<std::uint64_t>(accepted->received_at_ms),
                               static_cast<std::uint64_t>(accepted->sequence), hub_key);
    log.info("envelope.accepted", {{"request_id", std::string_view(request_id)},
                                   {"org", std::string_view(who.org_id)},
                                   {"sequence", accepted->sequence},
                                   {"duplicate", accepted->duplicate}});
    boost::json::object body{{"message_id", hex(admitted->outer.message_id)},
                             {"sequence", accepted->sequence},
                             {"received_at_ms", accepted->received_at_ms},
                             {"envelope_hash", hex(accepted->envelope_hash)},
                             {"duplicate", accepted->duplicate},
                             {"receipt", protocol::base64_encode(protocol::encode(receipt))}};
    co_return json(accepted->duplicate ? http::status::conflict : http::status::created, body,
                   request);
  }
  co_return problem(problem_type("not-found"), request, request_id);
}

namespace {

// Request smuggling defences Beast 1.81 lacks (upstream v361): refuse Content-Length together
// with Transfer-Encoding, a Transfer-Encoding that does not end in chunked, and chunked HTTP/1.0.
std::string_view framing_error(const Request& request) {
  const bool has_length = request.find(http::field::content_length) != request.end();
  const auto encoding = request.find(http::field::transfer_encoding);
  if (encoding == request.end()) {
    return {};
  }
  if (has_length) {
    return "Content-Length together with Transfer-Encoding";
  }
  std::string value(encoding->value());
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.pop_back();
  }
  const std::size_t comma = value.rfind(',');
  std::string last = value.substr(comma == std::string::npos ? 0 : comma + 1);
  last.erase(0, last.find_first_not_of(" \t"));
  if (!beast::iequals(last, "chunked")) {
    return "Transfer-Encoding that does not end in chunked";
  }
  if (request.version() < 11) {
    return "chunked Transfer-Encoding in HTTP/1.0";
  }
  return {};
}

}  // namespace

net::awaitable<void> Hub::Impl::session(beast::tcp_stream tcp) {
  Stream stream(std::move(tcp), tls_context);
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_after(config.limits.read_deadline);
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (handshake_error) {
    ++metrics.handshakes_failed;
    co_return;
  }
  // The certificate maps to an identity before any handler runs; without one, nothing runs.
  auto identity = certs::device_identity(SSL_get0_peer_certificate(stream.native_handle()));
  auto org_bytes = identity
                       ? protocol::hex_decode(identity->org_id)
                       : protocol::Result<std::vector<std::uint8_t>>(protocol::errc::non_canonical);
  if (!identity || !org_bytes || org_bytes->size() != 16) {
    ++metrics.handshakes_failed;
    co_return;
  }
  protocol::Id org{};
  std::copy(org_bytes->begin(), org_bytes->end(), org.begin());

  beast::flat_buffer buffer(kReadBuffer);
  while (!stopping) {
    if (buffer.size() == 0) {
      socket.expires_after(config.limits.idle_timeout);
      auto [idle_error, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
      if (idle_error) {
        break;
      }
      buffer.commit(n);
    }
    // One deadline for the whole request: a slow client cannot hold the connection longer.
    socket.expires_after(config.limits.read_deadline);
    const std::string request_id = std::to_string(next_request++);
    http::request_parser<http::vector_body<std::uint8_t>> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.limits.max_header_bytes));
    parser.body_limit(config.limits.max_envelope_bytes);
    auto on_chunk = [](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
      if (extensions.size() > kMaxChunkHeader) {
        ec = http::error::bad_chunk_extension;
      }
    };
    parser.on_chunk_header(on_chunk);
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    if (header_error) {
      if (header_error == http::error::body_limit) {
        // A Content-Length above the limit is refused before any of the body is read.
        auto response = problem(problem_type("envelope-too-large"), parser.get(), request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (header_error == http::error::header_limit) {
        auto response = problem(problem_type("header-too-large"), parser.get(), request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (header_error.category() ==
                 http::make_error_code(http::error::bad_method).category()) {
        // Beast's messages are fixed strings: safe to pass on as the reason.
        auto response = problem(problem_type("malformed-request"), parser.get(), request_id,
                                "Reason: " + header_error.message() + ".");
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      }
      break;
    }
    ++metrics.requests;
    if (const auto reason = framing_error(parser.get()); !reason.empty()) {
      auto response = problem(problem_type("malformed-request"), parser.get(), request_id,
                              std::string(reason) + " is refused.");
      response.keep_alive(false);
      co_await http::async_write(stream, response, kNoThrow);
      break;
    }
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (body_error) {
      if (body_error == http::error::body_limit) {
        auto response = problem(problem_type("envelope-too-large"), parser.get(), request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (body_error != beast::error::timeout && body_error != http::error::end_of_stream) {
        auto response = problem(problem_type("malformed-request"), parser.get(), request_id,
                                "The request could not be read.");
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      }
      break;
    }
    Request request = parser.release();
    Response response = co_await handle(*identity, org, request, request_id);
    response.set("X-Request-Id", request_id);
    if (stopping) {
      response.keep_alive(false);
    }
    const bool keep_alive = response.keep_alive();
    auto [write_error, written] = co_await http::async_write(stream, response, kNoThrow);
    if (write_error || !keep_alive) {
      break;
    }
  }
  socket.expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(kNoThrow);
}

net::awaitable<void> Hub::Impl::accept_loop() {
  while (!stopping) {
    auto [error, socket] = co_await acceptor.async_accept(net::make_strand(ioc), kNoThrow);
    if (error) {
      if (error == net::error::operation_aborted || stopping) {
        co_return;
      }
      continue;  // EMFILE and the like: keep serving the connections we have
    }
    if (connections >= config.limits.max_connections) {
      // Refused at once and cleanly: the others keep being served.
      ++metrics.connections_refused;
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      continue;
    }
    ++connections;
    beast::tcp_stream stream(std::move(socket));
    auto executor = stream.get_executor();
    net::co_spawn(executor, session(std::move(stream)), [this](std::exception_ptr failure) {
      --connections;
      if (failure) {
        log.error("session.failed");
      }
    });
  }
}

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Hub::~Hub() = default;

std::unique_ptr<Hub> Hub::create(const HubConfig& config, const TlsMaterial& tls, Logger& log) {
  std::error_code created;
  std::filesystem::create_directories(config.server.data_dir, created);
  if (created) {
    throw std::runtime_error("cannot create server.data_dir " + config.server.data_dir.string());
  }
  auto impl = std::make_unique<Impl>(config, tls, log);
  auto store = MessageStore::open((config.server.data_dir / "hub.db").string(),
                                  {config.limits.writer_queue, config.limits.writer_batch});
  if (!store) {
    throw std::runtime_error("cannot open the database in " + config.server.data_dir.string() +
                             ": " + store.error().message());
  }
  impl->store = std::move(*store);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.server.listen_address, ec);
  if (ec) {
    throw std::runtime_error("server.listen_address is not an IP address");
  }
  const tcp::endpoint endpoint(address, config.server.listen_port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    impl->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw std::runtime_error("cannot listen on " + config.server.listen_address + ":" +
                             std::to_string(config.server.listen_port) + ": " + ec.message());
  }
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

std::uint16_t Hub::port() const { return impl_->acceptor.local_endpoint().port(); }

void Hub::run() {
  Impl& hub = *impl_;
  net::co_spawn(hub.ioc, hub.accept_loop(), net::detached);
  hub.log.info("listening", {{"port", static_cast<std::int64_t>(port())}});
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < hub.config.server.threads; ++i) {
    threads.emplace_back([&hub] { hub.ioc.run(); });
  }
  hub.ioc.run();
  for (auto& thread : threads) {
    thread.join();
  }
}

// Requests in flight finish; connections close after their current request. Idle keep-alive
// connections are given up to ten seconds before the I/O stops.
net::awaitable<void> Hub::Impl::drain() {
  net::steady_timer timer(ioc);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (connections > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kNoThrow);
  }
  ioc.stop();
}

void Hub::stop() {
  Impl& hub = *impl_;
  net::post(hub.ioc, [&hub] {
    hub.stopping = true;
    boost::system::error_code ignored;
    hub.acceptor.close(ignored);
    net::co_spawn(hub.ioc, hub.drain(), net::detached);
  });
}

}  // namespace draaischijf::server
