#include "net/witness_rounds.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/ssl.hpp>

#include <draaischijf/protocol/witness_request.hpp>

#include "net/http.hpp"

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace note = protocol::note;
// An outgoing connection to a witness: Asio's own TLS stream (one at a time, short-lived).
using WitnessStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A witness answers at once or not at all; a round waits no longer than this for each step.
constexpr auto kWitnessDeadline = std::chrono::seconds(10);
// A cosignature line is about 140 bytes; a few witness keys' worth is plenty.
constexpr std::size_t kMaxReplyBytes = 4096;

std::size_t slot(LogId log) { return log == LogId::directory ? 0 : 1; }

}  // namespace

WitnessRounds::WitnessRounds(const HubConfig::Transparency& config, TransparencyLogs& logs,
                             Logger& log)
    : logs_(logs), log_(log), targets_(targets_of(config)) {}

std::vector<std::shared_ptr<WitnessRounds::Target>> WitnessRounds::targets_of(
    const HubConfig::Transparency& config) {
  std::vector<std::shared_ptr<Target>> out;
  for (const HubConfig::Witness& witness : config.witnesses) {
    auto tls = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_3_VERSION);
    boost::system::error_code ec;
    tls->load_verify_file(witness.certificate.string(), ec);
    if (ec) {
      throw std::runtime_error("cannot read the witness certificate " +
                               witness.certificate.string() +
                               ": check [[witness]] certificate (the witness's tls.pem)");
    }
    tls->set_verify_mode(ssl::verify_peer);
    out.push_back(std::make_shared<Target>(
        Target{witness, note::parse_vkey(witness.vkey).value(), std::move(tls)}));
  }
  return out;
}

std::size_t WitnessRounds::replace(const HubConfig::Transparency& config) {
  auto fresh = targets_of(config);  // throws before anything changes
  for (auto& target : fresh) {
    // A witness kept (same address and key) keeps what it cosigned: no 409 round trip.
    for (const auto& old : targets_) {
      const auto& a = old->config;
      const auto& b = target->config;
      if (a.host == b.host && a.port == b.port && a.prefix == b.prefix && a.vkey == b.vkey) {
        std::copy(std::begin(old->known), std::end(old->known), std::begin(target->known));
      }
    }
  }
  targets_ = std::move(fresh);
  return targets_.size();
}

std::vector<WitnessRounds::Published> WitnessRounds::publish_current() {
  std::vector<Published> out;
  for (const LogId log : {LogId::directory, LogId::record}) {
    auto text = logs_.current_checkpoint(log);
    auto parsed = text ? note::parse(*text) : sqlite::Result<note::SignedNote>(text.error());
    auto checkpoint = parsed ? note::parse_checkpoint_text(parsed->text)
                             : protocol::Result<note::Checkpoint>(parsed.error());
    if (!checkpoint) {
      log_.error("witness.checkpoint_failed", {{"log", name_of(log)}});
      continue;
    }
    logs_.publish_witnessed(log, *text);
    out.push_back({log, std::move(*text), std::move(*checkpoint)});
  }
  return out;
}

void WitnessRounds::publish() { (void)publish_current(); }

net::awaitable<void> WitnessRounds::round() {
  const std::vector<Published> current = publish_current();
  // Its own copy: a reload between two submissions replaces targets_, not this round's list.
  const auto targets = targets_;
  for (const auto& target : targets) {
    for (const Published& published : current) {
      co_await submit(*target, published);
    }
  }
}

// tlog-witness: from the size the witness last cosigned (0 when the hub does not know it: the
// witness's 409 then says it, and the one retry carries the right proof).
net::awaitable<void> WitnessRounds::submit(Target& target, const Published& current) {
  std::uint64_t& known = target.known[slot(current.log)];
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<protocol::merkle::Hash> proof;
    if (known != 0 && known < current.checkpoint.size) {
      auto made = logs_.consistency(current.log, known, current.checkpoint.size);
      if (!made) {
        failed(target, current.log, "proof_failed");
        co_return;
      }
      proof = std::move(*made);
    }
    // Built before the co_await: GCC 12 destroys a temporary inside a co_await expression twice.
    std::string body = protocol::witness::encode_add_checkpoint({known, proof, current.note});
    auto reply = co_await post(target, std::move(body));
    if (!reply) {
      failed(target, current.log, "unreachable");
      co_return;
    }
    if (reply->status == 409 && reply->content_type == protocol::witness::kSizeContentType) {
      const auto size = protocol::witness::parse_size(reply->body);
      if (!size || *size > current.checkpoint.size || *size == known) {
        // Ahead of the log or stuck: the witness saw another view of this log. Never retried.
        failed(target, current.log, "conflict", reply->status);
        co_return;
      }
      known = *size;
      continue;
    }
    // The line must be a cosignature of exactly this note by exactly this witness.
    auto combined = note::parse(current.note + reply->body);
    if (reply->status != 200 || !combined || combined->signatures.size() != 2 ||
        !note::verify_cosignature(*combined, target.key)) {
      failed(target, current.log, reply->status == 200 ? "bad_cosignature" : "refused",
             reply->status);
      co_return;
    }
    known = current.checkpoint.size;
    logs_.add_cosignature(current.log, current.note, target.config.vkey, std::move(reply->body));
    ++cosignatures_;
    co_return;
  }
  failed(target, current.log, "conflict", 409);
}

net::awaitable<std::optional<WitnessRounds::Reply>> WitnessRounds::post(const Target& target,
                                                                        std::string body) {
  const auto executor = co_await net::this_coro::executor;
  net::ip::tcp::resolver resolver(executor);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(
      target.config.host, std::to_string(target.config.port), kNoThrow);
  if (resolve_error) {
    co_return std::nullopt;
  }
  WitnessStream stream(executor, *target.tls);
  boost::system::error_code not_an_address;
  (void)net::ip::make_address(target.config.host, not_an_address);
  if (not_an_address) {  // SNI carries names only; SSL_set_tlsext_host_name is a C-cast macro
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(target.config.host.c_str()));
  }
  stream.set_verify_callback(ssl::host_name_verification(target.config.host));
  stream.next_layer().expires_after(kWitnessDeadline);
  auto [connect_error, endpoint] = co_await stream.next_layer().async_connect(endpoints, kNoThrow);
  if (connect_error) {
    co_return std::nullopt;
  }
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, kNoThrow);
  if (handshake_error) {
    co_return std::nullopt;
  }
  http::request<http::string_body> request{http::verb::post,
                                           target.config.prefix + "/add-checkpoint", 11};
  request.set(http::field::host, target.config.host);
  request.set(http::field::content_type, "text/plain; charset=utf-8");
  request.body() = std::move(body);
  request.prepare_payload();
  auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
  if (write_error || read_error) {
    co_return std::nullopt;
  }
  (void)co_await stream.async_shutdown(kNoThrow);
  auto& response = parser.get();
  co_return Reply{response.result_int(), std::string(response[http::field::content_type]),
                  std::move(response.body())};
}

void WitnessRounds::failed(const Target& target, LogId log, std::string_view reason,
                           unsigned status) {
  ++failures_;
  const std::string witness = target.config.host + ":" + std::to_string(target.config.port);
  log_.warning("witness.failed", {{"witness", witness},
                                  {"log", name_of(log)},
                                  {"reason", reason},
                                  {"status", static_cast<std::int64_t>(status)}});
}

}  // namespace draaischijf::server
