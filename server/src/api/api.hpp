#pragma once

// The /v1 HTTP API: routing, authorization and the handlers. The transport (TLS, framing,
// limits, the client-certificate mapping) lives in net/; by the time a request reaches
// Api::handle the caller is an authenticated device of a known organisation.
//
// Authorization, in one place: public directory data (organisations, their mailboxes' current
// epoch certificates, enrolled devices' certificates) is readable by every participant, because
// senders need it to seal and recipients to verify. Everything else is scoped by the caller's
// organisation, and mailbox contents by membership of the mailbox's current epoch. An object of
// another organisation and a missing object get the same 404.

#include <atomic>
#include <span>
#include <string>
#include <string_view>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>
#include <draaischijf/server/core/notifier.hpp>
#include <draaischijf/server/core/rate_limiter.hpp>
#include <draaischijf/server/core/workflow_settings.hpp>
#include <draaischijf/server/store/case_store.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/notice_store.hpp>
#include <draaischijf/server/store/referral_store.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "api/reply.hpp"
#include "core/caller.hpp"

namespace draaischijf::server {

struct ApiCounters {
  std::atomic<std::uint64_t> envelopes_accepted{0};
  std::atomic<std::uint64_t> envelopes_refused{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> policy_refused{0};
  std::atomic<std::uint64_t> access_refused{0};  // 403/404 on a known route (access.refused)
};

class PolicyInForce;
class PolicyGate;

struct ApiParts {
  const HubConfig& config;           // as at startup; [workflow] below, [retention] in the stores
  const WorkflowSettings& workflow;  // [workflow], replaced on a reload (SIGHUP)
  Logger& log;
  MessageStore& store;
  Directory& directory;
  Notifier& notifier;
  RateLimiter& limiter;
  const protocol::SigningKey& hub_key;
  ApiCounters& counters;
  ConsentRegistry& consents;
  PolicyGate& gate;
  const PolicyInForce& policy;
  const protocol::Clock& clock;
  TransparencyLogs& logs;
  NoticeStore& notices;      // the hub's signed notices (docs/WORKFLOW.md, "Notices")
  CaseStore& cases;          // onthaal triage (docs/WORKFLOW.md)
  ReferralStore& referrals;  // the referral lifecycle (docs/WORKFLOW.md)
};

/// One route of the API, as the OpenAPI document must list it.
struct RouteInfo {
  Method method;
  std::string_view pattern;  // e.g. "/v1/mailboxes/{mailbox_id}/messages"
};
[[nodiscard]] std::span<const RouteInfo> api_routes();

class Api {
 public:
  explicit Api(ApiParts parts) : parts_(parts) {}

  /// Answers one request of an authenticated caller (everything under /v1 but /v1/stream and
  /// the blob routes, which stream and so stay in net/).
  [[nodiscard]] Task<Reply> handle(const Caller& caller, ApiRequest& request,
                                   const std::string& request_id);

  /// The rate limit, for the routes served outside handle(): a 429 problem, or nullopt.
  [[nodiscard]] std::optional<Reply> rate_limit(const Caller& caller,
                                                const std::string& request_id);

  /// The mailboxes /v1/stream notifies the caller about: those it is a current member of.
  [[nodiscard]] std::vector<protocol::Id> stream_mailboxes(const Caller& caller);
  [[nodiscard]] bool still_member(const Caller& caller, const protocol::Id& mailbox);

 private:
  ApiParts parts_;
};

}  // namespace draaischijf::server
