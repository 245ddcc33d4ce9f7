#include "api/case_routes.hpp"

#include <chrono>

#include <draaischijf/policies/targets.hpp>
#include <draaischijf/protocol/case_statement.hpp>

#include "api/on_writer.hpp"

namespace draaischijf::server::case_routes {
namespace {

using namespace api_call;
using policies::CaseAction;

// A statement's time may be this far from the hub's clock, like an admin action's (7.13).
constexpr std::int64_t kStatementWindowMs = 5 * 60 * 1000;
// A signed statement is 95 bytes; its JSON body stays far below this.
constexpr std::size_t kMaxStatementBody = 4 * 1024;

json::value optional_id(const std::optional<Id>& id) {
  return id ? json::value(hex(*id)) : json::value(nullptr);
}

template <class Enum>
json::value optional_name(const std::optional<Enum>& value) {
  return value ? json::value(policies::name_of(*value)) : json::value(nullptr);
}

json::value optional_ms(const std::optional<std::int64_t>& ms) {
  return ms ? json::value(*ms) : json::value(nullptr);
}

// The CLB's own view of a case: every field but the statements and links.
json::object case_json(const CaseRecord& c, const CaseTiming& timing) {
  return {
      {"case_id", hex(c.case_id)},
      {"message_id", hex(c.message_id)},
      {"school_org", hex(c.school_org)},
      {"pupil", c.pupil ? json::value(hex(*c.pupil)) : json::value(nullptr)},
      {"received_at_ms", c.received_at_ms},
      {"priority", policies::name_of(c.priority)},
      {"state", policies::name_of(c.state)},
      {"assignee", optional_id(c.assignee)},
      {"track", optional_name(c.track)},
      {"close_reason", optional_name(c.close_reason)},
      {"delay_reason", optional_name(c.delay_reason)},
      {"assigned_at_ms", optional_ms(c.assigned_at_ms)},
      {"closed_at_ms", optional_ms(c.closed_at_ms)},
      {"due", timing.due ? json::value(policies::to_string(*timing.due)) : json::value(nullptr)},
      {"overdue", timing.overdue},
      {"working_days_late", timing.working_days_late}};
}

// The statement's fields must be the caller's: its organisation, this case, this device; the
// action one of the table's with a code that fits it.
bool names_caller(const protocol::CaseStatement& s, const Call& call, const Id& case_id) {
  if (s.org_id != call.caller.org_id || s.case_id != case_id ||
      s.device_id != call.caller.device_id) {
    return false;
  }
  if (s.action < 1 || s.action > static_cast<std::uint8_t>(CaseAction::delay_reason)) {
    return false;
  }
  const auto action = static_cast<CaseAction>(s.action);
  if (!policies::valid_code(action, s.code)) {
    return false;
  }
  // Only an assign and a link name a subject.
  return action == CaseAction::assign || action == CaseAction::link || s.subject == Id{};
}

// The verified change, or the refusal: every check before the case is looked at, so a
// statement that fails says nothing about whether the case exists.
std::optional<Reply> verified(Call& call, const Id& case_id, CaseChange& change) {
  if (call.request.body.size() > kMaxStatementBody) {
    return call.problem(ProblemKind::malformed_request, "The body is larger than a statement.");
  }
  const auto body = call.json_body();
  const auto bytes = body ? bytes_field(*body, "statement") : std::nullopt;
  const auto signature = body ? fixed_from<64>(bytes_field(*body, "signature")) : std::nullopt;
  if (!bytes || !signature) {
    return call.problem(ProblemKind::malformed_request,
                        "Send {\"statement\": base64, \"signature\": base64}.");
  }
  auto parsed = protocol::parse_case_statement(*bytes);
  if (!parsed || !names_caller(*parsed, call, case_id)) {
    return call.problem(ProblemKind::case_statement_invalid,
                        "The statement does not parse or does not name this organisation, case "
                        "and device with a known action and code.");
  }
  auto device = call.parts.directory.device(call.caller.device_id);
  if (!device || device->state != DeviceState::enrolled ||
      !protocol::verify_case_statement(*bytes, *signature, device->signing_key)) {
    return call.problem(ProblemKind::case_statement_invalid,
                        "The signature does not verify against this device's enrolled key.");
  }
  const std::int64_t at = static_cast<std::int64_t>(parsed->at_ms);
  if (at < call.now_ms() - kStatementWindowMs || at > call.now_ms() + kStatementWindowMs) {
    return call.problem(ProblemKind::case_statement_invalid,
                        "The statement's time is more than 5 minutes from the hub's clock.");
  }
  change = CaseChange{*parsed, {*bytes, *signature, call.now_ms()}};
  return std::nullopt;
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_cursor(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  const auto priority = parse_count(text.substr(0, dash));
  const auto sequence = parse_count(text.substr(dash + 1));
  if (!priority || !sequence || *priority > 1) {
    return std::nullopt;
  }
  return std::pair(*priority, *sequence);
}

// The triage queue's query: every filter is optional; a bad one is named.
std::optional<Reply> parse_query(const Call& call, CaseQuery& query, std::optional<bool>& overdue) {
  if (auto v = call.query_value("state")) {
    query.state = policies::parse_case_state(*v);
    if (!query.state) {
      return call.problem(ProblemKind::invalid_field,
                          "state: one of new, assigned, vraagverheldering, traject, closed.");
    }
  }
  if (auto v = call.query_value("assignee")) {
    query.assignee = parse_id(*v);
    if (!query.assignee) {
      return call.problem(ProblemKind::invalid_field, "assignee: a staff id, 32 hex digits.");
    }
  }
  if (auto v = call.query_value("priority")) {
    query.priority = policies::parse_case_priority(*v);
    if (!query.priority) {
      return call.problem(ProblemKind::invalid_field, "priority: urgent or ordinary.");
    }
  }
  if (auto v = call.query_value("overdue")) {
    if (*v != "true" && *v != "false") {
      return call.problem(ProblemKind::invalid_field, "overdue: true or false.");
    }
    overdue = *v == "true";
  }
  if (auto v = call.query_value("after")) {
    query.after = parse_cursor(*v);
    if (!query.after) {
      return call.problem(ProblemKind::invalid_field,
                          "after: the `next` cursor of the previous page.");
    }
  }
  if (auto v = call.query_value("limit")) {
    const auto limit = parse_count(*v);
    if (!limit || *limit < 1 || *limit > static_cast<std::int64_t>(kMaxPage)) {
      return call.problem(ProblemKind::invalid_field, "limit: 1 to 1000.");
    }
    query.limit = static_cast<std::size_t>(*limit);
  } else {
    query.limit = kDefaultPage;
  }
  return std::nullopt;
}

}  // namespace

policies::CivilDate hub_date(std::int64_t at_ms) noexcept {
  return policies::belgian_date(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms)));
}

CaseTiming timing_of(const CaseRecord& c, const HubConfig::Workflow& workflow,
                     const policies::WorkingCalendar& calendar, std::int64_t now_ms) {
  std::optional<std::int64_t> start;
  switch (workflow.targets.start) {
    case policies::StartEvent::signaal_received:
      start = c.received_at_ms;
      break;
    case policies::StartEvent::case_assigned:
      start = c.assigned_at_ms;
      break;
    case policies::StartEvent::consent_registered:
      start = c.consent_at_ms;
      break;
  }
  CaseTiming out;
  if (!start) {
    return out;
  }
  out.due = policies::due_date(calendar, hub_date(*start),
                               workflow.targets.track_days(policies::target_track(c.track)));
  if (c.state != policies::CaseState::closed) {
    const auto today = hub_date(now_ms);
    out.overdue = policies::is_overdue(*out.due, today);
    out.working_days_late = policies::working_days_late(calendar, *out.due, today);
  }
  return out;
}

std::optional<Reply> unless_clb_device(const Call& call) {
  if (call.caller.org_type != protocol::OrgType::clb || !call.caller.enrolled) {
    return call.problem(ProblemKind::clb_only, "Cases are the CLB's: its enrolled devices only.");
  }
  return std::nullopt;
}

Task<Reply> post_statement(Call& call) {
  if (auto refused = unless_clb_device(call)) {
    co_return *refused;
  }
  const auto case_id = parse_id(call.params[0]);
  if (!case_id) {
    co_return call.problem(ProblemKind::not_found);
  }
  CaseChange change;
  if (auto refused = verified(call, *case_id, change)) {
    co_return *refused;
  }
  auto applied = co_await on_writer<sqlite::Result<CaseRecord>>(
      [&change, &call](auto complete) { return call.parts.cases.apply(change, complete); });
  if (!applied) {
    co_return call.problem(make_error_code(store_errc::overloaded));
  }
  if (!*applied) {
    const auto error = applied->error();
    if (error == case_errc::transition_refused) {
      const auto current = call.parts.cases.get(call.caller.org_id, *case_id);
      co_return call.problem(
          error, "The case is " +
                     std::string(current ? policies::name_of(current->state) : "unknown") + "; " +
                     std::string(policies::name_of(static_cast<CaseAction>(change.parsed.action))) +
                     " is not allowed there.");
    }
    co_return call.problem(error);
  }
  const auto workflow = call.parts.workflow.get();  // one snapshot for the whole answer
  const policies::WorkingCalendar& calendar = workflow->calendars.of(call.caller.org_id);
  co_return call.json(Status::ok, case_json(**applied, timing_of(**applied, workflow->config,
                                                                 calendar, call.now_ms())));
}

Task<Reply> list_cases(Call& call) {
  if (auto refused = unless_clb_device(call)) {
    co_return *refused;
  }
  CaseQuery query;
  std::optional<bool> overdue;
  if (auto refused = parse_query(call, query, overdue)) {
    co_return *refused;
  }
  const auto workflow = call.parts.workflow.get();  // one snapshot for the whole answer
  const policies::WorkingCalendar& calendar = workflow->calendars.of(call.caller.org_id);
  const std::size_t want = query.limit;
  json::array out;
  std::optional<std::pair<std::int64_t, std::int64_t>> last;
  bool more = true;
  // The overdue filter is computed, not stored: read pages in queue order until one is full.
  while (more && out.size() < want) {
    auto page = call.parts.cases.list(call.caller.org_id, query);
    if (!page) {
      co_return call.problem(page.error());
    }
    more = page->size() == query.limit;
    for (const CaseRecord& c : *page) {
      last = std::pair(static_cast<std::int64_t>(c.priority), c.sequence);
      query.after = last;
      const CaseTiming timing = timing_of(c, workflow->config, calendar, call.now_ms());
      if (overdue && timing.overdue != *overdue) {
        continue;
      }
      out.push_back(case_json(c, timing));
      if (out.size() == want) {
        break;
      }
    }
  }
  json::value next = nullptr;
  if (last && (more || out.size() == want)) {
    next = std::to_string(last->first) + "-" + std::to_string(last->second);
  }
  co_return call.json(Status::ok, {{"cases", std::move(out)}, {"next", std::move(next)}});
}

Task<Reply> get_case(Call& call) {
  if (auto refused = unless_clb_device(call)) {
    co_return *refused;
  }
  const auto case_id = parse_id(call.params[0]);
  // Another organisation's case and a missing one get the same 404.
  auto found = case_id ? call.parts.cases.get(call.caller.org_id, *case_id)
                       : sqlite::Result<CaseRecord>(make_error_code(case_errc::not_found));
  if (!found) {
    co_return call.problem(found.error());
  }
  auto statements = call.parts.cases.statements(found->case_id);
  auto links = call.parts.cases.links(found->case_id);
  if (!statements || !links) {
    co_return call.problem(!statements ? statements.error() : links.error());
  }
  const auto workflow = call.parts.workflow.get();  // one snapshot for the whole answer
  const policies::WorkingCalendar& calendar = workflow->calendars.of(call.caller.org_id);
  json::object body =
      case_json(*found, timing_of(*found, workflow->config, calendar, call.now_ms()));
  body["statements"] = listing("statements", *statements, [](const StoredCaseStatement& s) {
                         return json::object{{"statement", b64(s.statement)},
                                             {"signature", b64(s.signature)},
                                             {"received_at_ms", s.received_at_ms}};
                       }).at("statements");
  body["links"] =
      listing("links", *links, [](const CaseLink& l) {
        return json::object{{"kind", policies::name_of(l.kind)}, {"target", hex(l.target)}};
      }).at("links");
  co_return call.json(Status::ok, body);
}

}  // namespace draaischijf::server::case_routes
