#include "case_commands.hpp"

#include <array>
#include <iostream>
#include <optional>
#include <variant>

#include <draaischijf/client/cases.hpp>
#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/protocol/csv.hpp>

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using policies::CaseAction;

// A JSON field as text for a table ("-" for null).
std::string field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return "-";
  }
  if (v->is_string()) {
    return std::string(v->as_string());
  }
  return json::serialize(*v);
}

void print_case_line(const json::object& c) {
  std::cout << field(c, "case_id") << "  " << field(c, "priority") << "  " << field(c, "state")
            << "  track " << field(c, "track") << "  due " << field(c, "due")
            << (c.contains("overdue") && c.at("overdue").as_bool() ? " OVERDUE" : "")
            << "  assignee " << field(c, "assignee") << "\n";
}

struct Parsed {
  CaseAction action = CaseAction::assign;
  std::uint8_t code = 0;
  protocol::Id subject{};
};

// The action of `case VERB CASE ...`, or the usage message that says what is wrong.
std::variant<Parsed, std::string> parse_action(const std::string& verb, const Arguments& args) {
  Parsed out;
  const auto reason = args.value("reason").value_or("");
  if (verb == "assign") {
    const auto staff = parse_id(args.value("to").value_or(""));
    if (!staff) {
      return "case assign CASE --to STAFF_ID (32 hex digits, as `devices` shows it)";
    }
    out.subject = *staff;
  } else if (verb == "vraagverheldering") {
    out.action = CaseAction::vraagverheldering;
  } else if (verb == "track") {
    out.action = CaseAction::traject;
    const auto& words = args.positional();
    const auto code = words.size() == 4 ? policies::parse_action_code(CaseAction::traject, words[3])
                                        : std::nullopt;
    if (!code) {
      return "case track CASE advice|diagnosis|diagnosis_formalised_advice|referral";
    }
    out.code = *code;
  } else if (verb == "close") {
    out.action = CaseAction::close;
    const auto code = policies::parse_action_code(CaseAction::close, reason);
    if (!code) {
      return "case close CASE --reason no_further_guidance|referred|moved_school|other";
    }
    out.code = *code;
  } else if (verb == "delay") {
    out.action = CaseAction::delay_reason;
    const auto code = policies::parse_action_code(CaseAction::delay_reason, reason);
    if (!code) {
      return "case delay CASE --reason leerbedreigd|partner_pace|waiting_list|other";
    }
    out.code = *code;
  } else {  // link
    out.action = CaseAction::link;
    const bool consent = args.value("consent").has_value();
    const auto id = parse_id(args.value(consent ? "consent" : "referral").value_or(""));
    if (!id || consent == args.value("referral").has_value()) {
      return "case link CASE --consent CONSENT_ID | --referral MESSAGE_ID";
    }
    out.code = static_cast<std::uint8_t>(consent ? policies::LinkKind::consent
                                                 : policies::LinkKind::referral);
    out.subject = *id;
  }
  return out;
}

int show_case(client::Client& client, const Context& context, const protocol::Id& case_id) {
  auto found = client.cases().get(case_id);
  if (!found) {
    return fail(found.error(), &client);
  }
  if (context.json_output) {
    print_json(*found);
    return kOk;
  }
  print_case_line(*found);
  std::cout << "  signaal " << field(*found, "message_id") << " from school "
            << field(*found, "school_org") << ", received "
            << when(found->at("received_at_ms").as_int64()) << "\n  "
            << found->at("statements").as_array().size()
            << " signed statements, each verified against its device's certificate\n";
  for (const auto& link : found->at("links").as_array()) {
    std::cout << "  linked " << field(link.as_object(), "kind") << " "
              << field(link.as_object(), "target") << "\n";
  }
  return kOk;
}

}  // namespace

int case_command(client::Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"to", "reason", "consent", "referral"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto& words = args.positional();
  const std::string verb = words.size() >= 2 ? words[1] : "";
  const auto case_id = words.size() >= 3 ? parse_id(words[2]) : std::nullopt;
  if (!case_id) {
    return usage_error("case " + verb +
                       " CASE ...: CASE is a case id (32 hex digits, as `cases` "
                       "shows it)");
  }
  if (verb == "show") {
    return show_case(client, context, *case_id);
  }
  const auto parsed = parse_action(verb, args);
  if (const auto* usage = std::get_if<std::string>(&parsed)) {
    return usage_error(*usage);
  }
  const auto& action = std::get<Parsed>(parsed);
  auto after = client.cases().act(*case_id, action.action, action.code, action.subject);
  if (!after) {
    return fail(after.error(), &client);
  }
  if (context.json_output) {
    print_json(*after);
  } else {
    print_case_line(*after);
  }
  return kOk;
}

int cases_command(client::Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"state", "assignee", "priority", "overdue"}); !bad.empty()) {
    return usage_error(bad);
  }
  std::string query;
  for (const char* key : {"state", "assignee", "priority"}) {
    if (const auto value = args.value(key)) {
      // Vocabulary names and hex ids: nothing to escape; the hub names a wrong value.
      query += (query.empty() ? "?" : "&") + std::string(key) + "=" + *value;
    }
  }
  if (args.flag("overdue")) {
    query += (query.empty() ? "?" : "&") + std::string("overdue=true");
  }
  auto listed = client.cases().list(query);
  if (!listed) {
    return fail(listed.error(), &client);
  }
  if (context.json_output) {
    print_json(json::value_from(*listed));
    return kOk;
  }
  for (const auto& c : *listed) {
    print_case_line(c);
  }
  if (listed->empty()) {
    std::cout << "no cases\n";
  }
  return kOk;
}

int signalen_command(client::Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({}); !bad.empty()) {
    return usage_error(bad);
  }
  auto listed = client.cases().signalen();
  if (!listed) {
    return fail(listed.error(), &client);
  }
  if (context.json_output) {
    print_json(json::value_from(*listed));
    return kOk;
  }
  for (const auto& s : *listed) {
    std::cout << when(s.at("received_at_ms").as_int64()) << "  " << field(s, "message_id") << "  "
              << field(s, "status") << "\n";
  }
  if (listed->empty()) {
    std::cout << "no signalen\n";
  }
  return kOk;
}

int report_command(client::Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"csv"}); !bad.empty()) {
    return usage_error(bad);
  }
  auto report = client.cases().report();
  if (!report) {
    return fail(report.error(), &client);
  }
  if (context.json_output) {
    print_json(*report);
    return kOk;
  }
  // One row per figure: the same rows as a table and as CSV.
  std::vector<std::array<std::string, 3>> rows;
  for (const auto& [state, tracks] : report->at("open").as_object()) {
    for (const auto& [track, count] : tracks.as_object()) {
      rows.push_back({"open " + std::string(state), std::string(track), json::serialize(count)});
    }
  }
  for (const char* spread : {"working_days_to_first_contact", "working_days_to_closure"}) {
    const auto& o = report->at(spread).as_object();
    for (const char* key : {"count", "median", "p90"}) {
      rows.push_back({spread, key, field(o, key)});
    }
  }
  const auto& overdue = report->at("overdue").as_object();
  rows.push_back({"overdue", "all", field(overdue, "count")});
  for (const auto& [reason, count] : overdue.at("by_reason").as_object()) {
    rows.push_back({"overdue", std::string(reason), json::serialize(count)});
  }
  for (const auto& school : report->at("signalen_per_school").as_array()) {
    rows.push_back({"signalen", field(school.as_object(), "school_org"),
                    field(school.as_object(), "signalen")});
  }
  // Per partner: the referrals on its waiting list now, and the pace of the ones it accepted
  // and started (a hub without these figures yet gives none, not a failure).
  constexpr std::array<std::pair<const char*, const char*>, 3> kPartnerFigures = {{
      {"waitlisted", "waitlisted_at_partner"},
      {"working_days_to_accepted", "partner_working_days_to_accepted"},
      {"working_days_to_started", "partner_working_days_to_started"},
  }};
  for (const auto& partner : report->at("partner_waiting").as_array()) {
    const std::string org = field(partner.as_object(), "partner_org");
    for (const auto& [name, figure] : kPartnerFigures) {
      const auto* spread = partner.as_object().if_contains(name);
      if (spread == nullptr || !spread->is_object()) {
        continue;
      }
      for (const char* key : {"count", "median", "p90"}) {
        rows.push_back({figure, org + " " + key, field(spread->as_object(), key)});
      }
    }
  }
  if (args.flag("csv")) {
    // RFC 4180 fields, LF line ends: the CLI's output filter would show a CR as an escape.
    std::cout << "figure,detail,value\n";
    for (const auto& row : rows) {
      std::cout << protocol::csv_field(row[0]) << "," << protocol::csv_field(row[1]) << ","
                << protocol::csv_field(row[2]) << "\n";
    }
    return kOk;
  }
  for (const auto& row : rows) {
    std::cout << row[0] << std::string(row[0].size() < 32 ? 32 - row[0].size() : 1, ' ') << row[1]
              << std::string(row[1].size() < 34 ? 34 - row[1].size() : 1, ' ') << row[2] << "\n";
  }
  return kOk;
}

}  // namespace draaischijf::cli
