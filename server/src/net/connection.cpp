#include "net/connection.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <openssl/err.h>

#include <draaischijf/protocol/encoding.hpp>

#include "net/http.hpp"
#include "net/tls.hpp"

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;

constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::size_t kMaxChunkHeader = 8 * 1024;

// One connection after its handshake: what the request loop carries from one request to the
// next.
struct Connection {
  Connection(Services& services, TlsStream& tls, Caller identified, std::uint64_t generation)
      : s(services), stream(tls), caller(std::move(identified)), seen_generation(generation) {}

  Services& s;
  TlsStream& stream;
  Caller caller;
  std::uint64_t seen_generation = 0;
  bool first_request = true;  // waits under limits.first_request_deadline, not the idle timeout
  beast::flat_buffer buffer{kReadBuffer};
  std::shared_ptr<bool> idle = std::make_shared<bool>(false);
};

std::string_view target_of(const Request& request) {
  return {request.target().data(), request.target().size()};
}

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

// RFC 9112 3.2: exactly one Host (an HTTP/1.0 request may have none).
bool host_ok(const Request& request) {
  const auto hosts = request.count(http::field::host);
  return hosts == 1 || (hosts == 0 && request.version() < 11);
}

// Beast joins obs-folded lines (RFC 9112 5.2) into one value, so a folded Transfer-Encoding
// would pass the framing checks: the raw header is looked at first, and any fold is refused.
bool has_obs_fold(std::string_view head) {
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos && at + 2 < head.size();
       at = head.find("\r\n", at + 2)) {
    if (head[at + 2] == ' ' || head[at + 2] == '\t') {
      return true;
    }
  }
  return false;
}

// Reads until the buffer holds the whole header (or cannot: too large, gone, too slow; Beast's
// own read then says what is wrong) and tells whether it folds a line.
net::awaitable<bool> header_is_folded(Connection& c) {
  const std::size_t bound = std::min(c.s.config.limits.max_header_bytes, kReadBuffer - 4096);
  while (true) {
    const std::string_view data(static_cast<const char*>(c.buffer.data().data()), c.buffer.size());
    if (const auto end = data.find("\r\n\r\n"); end != std::string_view::npos) {
      co_return has_obs_fold(data.substr(0, end + 2));
    }
    if (data.size() > bound) {
      co_return false;
    }
    auto [error, n] = co_await c.stream.async_read_some(c.buffer.prepare(4096), kNoThrow);
    if (error) {
      co_return false;
    }
    c.buffer.commit(n);
  }
}

// A refusal while a body may be on its way: the problem, then the linger.
net::awaitable<void> refuse_and_linger(TlsStream& stream, ProblemKind kind, unsigned version,
                                       std::string request_id, std::string extra = {}) {
  co_await refuse_and_close(stream, kind, version, std::move(request_id), std::move(extra));
  co_await linger(stream);
}

// What a request header that could not be read is answered with; nullopt when there is nothing
// to say (the client went away or was too slow).
std::optional<std::pair<ProblemKind, std::string>> header_refusal(const beast::error_code& error,
                                                                  std::string_view target) {
  if (error == http::error::body_limit) {
    // A Content-Length above the limit is refused before any of the body is read.
    return std::pair{
        is_blob_target(target) ? ProblemKind::blob_too_large : ProblemKind::envelope_too_large,
        std::string()};
  }
  if (error == http::error::header_limit) {
    return std::pair{ProblemKind::header_too_large, std::string()};
  }
  if (error.category() == http::make_error_code(http::error::bad_method).category()) {
    // Beast's messages are fixed strings: safe to pass on as the reason.
    return std::pair{ProblemKind::malformed_request, "Reason: " + error.message() + "."};
  }
  return std::nullopt;
}

void configure(RequestParser& parser, const HubConfig& config) {
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
}

// Waits for the first bytes of the next request under the idle timeout; false when the client
// went away, timed out or the hub is stopping (the stop cancels this wait).
net::awaitable<bool> await_request(Connection& c) {
  if (c.buffer.size() > 0) {
    c.first_request = false;
    co_return true;
  }
  beast::get_lowest_layer(c.stream).expires_after(
      c.first_request ? c.s.config.limits.first_request_deadline : c.s.config.limits.idle_timeout);

  // An idle connection holds no read buffer: the wait is for the request's first byte (the
  // TLS stream decrypts its record and keeps the rest), and the buffer is taken once it came.
  c.buffer.shrink_to_fit();
  char first = 0;
  *c.idle = true;
  auto [idle_error, n] = co_await c.stream.async_read_some(net::buffer(&first, 1), kNoThrow);
  *c.idle = false;
  c.first_request = false;
  if (idle_error || n == 0) {
    co_return false;
  }
  net::buffer_copy(c.buffer.prepare(1), net::buffer(&first, 1));
  c.buffer.commit(1);
  co_return true;
}

enum class Read { close, served, ready };

// Reads one request under the limits. `served`: a blob route answered it already; `ready`: the
// whole request is in `parser`; `close`: the connection ends (after a refusal if one is due).
net::awaitable<Read> read_request(Connection& c, RequestParser& parser,
                                  const std::string& request_id) {
  const auto& limits = c.s.config.limits;
  if (co_await header_is_folded(c)) {
    co_await refuse_and_linger(c.stream, ProblemKind::malformed_request, 11, request_id,
                               "Obsolete line folding (RFC 9112 5.2) is refused.");
    co_return Read::close;
  }
  auto [header_error, header_bytes] =
      co_await http::async_read_header(c.stream, c.buffer, parser, kNoThrow);
  const unsigned version = parser.get().version();
  if (header_error) {
    if (auto refusal = header_refusal(header_error, target_of(parser.get()))) {
      co_await refuse_and_linger(c.stream, refusal->first, version, request_id,
                                 std::move(refusal->second));
    }
    co_return Read::close;
  }
  ++c.s.metrics.requests;
  if (!host_ok(parser.get())) {
    co_await refuse_and_linger(c.stream, ProblemKind::malformed_request, version, request_id,
                               "A request needs exactly one Host header (RFC 9112 3.2).");
    co_return Read::close;
  }
  if (const auto reason = framing_error(parser.get()); !reason.empty()) {
    co_await refuse_and_linger(c.stream, ProblemKind::malformed_request, version, request_id,
                               std::string(reason) + " is refused.");
    co_return Read::close;
  }
  if (c.s.directory.device_generation() != c.seen_generation &&
      !check_device(c.s.directory, c.caller, c.seen_generation)) {
    // Removed while connected: this request is the last one the connection carries.
    c.s.log.info("device.refused", {{"reason", kDeviceRemoved}});
    co_await refuse_and_close(c.stream, ProblemKind::device_removed, version, request_id);
    co_return Read::close;
  }
  if (is_blob_target(target_of(parser.get()))) {
    const bool keep_alive =
        co_await serve_blob(c.s.blobs, c.stream, c.buffer, parser, c.caller, request_id);
    co_return keep_alive ? Read::served : Read::close;
  }
  if (parser.content_length().value_or(0) > limits.max_envelope_bytes) {
    // Refused from its Content-Length, before any of the body is read.
    co_await refuse_and_linger(c.stream, ProblemKind::envelope_too_large, version, request_id);
    co_return Read::close;
  }
  parser.body_limit(limits.max_envelope_bytes);  // for a chunked body
  auto [body_error, body_bytes] = co_await http::async_read(c.stream, c.buffer, parser, kNoThrow);
  if (body_error == http::error::body_limit) {
    co_await refuse_and_linger(c.stream, ProblemKind::envelope_too_large, version, request_id);
  } else if (body_error && body_error != beast::error::timeout &&
             body_error != http::error::end_of_stream) {
    co_await refuse_and_close(c.stream, ProblemKind::malformed_request, version, request_id,
                              "The request could not be read.");
  }
  co_return body_error ? Read::close : Read::ready;
}

// /metrics is for the operator: only devices on server.metrics_devices may read it.
bool may_read_metrics(const Services& s, const Caller& caller) {
  const std::string device = protocol::hex_encode(caller.device_id);
  const auto& allowed = s.config.server.metrics_devices;
  return std::find(allowed.begin(), allowed.end(), device) != allowed.end();
}

// Health, readiness and metrics: answered by the transport, never rate limited.
Response transport_route(Services& s, const Caller& caller, const Request& request,
                         const std::string& request_id) {
  const std::string_view target = target_of(request);
  Response response{http::status::ok, request.version()};
  response.keep_alive(request.keep_alive());
  const bool known = target == "/healthz" || target == "/readyz" || target == "/metrics";
  if (known && request.method() != http::verb::get) {
    response = to_response(problem_reply(ProblemKind::method_not_allowed, request_id),
                           request.version(), request.keep_alive());
    response.set(http::field::allow, "GET");
    return response;
  }
  if (target == "/metrics" && !may_read_metrics(s, caller)) {
    ++s.metrics.access_refused;
    const std::string org = protocol::hex_encode(caller.org_id);
    const std::string device = protocol::hex_encode(caller.device_id);
    s.log.info("access.refused", {{"request_id", std::string_view(request_id)},
                                  {"route", "/metrics"},
                                  {"org_id", std::string_view(org)},
                                  {"device_id", std::string_view(device)},
                                  {"status", std::int64_t{403}}});
    return to_response(problem_reply(ProblemKind::forbidden, request_id,
                                     "Only the operator's devices (server.metrics_devices) may "
                                     "read the metrics."),
                       request.version(), request.keep_alive());
  }
  if (request.method() == http::verb::get && (target == "/healthz" || target == "/readyz")) {
    // Alive while stopping, but not ready: a load balancer sends new work elsewhere.
    response.set(http::field::content_type, "application/json");
    response.body() = s.stopping ? R"({"status":"stopping"})" : R"({"status":"ok"})";
    if (s.stopping && target == "/readyz") {
      response.result(http::status::service_unavailable);
    }
  } else if (request.method() == http::verb::get && target == "/metrics") {
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = s.metrics_text();
  } else {
    return to_response(problem_reply(ProblemKind::not_found, request_id), request.version(),
                       request.keep_alive());
  }
  response.prepare_payload();
  return response;
}

// Routes a complete request (the API or the transport's own routes) and writes the answer;
// false when the connection ends after it.
net::awaitable<bool> answer(Connection& c, Request& request, const std::string& request_id) {
  // Not a conditional expression: GCC 12 miscompiles co_await inside ?:.
  Response response;
  if (target_of(request).starts_with("/v1/")) {
    ApiRequest api_request = to_api_request(request);
    Reply reply = co_await c.s.api.handle(c.caller, api_request, request_id);
    response = to_response(std::move(reply), request.version(), request.keep_alive());
  } else {
    response = transport_route(c.s, c.caller, request, request_id);
  }
  response.set("X-Request-Id", request_id);
  response.set(http::field::strict_transport_security, kHsts);
  if (c.s.stopping) {
    response.keep_alive(false);
  }
  const bool keep_alive = response.keep_alive();
  auto [write_error, written] = co_await http::async_write(c.stream, response, kNoThrow);
  co_return !write_error && keep_alive;
}

// A refused stream upgrade, in a few fixed words.
Reply stream_refusal(Connection& c, const std::string& request_id, std::string_view why) {
  ++c.s.metrics.streams_refused;
  c.s.log.info("stream.refused", {{"request_id", std::string_view(request_id)}, {"reason", why}});
  Reply reply = problem_reply(ProblemKind::rate_limited, request_id, std::string(why));
  reply.headers.emplace_back("Retry-After", "30");
  return reply;
}

// GET /v1/stream: rate limited like the rest of /v1, and capped per device and per
// organisation. false when it was refused (the refusal is written; the connection ends).
net::awaitable<bool> open_stream(Connection& c, Request& request, const std::string& request_id) {
  const auto& limits = c.s.config.limits;
  const std::string device = protocol::hex_encode(c.caller.device_id);
  const std::string org = protocol::hex_encode(c.caller.org_id);
  std::optional<CountedSlot> device_slot;
  std::optional<CountedSlot> org_slot;
  std::optional<Reply> refusal = c.s.api.rate_limit(c.caller, request_id);
  if (!refusal && !c.s.caps.device_streams.take(device, limits.max_streams_per_device)) {
    refusal = stream_refusal(c, request_id, "This device has too many notification streams open.");
  } else if (!refusal) {
    device_slot.emplace(c.s.caps.device_streams, device);
    if (!c.s.caps.org_streams.take(org, limits.max_streams_per_org)) {
      refusal = stream_refusal(c, request_id,
                               "This organisation has too many notification streams open.");
    } else {
      org_slot.emplace(c.s.caps.org_streams, org);
    }
  }
  if (refusal) {
    Response response = to_response(std::move(*refusal), request.version(), false);
    co_await http::async_write(c.stream, response, kNoThrow);
    co_return false;
  }
  // The request's read buffer is not needed while the stream lasts (the WebSocket reads
  // with its own).
  c.buffer.shrink_to_fit();
  co_await serve_stream(c.s, c.stream, c.caller, request);
  co_return true;
}

// The request loop. Returns false when a WebSocket took the connection over and ended it.
net::awaitable<bool> serve_requests(Connection& c) {
  auto& socket = beast::get_lowest_layer(c.stream);
  // A stop cancels the wait for a client's next request. Registered once per connection; the
  // wake runs on this session's strand and touches the socket only while `idle` is set, which
  // is only while this coroutine waits in await_request (so the socket is alive).
  const auto on_stop = c.s.stop_signal.add([idle = c.idle, &socket] {
    net::post(socket.get_executor(), [idle, &socket] {
      if (*idle) {
        socket.cancel();
      }
    });
  });
  // While stopping, a request whose first bytes are already in the buffer is in flight: it is
  // read (under the read deadline) and answered, with Connection: close; only a connection
  // waiting for its next request ends at once.
  while (!c.s.stopping || c.buffer.size() > 0) {
    if (!co_await await_request(c)) {
      break;
    }
    // One deadline for the whole request: a slow client cannot hold the connection longer.
    socket.expires_after(c.s.config.limits.read_deadline);
    const std::string request_id = std::to_string(c.s.next_request++);
    RequestParser parser;
    configure(parser, c.s.config);
    const Read read = co_await read_request(c, parser, request_id);
    if (read == Read::close || (read == Read::served && c.s.stopping)) {
      break;
    }
    if (read == Read::served) {
      continue;
    }
    Request request = parser.release();
    if (target_of(request) == "/v1/stream" && beast::websocket::is_upgrade(request)) {
      if (!co_await open_stream(c, request, request_id)) {
        break;
      }
      co_return false;  // the WebSocket ended the connection
    }
    if (!co_await answer(c, request, request_id)) {
      break;
    }
  }
  co_return true;
}

// A refused handshake or identity on record: the reason in fixed words, the peer's address,
// and the presented certificate's serial and subject (nothing else of it).
void log_tls_refusal(Services& s, SSL* ssl, std::string_view reason, const std::string& address) {
  ++s.metrics.handshakes_failed;
  const PresentedCertificate presented = presented_certificate(ssl);
  if (presented.serial.empty()) {
    s.log.info("tls.refused", {{"reason", reason}, {"peer", std::string_view(address)}});
    return;
  }
  s.log.info("tls.refused", {{"reason", reason},
                             {"peer", std::string_view(address)},
                             {"serial", std::string_view(presented.serial)},
                             {"subject", std::string_view(presented.subject)}});
}

// The authenticated-connections gauge, up for this connection's lifetime.
class AuthenticatedCount {
 public:
  explicit AuthenticatedCount(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  AuthenticatedCount(const AuthenticatedCount&) = delete;
  AuthenticatedCount& operator=(const AuthenticatedCount&) = delete;
  ~AuthenticatedCount() { --count_; }

 private:
  std::atomic<std::size_t>& count_;
};

}  // namespace

net::awaitable<void> serve_connection(Services& s, beast::tcp_stream tcp,
                                      std::shared_ptr<ssl::context> context, std::string address) {
  // Taken by the accept loop, in all and for this address; given back when the handshake is over.
  HandshakePlace handshake_place(s.caps.handshake_room);
  CountedSlot handshake_slot(s.caps.handshakes, address);
  TlsStream stream(std::move(tcp), *context);
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_after(s.config.limits.handshake_deadline);
  ERR_clear_error();
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
  handshake_place.release();
  handshake_slot.release();
  if (handshake_error) {
    log_tls_refusal(s, stream.native_handle(),
                    refusal_reason(stream.native_handle(), handshake_error), address);
    co_return;
  }
  Identity identity = identify(s.directory, stream.native_handle());
  if (!identity.caller) {
    log_tls_refusal(s, stream.native_handle(), identity.refused, address);
    if (identity.problem) {
      // Said once, before any request is read, and the connection ends.
      co_await refuse_and_close(stream, *identity.problem, 11, std::to_string(s.next_request++));
    }
    socket.expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(kNoThrow);
    co_return;
  }
  const AuthenticatedCount authenticated(s.metrics.authenticated);
  Connection connection(s, stream, std::move(*identity.caller), identity.generation);
  if (!co_await serve_requests(connection)) {
    co_return;
  }
  // A peer that does not answer the close_notify must not hold up a stop for long.
  socket.expires_after(s.stopping ? std::chrono::seconds(1) : std::chrono::seconds(5));
  co_await stream.async_shutdown(kNoThrow);
}

}  // namespace draaischijf::server
