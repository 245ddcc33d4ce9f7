#pragma once

// The /v1 HTTP API: routing, authorization and the handlers. The transport (TLS, framing,
// limits, the client-certificate mapping) lives in hub.cpp; by the time a request reaches
// Api::handle the caller is an authenticated device of a known organisation.
//
// Authorization, in one place: public directory data (organisations, their mailboxes' current
// epoch certificates, enrolled devices' certificates) is readable by every participant, because
// senders need it to seal and recipients to verify. Everything else is scoped by the caller's
// organisation, and mailbox contents by membership of the mailbox's current epoch. An object of
// another organisation and a missing object get the same 404.

#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

#include <draaischijf/certs/pki.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/config.hpp>
#include <draaischijf/server/consent_registry.hpp>
#include <draaischijf/server/directory.hpp>
#include <draaischijf/server/log.hpp>
#include <draaischijf/server/message_store.hpp>
#include <draaischijf/server/notifier.hpp>
#include <draaischijf/server/problem.hpp>
#include <draaischijf/server/rate_limiter.hpp>

namespace draaischijf::server {

namespace http = boost::beast::http;
using Request = http::request<http::vector_body<std::uint8_t>>;
using Response = http::response<http::string_body>;

/// The authenticated caller, mapped from its client certificate before any handler runs.
struct Caller {
  protocol::Id org_id{};
  protocol::Id device_id{};
  protocol::OrgType org_type = protocol::OrgType::clb;
  std::string role;  // vocabulary name from the certificate
  bool admin = false;
  bool enrolled = false;  // the device has an end-to-end certificate in the directory
};

struct ApiCounters {
  std::atomic<std::uint64_t> envelopes_accepted{0};
  std::atomic<std::uint64_t> envelopes_refused{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> policy_refused{0};
};

struct HubPolicy;
class PolicyGate;

struct ApiParts {
  const HubConfig& config;
  Logger& log;
  MessageStore& store;
  Directory& directory;
  Notifier& notifier;
  RateLimiter& limiter;
  const protocol::SigningKey& hub_key;
  ApiCounters& counters;
  ConsentRegistry& consents;
  PolicyGate& gate;
  const HubPolicy& policy;
};

/// One route of the API, as the OpenAPI document must list it.
struct RouteInfo {
  http::verb method;
  std::string_view pattern;  // e.g. "/v1/mailboxes/{mailbox_id}/messages"
};
[[nodiscard]] std::span<const RouteInfo> api_routes();

[[nodiscard]] Response problem_response(const ProblemType& kind, unsigned version, bool keep_alive,
                                        const std::string& request_id, std::string extra = {});

class Api {
 public:
  explicit Api(ApiParts parts) : parts_(parts) {}

  /// Answers one request of an authenticated caller (everything under /v1 but /v1/stream).
  [[nodiscard]] boost::asio::awaitable<Response> handle(const Caller& caller, Request& request,
                                                        const std::string& request_id);

  /// The mailboxes /v1/stream notifies the caller about: those it is a current member of.
  [[nodiscard]] std::vector<protocol::Id> stream_mailboxes(const Caller& caller);
  [[nodiscard]] bool still_member(const Caller& caller, const protocol::Id& mailbox);

 private:
  ApiParts parts_;
};

}  // namespace draaischijf::server
