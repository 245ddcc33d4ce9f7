#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <draaischijf/protocol/encoding.hpp>

#include "api/api.hpp"
#include "api/call.hpp"
#include "api/case_routes.hpp"
#include "api/log_routes.hpp"
#include "api/notice_routes.hpp"
#include "api/policy_routes.hpp"
#include "api/referral_routes.hpp"
#include "api/routes.hpp"

namespace draaischijf::server {
namespace {

using namespace api_call;
using namespace routes;  // the handlers

// --- routing -----------------------------------------------------------------------------------

enum class Access { any, admin };

struct Route {
  RouteInfo info;
  Access access;
  Handler handler;
};

constexpr std::array kRoutes = {
    Route{{Method::get, "/v1/organisations"}, Access::any, list_organisations},
    Route{{Method::get, "/v1/organisations/{org_id}"}, Access::any, get_organisation},
    Route{{Method::get, "/v1/organisations/{org_id}/mailboxes"},
          Access::any,
          list_organisation_mailboxes},
    Route{{Method::get, "/v1/devices"}, Access::admin, list_devices},
    Route{{Method::get, "/v1/devices/{device_id}"}, Access::any, get_device},
    Route{{Method::post, "/v1/devices/{device_id}/remove"}, Access::admin, remove_device},
    Route{{Method::post, "/v1/enrolments"}, Access::any, request_enrolment},
    Route{{Method::get, "/v1/enrolments"}, Access::admin, list_enrolments},
    Route{{Method::post, "/v1/enrolments/{device_id}/approve"}, Access::admin, approve_enrolment},
    Route{{Method::post, "/v1/mailboxes"}, Access::admin, create_mailbox},
    Route{{Method::get, "/v1/mailboxes/{mailbox_id}"}, Access::any, get_mailbox},
    Route{{Method::post, "/v1/mailboxes/{mailbox_id}/epochs"}, Access::admin, rotate_mailbox},
    Route{{Method::post, "/v1/mailboxes/{mailbox_id}/name"}, Access::admin, rename_mailbox},
    Route{{Method::get, "/v1/mailboxes/{mailbox_id}/epochs/{epoch}"}, Access::any, get_epoch},
    Route{{Method::get, "/v1/mailboxes/{mailbox_id}/messages"}, Access::any, list_messages},
    Route{{Method::get, "/v1/mailboxes/{mailbox_id}/messages/{sequence}"},
          Access::any,
          fetch_message},
    Route{{Method::get, "/v1/mailboxes/{mailbox_id}/envelopes"}, Access::any, fetch_envelopes},
    Route{{Method::post, "/v1/mailboxes/{mailbox_id}/acks"}, Access::any, acknowledge_many},
    Route{{Method::post, "/v1/mailboxes/{mailbox_id}/messages/{sequence}/ack"},
          Access::any,
          acknowledge},
    Route{{Method::post, "/v1/mailboxes/{mailbox_id}/messages/{sequence}/read"},
          Access::any,
          acknowledge_read},
    Route{{Method::post, "/v1/envelopes"}, Access::any, submit_envelope},
    Route{{Method::get, "/v1/envelopes/{message_id}/status"}, Access::any, delivery_status},
    Route{{Method::get, "/v1/policy"}, Access::any, policy_routes::get_policy},
    Route{{Method::post, "/v1/consents"}, Access::any, policy_routes::register_consent},
    Route{{Method::get, "/v1/consents"}, Access::any, policy_routes::list_consents},
    Route{{Method::get, "/v1/consents/{consent_id}"}, Access::any, policy_routes::get_consent},
    Route{{Method::post, "/v1/consents/{consent_id}/revoke"},
          Access::any,
          policy_routes::revoke_consent},
    Route{{Method::post, "/v1/approvals"}, Access::any, policy_routes::register_approval},
    Route{{Method::get, "/v1/approvals/{approval_id}"}, Access::any, policy_routes::get_approval},
    Route{{Method::get, "/v1/disclosures"}, Access::any, policy_routes::list_disclosures},
    Route{{Method::post, "/v1/devices/{device_id}/pupil-key"},
          Access::admin,
          policy_routes::store_pupil_key},
    Route{{Method::get, "/v1/devices/{device_id}/pupil-key"},
          Access::any,
          policy_routes::fetch_pupil_key},
    Route{{Method::post, "/v1/transfers"}, Access::any, policy_routes::announce_transfer},
    Route{{Method::get, "/v1/transfers"}, Access::any, policy_routes::get_transfer},
    Route{
        {Method::post, "/v1/transfers/objection"}, Access::any, policy_routes::register_objection},
    Route{{Method::post, "/v1/objections/advice"},
          Access::any,
          policy_routes::register_advice_objection},
    Route{{Method::get, "/v1/objections/advice"}, Access::any, policy_routes::get_advice_objection},
    Route{{Method::get, "/v1/notices"}, Access::any, notice_routes::list_notices},
    Route{{Method::post, "/v1/notices/{notice_id}/ack"}, Access::any, notice_routes::acknowledge},
    Route{{Method::post, "/v1/objections/advice/withdraw"},
          Access::any,
          policy_routes::withdraw_advice_objection},
    Route{{Method::get, "/v1/log/{log}/checkpoint"}, Access::any, log_routes::get_checkpoint},
    Route{{Method::get, "/v1/log/{log}/proof/inclusion"},
          Access::any,
          log_routes::get_inclusion_proof},
    Route{{Method::get, "/v1/log/{log}/proof/consistency"},
          Access::any,
          log_routes::get_consistency_proof},
    Route{{Method::get, "/v1/log/{log}/proof/by-hash"}, Access::any, log_routes::get_proof_by_hash},
    Route{{Method::get, "/v1/log/{log}/entries/{index}"}, Access::any, log_routes::get_entry},
    Route{{Method::get, "/v1/cases"}, Access::any, case_routes::list_cases},
    Route{{Method::get, "/v1/cases/{case_id}"}, Access::any, case_routes::get_case},
    Route{
        {Method::post, "/v1/cases/{case_id}/statements"}, Access::any, case_routes::post_statement},
    Route{{Method::get, "/v1/signalen"}, Access::any, case_routes::list_signalen},
    Route{{Method::get, "/v1/reports/cases"}, Access::any, case_routes::case_report},
    Route{{Method::get, "/v1/referrals"}, Access::any, referral_routes::list_referrals},
    Route{{Method::get, "/v1/referrals/{message_id}"}, Access::any, referral_routes::get_referral},
    Route{{Method::post, "/v1/referrals/{message_id}/status"},
          Access::any,
          referral_routes::record_status},
};

// Routes served outside Api::handle, listed for the OpenAPI document.
constexpr std::array kTransportRoutes = {
    RouteInfo{Method::get, "/v1/blobs/{blob_id}"},
    RouteInfo{Method::put, "/v1/blobs/{blob_id}"},
    RouteInfo{Method::get, "/v1/stream"},
    RouteInfo{Method::get, "/healthz"},
    RouteInfo{Method::get, "/readyz"},
    RouteInfo{Method::get, "/metrics"},
};

// Matches "/a/{x}/b" against a path, capturing the placeholders.
bool match(std::string_view pattern, std::string_view path, std::vector<std::string_view>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view have = path.substr(0, path.find('/'));
    if (want.starts_with('{')) {
      if (have.empty()) {
        return false;
      }
      params.push_back(have);
    } else if (want != have) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return true;
}

// A refused access leaves a trace: ids, the route's pattern and the status, never content.
void note_refusal(ApiParts& parts, const Caller& caller, std::string_view pattern,
                  const Reply& reply, const std::string& request_id) {
  if (reply.status != 403 && reply.status != 404) {
    return;
  }
  ++parts.counters.access_refused;
  const std::string org = protocol::hex_encode(caller.org_id);
  const std::string device = protocol::hex_encode(caller.device_id);
  parts.log.info("access.refused", {{"request_id", std::string_view(request_id)},
                                    {"route", pattern},
                                    {"org_id", std::string_view(org)},
                                    {"device_id", std::string_view(device)},
                                    {"status", static_cast<std::int64_t>(reply.status)}});
}

}  // namespace

std::span<const RouteInfo> api_routes() {
  static const std::vector<RouteInfo> all = [] {
    std::vector<RouteInfo> out;
    for (const Route& r : kRoutes) {
      out.push_back(r.info);
    }
    out.insert(out.end(), kTransportRoutes.begin(), kTransportRoutes.end());
    return out;
  }();
  return all;
}

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::put:
      return "PUT";
    case Method::post:
      return "POST";
    case Method::other:
      break;
  }
  return "OTHER";
}

Reply problem_reply(const ProblemType& kind, const std::string& request_id, std::string extra,
                    boost::json::object extensions) {
  Reply reply{kind.status,
              "application/problem+json",
              to_json(Problem{kind, request_id, {}, std::move(extra)}, std::move(extensions)),
              {}};
  // Every refusal, the transport's own included, names the request for the hub's operator.
  reply.headers.emplace_back("X-Request-Id", request_id);
  if (kind.status == 503) {
    reply.headers.emplace_back("Retry-After", "1");
  }
  return reply;
}

std::optional<Reply> Api::rate_limit(const Caller& caller, const std::string& request_id) {
  const auto wait = parts_.limiter.take(caller.org_id, parts_.clock.now());
  if (!wait) {
    return std::nullopt;
  }
  ++parts_.counters.rate_limited;
  Reply reply = problem_reply(ProblemKind::rate_limited, request_id);
  const auto seconds = std::max<std::int64_t>(1, (wait->count() + 999) / 1000);
  reply.headers.emplace_back("Retry-After", std::to_string(seconds));
  return reply;
}

Task<Reply> Api::handle(const Caller& caller, ApiRequest& request, const std::string& request_id) {
  const std::string_view target(request.target);
  const auto question = target.find('?');
  Call call{parts_, caller, request, request_id, {}, {}};
  const std::string_view path = target.substr(0, question);
  if (question != std::string_view::npos) {
    call.query = target.substr(question + 1);
  }
  if (auto limited = rate_limit(caller, request_id)) {
    co_return std::move(*limited);
  }
  std::string allowed;  // the methods of a known path, for 405's Allow header
  for (const Route& route : kRoutes) {
    if (!match(route.info.pattern, path, call.params)) {
      continue;
    }
    if (route.info.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(route.info.method));
      continue;
    }
    Reply reply;
    if (route.access == Access::admin && !caller.admin) {
      reply = call.problem(ProblemKind::forbidden,
                           "Only an organisation_admin device of the organisation may do this.");
    } else if (route.access == Access::admin && !caller.enrolled) {
      // An admin certificate alone is not enough: otherwise an organisation's first admin
      // device would approve itself. The operator enrols that one (draaischijf-hub org
      // enrol-admin); every later admin device is approved by an enrolled admin.
      reply = call.problem(ProblemKind::device_not_enrolled,
                           "An admin device acts only once enrolled: the hub operator enrols an "
                           "organisation's first admin device (draaischijf-hub org enrol-admin).");
    } else {
      reply = co_await route.handler(call);
    }
    note_refusal(parts_, caller, route.info.pattern, reply, request_id);
    co_return reply;
  }
  if (!allowed.empty()) {
    Reply reply = call.problem(ProblemKind::method_not_allowed);
    reply.headers.emplace_back("Allow", allowed);
    co_return reply;
  }
  co_return call.problem(ProblemKind::not_found);
}

std::vector<protocol::Id> Api::stream_mailboxes(const Caller& caller) {
  std::vector<protocol::Id> out;
  if (!caller.enrolled) {
    return out;
  }
  auto mailboxes = parts_.directory.mailboxes(caller.org_id);
  if (!mailboxes) {
    return out;
  }
  for (const Mailbox& m : *mailboxes) {
    if (still_member(caller, m.mailbox_id)) {
      out.push_back(m.mailbox_id);
    }
  }
  return out;
}

bool Api::still_member(const Caller& caller, const protocol::Id& mailbox) {
  auto member = parts_.directory.is_member(mailbox, caller.device_id);
  return member && *member;
}

}  // namespace draaischijf::server
