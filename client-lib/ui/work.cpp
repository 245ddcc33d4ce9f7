#include "work.hpp"

#include <algorithm>
#include <map>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <draaischijf/client/cases.hpp>
#include <draaischijf/client/referrals.hpp>
#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/referral_status.hpp>

#include "inbox_view.hpp"

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using policies::CaseAction;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// The hub's refusal as the page shows it: its title and detail, status and type; anything
// else (the hub out of reach, an answer that did not check out) as hub_failed.
Response refused(client::Client& client, const boost::system::error_code& error) {
  const auto& hub = client.last_problem();
  if (error != client::client_errc::hub_refused || hub.status < 400 || hub.status > 599) {
    return problem_response(Problem::hub_failed, error.message());
  }
  auto body = problem_json(Problem::hub_refused,
                           hub.detail.empty() ? hub.title : hub.title + ": " + hub.detail);
  body["status"] = hub.status;
  body["hub_type"] = hub.type;
  return json_response(hub.status, body);
}

template <class T>
Response listed(client::Client& client, const protocol::Result<T>& result, std::string_view key) {
  if (!result) {
    return refused(client, result.error());
  }
  json::array items;
  for (const auto& item : *result) {
    items.push_back(item);
  }
  return json_response(200, json::object{{key, std::move(items)}});
}

// The triage queue, each case with the pupil as a message of this inbox names them (the case
// itself carries only the pseudonym).
Response cases(client::Client& client, Vault& vault) {
  auto queue = client.cases().list(kCasePage);
  if (!queue) {
    return refused(client, queue.error());
  }
  const auto held = [&client] {
    std::map<std::string, client::InboxEntry> by_message;
    if (auto entries = client.inbox().list(false); entries) {
      for (auto& e : *entries) {
        by_message.emplace(hex(e.message_id), std::move(e));
      }
    }
    return by_message;
  };
  auto by_message = held();
  const bool all_held = std::all_of(queue->begin(), queue->end(), [&](const json::object& c) {
    const auto* message = c.if_contains("message_id");
    return message == nullptr || !message->is_string() ||
           by_message.contains(std::string(message->as_string()));
  });
  if (!all_held) {
    // A case whose signaal this device has not stored yet (the hub knew of the case first, or
    // the inbox's sync thread is still on its way): the sync brings it, one sync at a time.
    // A hub out of reach leaves the pseudonym shown.
    const std::lock_guard turn(vault.sync_turn());
    if (client.inbox().sync()) {
      by_message = held();
    }
  }
  // Under the vault's lock: the inbox's sync thread learns topics too. A case whose message this
  // unlock did not open yet is opened here, on this thread's own client.
  auto learnt = vault.learnt();
  for (auto& c : *queue) {
    const auto* message = c.if_contains("message_id");
    const auto at = message != nullptr && message->is_string()
                        ? by_message.find(std::string(message->as_string()))
                        : by_message.end();
    const auto* topic =
        at != by_message.end() ? topic_of(client, learnt.topics, at->second) : nullptr;
    c["pupil_label"] = topic != nullptr ? topic->pupil_reference : std::string();
  }
  return listed(client, protocol::Result<std::vector<json::object>>(std::move(*queue)), "cases");
}

// {"action", "code", "to"} as the case statement's action, code and subject, or why not.
struct Act {
  CaseAction action = CaseAction::assign;
  std::uint8_t code = 0;
  protocol::Id subject{};
};

std::optional<Act> parse_act(const json::object& body, const protocol::Id& me) {
  const auto text = [&](std::string_view key) -> std::string_view {
    const auto* v = body.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : "";
  };
  const auto action = text("action");
  const auto code = text("code");
  Act out;
  if (action == "assign") {
    out.subject = me;
    if (!text("to").empty()) {
      const auto bytes = protocol::hex_decode(text("to"));
      if (!bytes || bytes->size() != out.subject.size()) {
        return std::nullopt;
      }
      std::copy(bytes->begin(), bytes->end(), out.subject.begin());
    }
  } else if (action == "vraagverheldering") {
    out.action = CaseAction::vraagverheldering;
  } else if (action == "track") {
    out.action = CaseAction::traject;
  } else if (action == "close") {
    out.action = CaseAction::close;
  } else if (action == "delay") {
    out.action = CaseAction::delay_reason;
  } else {
    return std::nullopt;
  }
  const auto parsed = policies::parse_action_code(out.action, code);
  if (!parsed) {
    return std::nullopt;
  }
  out.code = *parsed;
  return out;
}

Response act(client::Client& client, const Request& request, std::string_view case_hex) {
  const auto id = protocol::hex_decode(case_hex);
  json::error_code ec;
  const auto body = json::parse(request.body(), ec);
  const auto parsed = !ec && body.is_object()
                          ? parse_act(body.as_object(), client.device().staff_id)
                          : std::nullopt;
  if (!id || id->size() != protocol::Id{}.size() || !parsed) {
    return problem_response(Problem::bad_request,
                            "a case id (32 hex digits) and {\"action\": assign, "
                            "vraagverheldering, track, close or delay, \"code\": the track or "
                            "reason}");
  }
  protocol::Id case_id{};
  std::copy(id->begin(), id->end(), case_id.begin());
  auto done = client.cases().act(case_id, parsed->action, parsed->code, parsed->subject);
  if (!done) {
    return refused(client, done.error());
  }
  return json_response(200, *done);
}

// A referral as the board shows it: the state the signed statements prove (flagged when the
// hub's word differs or a statement failed its check), the due dates and the overdue mark.
json::object referral_json(const client::ReferralView& r) {
  return {{"message_id", hex(r.message_id)},
          {"kind", r.kind},
          {"referrer_org", hex(r.referrer_org)},
          {"partner_org", hex(r.partner_org)},
          {"sent_at_ms", r.sent_at_ms},
          {"state", protocol::name_of(r.state)},
          {"received_due", r.received_due},
          {"answered_due", r.answered_due},
          {"overdue", r.overdue},
          {"flagged", r.flagged}};
}

Response referrals(client::Client& client) {
  auto all = client::Referrals{client.session()}.list();
  if (!all) {
    return refused(client, all.error());
  }
  std::vector<json::object> out;
  for (const auto& r : *all) {
    out.push_back(referral_json(r));
  }
  return listed(client, protocol::Result<std::vector<json::object>>(std::move(out)), "referrals");
}

}  // namespace

std::optional<Response> work_answer(client::Client& client, Vault& vault, const Request& request,
                                    const std::vector<std::string_view>& parts) {
  const bool get = request.method() == http::verb::get;
  const auto route = parts.size() >= 2 ? parts[1] : std::string_view{};
  if (parts.size() == 2 &&
      (route == "cases" || route == "referrals" || route == "signalen" || route == "report")) {
    if (!get) {
      return problem_response(Problem::method_not_allowed);
    }
    if (route == "cases") {
      return cases(client, vault);
    }
    if (route == "referrals") {
      return referrals(client);
    }
    if (route == "signalen") {
      return listed(client, client.cases().signalen(), "signalen");
    }
    auto report = client.cases().report();
    return report ? json_response(200, *report) : refused(client, report.error());
  }
  if (route == "cases" && parts.size() == 4 && parts[3] == "act") {
    return request.method() == http::verb::post ? act(client, request, parts[2])
                                                : problem_response(Problem::method_not_allowed);
  }
  return std::nullopt;
}

}  // namespace draaischijf::ui
