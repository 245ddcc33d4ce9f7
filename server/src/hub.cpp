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
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/hub.hpp>

#include "api.hpp"
#include "blob_transfer.hpp"
#include "hub_policy.hpp"
#include "key_file.hpp"
#include "policy_gate.hpp"
#include "stop_signal.hpp"

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

// Every CRL in the folder (PEM, any number per file). An empty or unreadable folder is a startup
// error: without CRLs every client would be refused.
std::vector<certs::CrlPtr> load_crls(const std::filesystem::path& dir) {
  std::vector<certs::CrlPtr> crls;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".pem") {
      continue;
    }
    auto text = certs::read_text_file(entry.path());
    BIO* bio = text ? BIO_new_mem_buf(text->data(), static_cast<int>(text->size())) : nullptr;
    while (bio != nullptr) {
      X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
      if (crl == nullptr) {
        break;
      }
      crls.emplace_back(crl);
    }
    BIO_free(bio);
  }
  ERR_clear_error();
  if (ec || crls.empty()) {
    throw std::runtime_error("tls.crl_dir " + dir.string() +
                             " holds no CRL (*.pem): publish them with draaischijf-hub pki crl");
  }
  return crls;
}

// Mozilla "modern": TLS 1.3 only, its three suites; groups without ML-KEM (OpenSSL 3.0).
// Client chains are checked against the CRL of every CA in them, failing closed when one is
// missing or past its nextUpdate (OpenSSL's default for X509_V_FLAG_CRL_CHECK_ALL).
std::shared_ptr<ssl::context> make_tls_context(const TlsMaterial& tls,
                                               const std::filesystem::path& crl_dir) {
  const auto crls = load_crls(crl_dir);
  auto shared = std::make_shared<ssl::context>(ssl::context::tls_server);
  ssl::context& context = *shared;
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
  // An idle connection gives its record buffers back (tens of KiB each, thousands of them).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
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
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  for (const certs::CrlPtr& crl : crls) {
    if (X509_STORE_add_crl(store, crl.get()) != 1) {
      throw std::runtime_error("a CRL in tls.crl_dir cannot be used");
    }
  }
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return shared;
}

// The hub's receipt-signing key: created once, kept in data_dir with mode 0600. Its public half
// is written beside it at every start (`<name>.pub`, base64) for operators to hand to clients,
// which pin it to verify receipts.
protocol::SigningKey load_or_create_hub_key(const std::filesystem::path& path) {
  auto key = read_or_create_signing_key(path);
  auto public_path = path;
  public_path.replace_extension(".pub");
  if (!certs::write_file_atomically(public_path,
                                    protocol::base64_encode(key.public_key()) + "\n")) {
    throw std::runtime_error("cannot write " + public_path.string() +
                             "; check that server.data_dir is writable");
  }
  return key;
}

struct Metrics {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> crl_reloads_failed{0};
};

// Why the handshake failed, in OpenSSL's fixed words (never certificate contents).
std::string_view refusal_reason(SSL* ssl, const boost::system::error_code& error) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return X509_verify_cert_error_string(verify);
  }
  if (SSL_get0_peer_certificate(ssl) == nullptr && SSL_is_init_finished(ssl) == 0 &&
      error.category() == net::error::get_ssl_category()) {
    return "handshake failed (no acceptable client certificate)";
  }
  return "handshake failed";
}

}  // namespace

struct Hub::Impl {
  Impl(const HubConfig& c, const TlsMaterial& t, Logger& l, std::shared_ptr<Storage> s)
      : config(c),
        tls(t),
        log(l),
        tls_context(make_tls_context(t, c.tls.crl_dir)),
        crl_timer(ioc),
        acceptor(ioc),
        hub_key(load_or_create_hub_key(c.server.data_dir / "hub-signing.key")),
        storage(std::move(s)),
        store(storage, {static_cast<std::int64_t>(c.limits.mailbox_quota_bytes),
                        c.limits.mailbox_warning_fraction}),
        directory(storage),
        blobs(storage, c.server.data_dir / "blobs",
              {c.limits.max_blob_bytes, c.limits.blob_quota_bytes}),
        limiter(c.limits.rate_per_org, c.limits.rate_burst),
        policy(load_hub_policy(c)),
        consents(storage),
        gate(policy.rules, directory, consents),
        api({config, log, store, directory, notifier, limiter, hub_key, counters, consents, gate,
             policy}) {}

  HubConfig config;
  TlsMaterial tls;
  Logger& log;
  net::io_context ioc;
  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls_context;  // replaced when the CRLs are reloaded
  net::steady_timer crl_timer;
  tcp::acceptor acceptor;
  protocol::SigningKey hub_key;
  std::shared_ptr<Storage> storage;
  MessageStore store;
  Directory directory;
  BlobStore blobs;
  Notifier notifier;
  RateLimiter limiter;
  HubPolicy policy;
  ConsentRegistry consents;
  PolicyGate gate;
  ApiCounters counters;
  Api api;
  Metrics metrics;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  StopSignal stop_signal;
  std::function<void()> before_crl_reload;
  std::atomic<std::uint64_t> next_request{1};

  net::awaitable<void> accept_loop();
  net::awaitable<void> reload_crls();
  net::awaitable<void> drain();
  net::awaitable<void> session(beast::tcp_stream tcp);
  net::awaitable<void> stream_notifications(Stream& stream, const Caller& caller,
                                            const Request& upgrade);
  std::optional<Caller> identify(Stream& stream, std::uint64_t& seen_generation,
                                 std::string_view& refused);
  bool check_device(Caller& caller, std::uint64_t& seen_generation, std::string_view& refused);
  Response local_route(const Request& request, const std::string& request_id);
  std::string metrics_text() const;
  std::shared_ptr<ssl::context> current_tls() {
    const std::lock_guard lock(tls_mutex);
    return tls_context;
  }
};

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
          counters.envelopes_accepted);
  counter("draaischijf_envelopes_refused_total", "Envelopes refused.", counters.envelopes_refused);
  counter("draaischijf_policy_refused_total", "Envelopes the policy refused (also counted above).",
          counters.policy_refused);
  counter("draaischijf_rate_limited_total", "Requests refused by the organisation rate limit.",
          counters.rate_limited);
  counter("draaischijf_connections_refused_total", "Connections refused at the limit.",
          metrics.connections_refused);
  counter("draaischijf_tls_handshakes_failed_total", "TLS handshakes or identities refused.",
          metrics.handshakes_failed);
  counter("draaischijf_crl_reloads_failed_total", "CRL reloads that failed (old CRLs kept).",
          metrics.crl_reloads_failed);
  counter("draaischijf_connections_open", "Connections open now.", connections, "gauge");
  counter("draaischijf_stream_subscribers", "WebSocket notification subscribers now.",
          notifier.subscribers(), "gauge");
  counter("draaischijf_writer_queue", "Writes waiting for the group commit.",
          store.writer().queued(), "gauge");
  return out;
}

// Health, readiness and metrics: answered by the transport, never rate limited.
Response Hub::Impl::local_route(const Request& request, const std::string& request_id) {
  const std::string_view target(request.target().data(), request.target().size());
  Response response{http::status::ok, request.version()};
  response.keep_alive(request.keep_alive());
  if (request.method() == http::verb::get && (target == "/healthz" || target == "/readyz")) {
    // Alive while stopping, but not ready: a load balancer sends new work elsewhere.
    response.set(http::field::content_type, "application/json");
    response.body() = stopping ? R"({"status":"stopping"})" : R"({"status":"ok"})";
    if (stopping && target == "/readyz") {
      response.result(http::status::service_unavailable);
    }
  } else if (request.method() == http::verb::get && target == "/metrics") {
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics_text();
  } else {
    return problem_response(problem_type("not-found"), request.version(), request.keep_alive(),
                            request_id);
  }
  response.prepare_payload();
  return response;
}

// The client certificate maps to (organisation, type, role, device) before any handler runs:
// the organisation CA that issued it must speak for the organisation it names, the organisation
// must be in the directory with that type, and the device must not have been removed.
std::optional<Caller> Hub::Impl::identify(Stream& stream, std::uint64_t& seen_generation,
                                          std::string_view& refused) {
  SSL* ssl = stream.native_handle();
  auto identity = certs::device_identity(SSL_get0_peer_certificate(ssl));
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (!identity || chain == nullptr || sk_X509_num(chain) != 3) {
    refused = "certificate does not name a Draaischijf device";
    return std::nullopt;
  }
  auto issuer_org = certs::organisation_of_ca(sk_X509_value(chain, 1));
  if (!issuer_org || *issuer_org != identity->org_id) {
    refused = "organisation CA does not speak for the certificate's organisation";
    return std::nullopt;
  }
  Caller caller;
  const auto org = protocol::hex_decode(identity->org_id);
  const auto device = protocol::hex_decode(identity->device_id);
  std::copy(org->begin(), org->end(), caller.org_id.begin());
  std::copy(device->begin(), device->end(), caller.device_id.begin());
  caller.role = identity->role;
  caller.admin = identity->role == protocol::name_of(protocol::StaffRole::organisation_admin);
  auto organisation = directory.organisation(caller.org_id);
  if (!organisation || protocol::name_of(organisation->type) != identity->org_type) {
    refused = "unknown-organisation";
    return std::nullopt;
  }
  caller.org_type = organisation->type;
  if (!check_device(caller, seen_generation, refused)) {
    return std::nullopt;
  }
  return caller;
}

// The device's state in the directory: a removed device (or one the directory knows under
// another organisation) is refused; enrolled or not decides what it may do. The generation is
// read before the lookup, so a change committed meanwhile is looked at again next time.
bool Hub::Impl::check_device(Caller& caller, std::uint64_t& seen_generation,
                             std::string_view& refused) {
  seen_generation = directory.device_generation();
  if (auto known = directory.device(caller.device_id)) {
    if (known->org_id != caller.org_id || known->state == DeviceState::removed) {
      refused = "device-removed";
      return false;
    }
    caller.enrolled = known->state == DeviceState::enrolled;
  }
  return true;
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
  const auto context = current_tls();  // this connection keeps the CRLs it started with
  Stream stream(std::move(tcp), *context);
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_after(config.limits.read_deadline);
  ERR_clear_error();
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (handshake_error) {
    ++metrics.handshakes_failed;
    log.info("tls.refused", {{"reason", refusal_reason(stream.native_handle(), handshake_error)}});
    co_return;
  }
  std::string_view refused;
  std::uint64_t seen_generation = 0;
  auto identified = identify(stream, seen_generation, refused);
  if (!identified) {
    ++metrics.handshakes_failed;
    log.info("tls.refused", {{"reason", refused}});
    if (refused == "unknown-organisation" || refused == "device-removed") {
      // Said once, before any request is read, and the connection ends.
      auto response =
          problem_response(problem_type(refused), 11, false, std::to_string(next_request++));
      co_await http::async_write(stream, response, kNoThrow);
    }
    socket.expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(kNoThrow);
    co_return;
  }
  Caller& caller = *identified;

  // A stop cancels the wait for a client's next request. Registered once per connection; the
  // wake runs on this session's strand and touches the socket only while `idle` is set, which
  // is only while this coroutine waits in the read below (so the socket is alive).
  auto idle = std::make_shared<bool>(false);
  const auto on_stop = stop_signal.add([idle, &socket] {
    net::post(socket.get_executor(), [idle, &socket] {
      if (*idle) {
        socket.cancel();
      }
    });
  });
  beast::flat_buffer buffer(kReadBuffer);
  while (!stopping) {
    if (buffer.size() == 0) {
      socket.expires_after(config.limits.idle_timeout);
      *idle = true;
      auto [idle_error, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
      *idle = false;
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
    // The larger of the two limits until the route is known (an attachment upload may be
    // larger than an envelope); other requests are held to the envelope limit below.
    parser.body_limit(
        std::max<std::uint64_t>(config.limits.max_envelope_bytes, config.limits.max_blob_bytes));
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
        const std::string_view target(parser.get().target().data(), parser.get().target().size());
        auto response = problem_response(
            problem_type(is_blob_target(target) ? "blob-too-large" : "envelope-too-large"),
            parser.get().version(), false, request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (header_error == http::error::header_limit) {
        auto response = problem_response(problem_type("header-too-large"), parser.get().version(),
                                         false, request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (header_error.category() ==
                 http::make_error_code(http::error::bad_method).category()) {
        // Beast's messages are fixed strings: safe to pass on as the reason.
        auto response =
            problem_response(problem_type("malformed-request"), parser.get().version(), false,
                             request_id, "Reason: " + header_error.message() + ".");
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      }
      break;
    }
    ++metrics.requests;
    if (const auto reason = framing_error(parser.get()); !reason.empty()) {
      auto response = problem_response(problem_type("malformed-request"), parser.get().version(),
                                       false, request_id, std::string(reason) + " is refused.");
      response.keep_alive(false);
      co_await http::async_write(stream, response, kNoThrow);
      break;
    }
    if (directory.device_generation() != seen_generation &&
        !check_device(caller, seen_generation, refused)) {
      // Removed while connected: this request is the last one the connection carries.
      log.info("device.refused", {{"reason", refused}});
      auto response =
          problem_response(problem_type(refused), parser.get().version(), false, request_id);
      co_await http::async_write(stream, response, kNoThrow);
      break;
    }
    const std::string_view head_target(parser.get().target().data(), parser.get().target().size());
    if (is_blob_target(head_target)) {
      const bool keep_alive =
          co_await serve_blob({config, log, blobs, directory, limiter, counters, api}, stream,
                              buffer, parser, caller, request_id);
      if (!keep_alive || stopping) {
        break;
      }
      continue;
    }
    if (parser.content_length().value_or(0) > config.limits.max_envelope_bytes) {
      // Refused from its Content-Length, before any of the body is read.
      auto response = problem_response(problem_type("envelope-too-large"), parser.get().version(),
                                       false, request_id);
      co_await http::async_write(stream, response, kNoThrow);
      break;
    }
    parser.body_limit(config.limits.max_envelope_bytes);  // for a chunked body
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (body_error) {
      if (body_error == http::error::body_limit) {
        auto response = problem_response(problem_type("envelope-too-large"), parser.get().version(),
                                         false, request_id);
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      } else if (body_error != beast::error::timeout && body_error != http::error::end_of_stream) {
        auto response = problem_response(problem_type("malformed-request"), parser.get().version(),
                                         false, request_id, "The request could not be read.");
        response.keep_alive(false);
        co_await http::async_write(stream, response, kNoThrow);
      }
      break;
    }
    Request request = parser.release();
    const std::string_view target(request.target().data(), request.target().size());
    if (target == "/v1/stream" && beast::websocket::is_upgrade(request)) {
      co_await stream_notifications(stream, caller, request);
      co_return;  // the WebSocket ended the connection
    }
    // Not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    Response response;
    if (target.starts_with("/v1/")) {
      response = co_await api.handle(caller, request, request_id);
    } else {
      response = local_route(request, request_id);
    }
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
  // A peer that does not answer the close_notify must not hold up a stop for long.
  socket.expires_after(stopping ? std::chrono::seconds(1) : std::chrono::seconds(5));
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
  if (config.tls.crl_dir.empty()) {
    throw std::runtime_error("tls.crl_dir is not set: the hub refuses to run without CRLs");
  }
  auto storage = Storage::open((config.server.data_dir / "hub.db").string(),
                               {config.limits.writer_queue, config.limits.writer_batch});
  if (!storage) {
    throw std::runtime_error("cannot open the database in " + config.server.data_dir.string() +
                             ": " + storage.error().message());
  }
  auto impl = std::make_unique<Impl>(config, tls, log, std::move(*storage));
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

Directory& Hub::directory() { return impl_->directory; }

void Hub::before_crl_reload(std::function<void()> hook) {
  impl_->before_crl_reload = std::move(hook);
}

// New connections pick up CRLs published since the last look; a folder that cannot be read
// keeps the CRLs in use (they still expire, and then every handshake fails closed).
net::awaitable<void> Hub::Impl::reload_crls() {
  while (!stopping) {
    crl_timer.expires_after(config.tls.crl_reload_interval);
    auto [cancelled] = co_await crl_timer.async_wait(kNoThrow);
    if (cancelled || stopping) {
      co_return;
    }
    try {
      if (before_crl_reload) {
        before_crl_reload();
      }
      auto fresh = make_tls_context(tls, config.tls.crl_dir);
      const std::lock_guard lock(tls_mutex);
      tls_context = std::move(fresh);
    } catch (const std::exception& failure) {
      ++metrics.crl_reloads_failed;
      log.error("crl.reload_failed", {{"reason", std::string_view(failure.what())}});
    }
  }
}

// Notifications over a WebSocket: for each envelope queued to a mailbox the device is a current
// member of, {"mailbox_id", "sequence"}. Membership is checked again for every notification, so
// a device removed from a mailbox hears nothing more of it.
net::awaitable<void> Hub::Impl::stream_notifications(Stream& stream, const Caller& caller,
                                                     const Request& upgrade) {
  namespace websocket = beast::websocket;
  websocket::stream<Stream&> ws(stream);
  beast::get_lowest_layer(stream).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(4096);
  auto [accept_error] = co_await ws.async_accept(upgrade, kNoThrow);
  if (accept_error) {
    co_return;
  }
  struct Pending {
    std::deque<Notification> queue;
    net::steady_timer wake;
    bool closed = false;
    explicit Pending(const net::any_io_executor& executor) : wake(executor) {}
  };
  const auto executor = co_await net::this_coro::executor;
  auto pending = std::make_shared<Pending>(executor);
  pending->wake.expires_at(net::steady_timer::time_point::max());
  const auto on_stop = stop_signal.add(
      [pending, executor] { net::post(executor, [pending] { pending->wake.cancel(); }); });
  const auto mailboxes = api.stream_mailboxes(caller);
  const auto token =
      notifier.subscribe(mailboxes, [pending, executor](const Notification& notification) {
        net::post(executor, [pending, notification] {
          pending->queue.push_back(notification);
          pending->wake.cancel();
        });
      });
  // Reads only to see the client go away (and to answer its pings and close frames).
  net::co_spawn(
      executor,
      [&ws, pending]() -> net::awaitable<void> {
        beast::flat_buffer incoming;
        while (true) {
          auto [read_error, n] = co_await ws.async_read(incoming, kNoThrow);
          if (read_error) {
            break;
          }
          incoming.consume(n);
        }
        pending->closed = true;
        pending->wake.cancel();
      },
      net::detached);
  boost::json::array subscribed;
  for (const protocol::Id& m : mailboxes) {
    subscribed.emplace_back(protocol::hex_encode(m));
  }
  std::string hello = boost::json::serialize(
      boost::json::object{{"type", "subscribed"}, {"mailboxes", std::move(subscribed)}});
  ws.text(true);
  auto [hello_error, hello_sent] = co_await ws.async_write(net::buffer(hello), kNoThrow);
  while (!hello_error && !pending->closed && !stopping) {
    if (pending->queue.empty()) {
      pending->wake.expires_at(net::steady_timer::time_point::max());
      co_await pending->wake.async_wait(kNoThrow);
      continue;
    }
    const Notification notification = pending->queue.front();
    pending->queue.pop_front();
    if (!api.still_member(caller, notification.mailbox)) {
      continue;
    }
    boost::json::object frame{
        {"type", notification.notice == Notice::message ? "message" : "withdrawn"},
        {"mailbox_id", protocol::hex_encode(notification.queue_mailbox)},
        {"sequence", notification.sequence}};
    if (notification.notice == Notice::withdrawn) {
      frame["message_id"] = protocol::hex_encode(notification.message_id);
    }
    const std::string note = boost::json::serialize(frame);
    auto [write_error, written] = co_await ws.async_write(net::buffer(note), kNoThrow);
    if (write_error) {
      break;
    }
  }
  notifier.unsubscribe(token);
  if (stopping) {
    // A client that does not answer the close frame must not hold up the stop.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(1);
    ws.set_option(timeouts);
  }
  if (!pending->closed) {
    co_await ws.async_close(websocket::close_code::going_away, kNoThrow);
  }
  // The reader ends with the connection; wait for it so `ws` outlives it.
  while (!pending->closed) {
    pending->wake.expires_after(std::chrono::milliseconds(10));
    co_await pending->wake.async_wait(kNoThrow);
  }
}

void Hub::run() {
  Impl& hub = *impl_;
  net::co_spawn(hub.ioc, hub.accept_loop(), net::detached);
  net::co_spawn(hub.ioc, hub.reload_crls(), net::detached);
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

// Requests in flight finish; connections close after their current request; idle keep-alive
// connections and WebSockets are woken and closed. Ten seconds at most before the I/O stops.
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
    hub.crl_timer.cancel();
    hub.stop_signal.fire();
    net::co_spawn(hub.ioc, hub.drain(), net::detached);
  });
}

}  // namespace draaischijf::server
