#include "consent.hpp"

#include <algorithm>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <draaischijf/client/consent_registry.hpp>
#include <draaischijf/client/directory.hpp>
#include <draaischijf/policies/giver.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/pupil.hpp>

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// The age limits of the rule set built into the program. The hub judges each registration with
// its own signed rules and refuses a wrong giver with the reason; the form only proposes.
const policies::Settings& rule_settings() {
  static const policies::Settings settings = [] {
    auto rules = policies::parse_rule_set(policies::bundled_rule_text());
    return rules ? rules->settings() : policies::Settings{};
  }();
  return settings;
}

std::optional<json::object> object_body(const Request& request) {
  json::error_code ec;
  auto parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) {
    return std::nullopt;
  }
  return std::move(parsed.as_object());
}

// The pupil's facts as the form gives them; or what is wrong with them.
std::variant<policies::PupilFacts, std::string> facts_of(const json::object& body) {
  policies::PupilFacts facts;
  if (const auto* born = body.if_contains("birth_date"); born != nullptr && !born->is_null()) {
    facts.birth_date = born->is_string() ? policies::parse_date(born->as_string()) : std::nullopt;
    if (!facts.birth_date) {
      return std::string("birth_date must be a date YYYY-MM-DD");
    }
  }
  if (const auto* age = body.if_contains("age"); age != nullptr && !age->is_null()) {
    if (!age->is_int64() || age->as_int64() < 0 || age->as_int64() > 30) {
      return std::string("age must be a whole number of years");
    }
    facts.age = static_cast<int>(age->as_int64());
  }
  if (const auto* competency = body.if_contains("competency"); competency != nullptr) {
    const auto parsed = competency->is_string()
                            ? protocol::parse_name<policies::Competency>(competency->as_string())
                            : std::nullopt;
    if (!parsed) {
      return std::string("competency must be vermoed, bekwaam or onbekwaam");
    }
    facts.competency = *parsed;
  }
  if (const auto* adult = body.if_contains("adult_incompetent"); adult != nullptr) {
    facts.adult_incompetent = adult->is_bool() && adult->as_bool();
  }
  return facts;
}

Response giver(client::Client& client, const Request& request) {
  const auto body = object_body(request);
  if (!body) {
    return problem_response(Problem::bad_request, "the body must be a JSON object");
  }
  const auto facts = facts_of(*body);
  if (const auto* why = std::get_if<std::string>(&facts)) {
    return problem_response(Problem::bad_request, *why);
  }
  // Today in Belgium: the date the hub judges the registration on.
  const auto today = policies::belgian_date(client.session().clock().now());
  const auto& settings = rule_settings();
  const auto derived =
      policies::consent_giver_on(std::get<policies::PupilFacts>(facts), today, settings);
  return json_response(200, json::object{{"giver", protocol::name_of(derived.giver)},
                                         {"age", derived.age},
                                         {"adult", derived.adult},
                                         {"competent", derived.competent},
                                         {"on", policies::to_string(today)},
                                         {"competency_age", settings.competency_age},
                                         {"adult_age", settings.adult_age}});
}

// The pseudonym the hub files the pupil's consents under; or the problem to answer.
std::variant<protocol::Hash256, Response> pseudonym(client::Client& client,
                                                    std::string_view reference) {
  if (!protocol::is_valid_reference(reference)) {
    return problem_response(Problem::bad_request,
                            "pupil: the CLB's own reference for the pupil (a dossier number, at "
                            "most 128 characters, no control characters)");
  }
  auto derived = client.consent_registry().pseudonym_of(reference);
  if (!derived) {
    return problem_response(Problem::hub_failed, derived.error().message());
  }
  return *derived;
}

json::object consent_json(const client::Consent& c) {
  auto out = policies::to_json(c.entry);
  out["consent_id"] = hex(c.consent_id);
  out["registered_at_ms"] = c.registered_at_ms;
  out["registered_by"] = hex(c.registered_by);
  out["revoked_at_ms"] = c.revoked_at_ms ? json::value(*c.revoked_at_ms) : json::value(nullptr);
  return out;
}

Response list(client::Client& client, const Request& request) {
  auto pupil = pseudonym(client, query_value(request.target(), "pupil").value_or(""));
  if (auto* refused = std::get_if<Response>(&pupil)) {
    return std::move(*refused);
  }
  auto consents = client.consent_registry().consents(std::get<protocol::Hash256>(pupil));
  if (!consents) {
    return problem_response(Problem::hub_failed, consents.error().message());
  }
  std::sort(consents->begin(), consents->end(),
            [](const auto& a, const auto& b) { return a.registered_at_ms > b.registered_at_ms; });
  json::array out;
  for (const auto& c : *consents) {
    out.push_back(consent_json(c));
  }
  return json_response(200, json::object{{"consents", std::move(out)}});
}

// The hub's reasons for refusing a record, in both languages, as the page lists them.
Response invalid(client::Client& client, std::string_view detail) {
  json::array issues;
  for (const auto& issue : client.session().last_problem().issues) {
    issues.push_back(
        {{"issue", issue.issue}, {"rule_id", issue.rule_id}, {"nl", issue.nl}, {"en", issue.en}});
  }
  auto problem = problem_json(Problem::consent_invalid, detail);
  problem["issues"] = std::move(issues);
  return json_response(problem_text(Problem::consent_invalid).status, problem);
}

Response register_consent(client::Client& client, const Request& request) {
  auto body = object_body(request);
  if (!body) {
    return problem_response(Problem::bad_request, "the body must be a JSON object");
  }
  const auto* reference = body->if_contains("pupil");
  auto pupil = pseudonym(client, reference != nullptr && reference->is_string()
                                     ? std::string_view(reference->as_string())
                                     : std::string_view{});
  if (auto* refused = std::get_if<Response>(&pupil)) {
    return std::move(*refused);
  }
  // The hub sets these itself; nothing the page sends for them counts.
  for (const auto* field : {"consent_id", "recorded_by", "revoked", "revoked_on"}) {
    body->erase(field);
  }
  (*body)["pupil"] = hex(std::get<protocol::Hash256>(pupil));
  std::string error;
  const auto entry = policies::consent_from_json(*body, error);
  if (!entry) {
    return problem_response(Problem::bad_request, error);
  }
  auto id = client.consent_registry().register_consent(*entry);
  if (!id) {
    if (id.error() == client::client_errc::consent_invalid) {
      return invalid(client, id.error().message());
    }
    return problem_response(Problem::hub_failed, id.error().message());
  }
  return json_response(200, json::object{{"consent_id", hex(*id)}});
}

Response show(client::Client& client, const protocol::Id& id) {
  auto consent = client.consent_registry().consent(id);
  if (!consent) {
    return problem_response(Problem::hub_failed, consent.error().message());
  }
  return json_response(200, consent_json(*consent));
}

Response revoke(client::Client& client, const protocol::Id& id) {
  auto withdrawn = client.consent_registry().revoke(id);
  if (!withdrawn) {
    return problem_response(Problem::hub_failed, withdrawn.error().message());
  }
  json::array out;
  for (const auto& w : *withdrawn) {
    out.push_back({{"mailbox_id", hex(w.mailbox_id)},
                   {"sequence", w.sequence},
                   {"message_id", hex(w.message_id)}});
  }
  return json_response(200, json::object{{"consent_id", hex(id)}, {"withdrawn", std::move(out)}});
}

// What left the CLB about the pupil: the hub's disclosure register, each line with the
// receiving organisation's name from the verified directory (its id when it is not listed).
Response disclosures(client::Client& client, const Request& request) {
  const auto reference = query_value(request.target(), "pupil").value_or("");
  auto pupil = pseudonym(client, reference);
  if (auto* refused = std::get_if<Response>(&pupil)) {
    return std::move(*refused);
  }
  auto lines = client.consent_registry().disclosures(std::get<protocol::Hash256>(pupil));
  if (!lines) {
    return problem_response(Problem::hub_failed, lines.error().message());
  }
  auto organisations = client.directory().organisations();
  if (!organisations) {
    return problem_response(Problem::hub_failed, organisations.error().message());
  }
  json::array out;
  for (const auto& [line, decision, record_index] : *lines) {
    auto item = policies::to_json(line);
    item["proved"] = decision.has_value();
    const auto org = std::find_if(organisations->begin(), organisations->end(),
                                  [&](const auto& o) { return o.org_id == line.recipient_org; });
    item["recipient_org_name"] = org != organisations->end() ? org->name : "";
    item["recipient_org_type"] = org != organisations->end() ? org->type : "";
    out.push_back(std::move(item));
  }
  return json_response(200, json::object{{"pupil", reference}, {"disclosures", std::move(out)}});
}

}  // namespace

std::optional<Response> consent_answer(client::Client& client, const Request& request,
                                       std::span<const std::string_view> parts) {
  if (parts.size() == 2 && parts[1] == "disclosures") {
    return request.method() == http::verb::get ? disclosures(client, request)
                                               : problem_response(Problem::method_not_allowed);
  }
  if (parts.size() < 2 || parts[1] != "consents" || parts.size() > 4) {
    return std::nullopt;
  }
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (parts.size() == 2) {
    return get    ? list(client, request)
           : post ? register_consent(client, request)
                  : problem_response(Problem::method_not_allowed);
  }
  if (parts.size() == 3 && parts[2] == "giver") {
    return post ? giver(client, request) : problem_response(Problem::method_not_allowed);
  }
  const auto id = id_of(parts[2]);
  if (!id) {
    return problem_response(Problem::bad_request, "a consent id (32 hex digits)");
  }
  if (parts.size() == 3) {
    return get ? show(client, *id) : problem_response(Problem::method_not_allowed);
  }
  if (parts[3] == "revoke") {
    return post ? revoke(client, *id) : problem_response(Problem::method_not_allowed);
  }
  return problem_response(Problem::not_found);
}

}  // namespace draaischijf::ui
