#include "api/referral_routes.hpp"

#include <chrono>
#include <cstdlib>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/policies/targets.hpp>

#include "api/on_writer.hpp"

namespace draaischijf::server::referral_routes {
namespace {

using namespace api_call;
using protocol::ReferralState;

// Listing pages: the API's usual default and cap.
constexpr std::size_t kMaxReferralPage = kMaxPage;

std::string day_text(std::uint32_t day) {
  return day == 0 ? std::string() : policies::to_string(policies::date_of_day(day));
}

json::object fhir_json(ReferralState state) {
  const auto fhir = policies::fhir_task_status(state);
  json::object out{{"status", fhir.status}};
  if (!fhir.business_status.empty()) {
    out["business_status"] = fhir.business_status;
  }
  return out;
}

json::object statement_json(const ReferralStatementRow& s) {
  json::object out{{"sequence", s.sequence},
                   {"state", protocol::name_of(s.state)},
                   {"recorded_at_ms", s.recorded_at_ms},
                   {"statement", b64(s.statement)}};
  if (s.state == ReferralState::declined) {
    out["reason"] = protocol::name_of(static_cast<protocol::DeclineReason>(s.code));
  } else if (s.state == ReferralState::closed) {
    out["outcome"] = protocol::name_of(static_cast<protocol::ReferralOutcome>(s.code));
  }
  if (s.day != 0) {
    out["date"] = day_text(s.day);
  }
  return out;
}

json::object referral_json(const ReferralRow& r, std::uint32_t today,
                           const std::vector<ReferralStatementRow>& statements) {
  json::array history;
  history.push_back({{"sequence", 0}, {"state", "sent"}, {"recorded_at_ms", r.sent_at_ms}});
  for (const ReferralStatementRow& s : statements) {
    history.push_back(statement_json(s));
  }
  return {{"cursor", r.id},
          {"message_id", hex(r.referral_id)},
          {"kind", protocol::name_of(r.kind)},
          {"referrer_org", hex(r.referrer_org)},
          {"partner_org", hex(r.partner_org)},
          {"state", protocol::name_of(r.state)},
          {"fhir", fhir_json(r.state)},
          {"sequence", r.last_sequence},
          {"sent_at_ms", r.sent_at_ms},
          {"updated_at_ms", r.updated_at_ms},
          {"received_due", day_text(r.due.received_due_day)},
          {"answered_due", day_text(r.due.answered_due_day)},
          {"overdue", referral_overdue(r, today)},
          {"history", std::move(history)}};
}

json::array state_names(std::span<const ReferralState> states) {
  json::array out;
  for (const ReferralState s : states) {
    out.push_back(json::string(protocol::name_of(s)));
  }
  return out;
}

// The refusal of a statement the transaction did not record: 404, or 409 naming where the
// referral is and what may follow.
Reply refused(const Call& call, const ReferralStore::Recorded& recorded) {
  const auto& error = recorded.result.error();
  if (error == make_error_code(referral_errc::not_found)) {
    return call.problem(ProblemKind::referral_not_found);
  }
  if (error.category() != referral_category()) {
    return call.problem(error);
  }
  const auto& row = recorded.row;
  return call.problem(ProblemKind::transition_invalid,
                      "The referral is " + std::string(protocol::name_of(row.current)) + ".",
                      {{"current_state", protocol::name_of(row.current)},
                       {"allowed", state_names(policies::next_states(row.current))},
                       {"expected_sequence", row.last_sequence + 1}});
}

// The referral row of `org`'s view that the statement is about, or a 404 reply.
std::optional<ReferralRow> row_for(Call& call, const protocol::ReferralStatement& s) {
  auto rows = call.parts.referrals.find(s.referral_id, call.caller.org_id);
  if (!rows) {
    return std::nullopt;
  }
  for (const ReferralRow& r : *rows) {
    if (r.partner_org == s.partner_org) {
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace

std::uint32_t today(std::int64_t now_ms) {
  return policies::day_number(policies::belgian_date(
      std::chrono::system_clock::time_point{std::chrono::milliseconds{now_ms}}));
}

ReferralDue referral_due(const WorkflowInForce& workflow, const protocol::Id& referrer_org,
                         std::int64_t now_ms) {
  // The referring CLB's calendar: the hub's with that CLB's own closure days.
  const policies::WorkingCalendar& calendar = workflow.calendars.of(referrer_org);
  const auto sent = policies::date_of_day(today(now_ms));
  const auto& targets = workflow.config.targets;
  return {policies::day_number(sent),
          policies::day_number(policies::due_date(calendar, sent, targets.partner_received_days)),
          policies::day_number(policies::due_date(calendar, sent, targets.partner_answered_days))};
}

Task<Reply> record_status(Call& call) {
  if (!call.caller.enrolled) {
    co_return call.problem(ProblemKind::device_not_enrolled);
  }
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(ProblemKind::referral_not_found);
  }
  auto parsed = protocol::parse_referral_statement(call.request.body);
  if (!parsed || !protocol::verify_referral_signature(*parsed)) {
    co_return call.problem(ProblemKind::statement_invalid);
  }
  const protocol::ReferralStatement& s = parsed->statement;
  // Signed by this very device, whose enrolled certificate it embeds: the organisation the
  // statement speaks for is the one that certified the device, not one it claims.
  auto device = call.parts.directory.device(call.caller.device_id);
  if (!device || device->certificate != protocol::encode(parsed->signer)) {
    co_return call.problem(ProblemKind::statement_invalid,
                           "It must embed this device's own enrolled certificate.");
  }
  if (s.referral_id != *id) {
    co_return call.problem(ProblemKind::statement_invalid,
                           "It names another referral than the path.");
  }
  const auto skew =
      std::chrono::duration_cast<std::chrono::milliseconds>(call.parts.config.limits.max_clock_skew)
          .count();
  if (std::llabs(static_cast<long long>(s.created_at_ms) - call.now_ms()) > skew) {
    co_return call.problem(ProblemKind::clock_skew);
  }
  const auto row = row_for(call, s);
  if (!row) {
    co_return call.problem(ProblemKind::referral_not_found);
  }
  const bool partner_step = policies::party_of(s.state) == policies::ReferralParty::partner;
  if (call.caller.org_id != (partner_step ? row->partner_org : row->referrer_org)) {
    co_return call.problem(ProblemKind::referral_wrong_party);
  }
  StatusRecord record{*parsed, std::move(call.request.body), call.caller.device_id, call.now_ms()};
  auto recorded = co_await on_writer<ReferralStore::Recorded>(
      [&](auto complete) { return call.parts.referrals.record(std::move(record), complete); });
  if (!recorded) {
    co_return call.problem(make_error_code(store_errc::overloaded));
  }
  if (!recorded->result) {
    co_return refused(call, *recorded);
  }
  call.parts.log.info("referral.status", {{"request_id", std::string_view(call.request_id)},
                                          {"state", protocol::name_of(s.state)},
                                          {"sequence", static_cast<std::int64_t>(s.sequence)}});
  co_return call.json(recorded->row.duplicate ? Status::ok : Status::created,
                      {{"message_id", hex(s.referral_id)},
                       {"partner_org", hex(s.partner_org)},
                       {"state", protocol::name_of(recorded->row.current)},
                       {"sequence", recorded->row.last_sequence},
                       {"duplicate", recorded->row.duplicate}});
}

Task<Reply> list_referrals(Call& call) {
  ReferralQuery q;
  q.org = call.caller.org_id;
  const auto side = call.query_value("side");
  if (side && *side != "sent" && *side != "received") {
    co_return call.problem(ProblemKind::invalid_field, "side is sent or received.");
  }
  // A CLB sends referrals, a partner receives them; either may ask for the other side.
  q.side = side ? (*side == "sent" ? ReferralSide::sent : ReferralSide::received)
                : (call.caller.org_type == protocol::OrgType::clb ? ReferralSide::sent
                                                                  : ReferralSide::received);
  if (const auto state = call.query_value("state")) {
    q.state = protocol::parse_name<ReferralState>(*state);
    if (!q.state) {
      co_return call.problem(ProblemKind::invalid_field,
                             "state is one of sent, received, accepted, declined, waitlisted, "
                             "intake_planned, started, closed, cancelled.");
    }
  }
  if (const auto partner = call.query_value("partner")) {
    q.counterpart = parse_id(*partner);
    if (!q.counterpart) {
      co_return call.problem(ProblemKind::invalid_field,
                             "partner is an organisation id (32 hex digits).");
    }
  }
  if (const auto overdue = call.query_value("overdue")) {
    if (*overdue != "true" && *overdue != "false") {
      co_return call.problem(ProblemKind::invalid_field, "overdue is true or false.");
    }
    q.overdue_only = *overdue == "true";
  }
  const auto limit = parse_count(call.query_value("limit").value_or("100"));
  const auto after = parse_count(call.query_value("after").value_or("0"));
  if (!limit || *limit == 0 || static_cast<std::size_t>(*limit) > kMaxReferralPage || !after) {
    co_return call.problem(ProblemKind::invalid_field,
                           "limit is 1 to 1000 and after a cursor from an earlier page.");
  }
  q.limit = static_cast<std::size_t>(*limit);
  q.after = *after;
  q.today = today(call.now_ms());
  auto rows = call.parts.referrals.list(q);
  if (!rows) {
    co_return call.problem(rows.error());
  }
  json::array out;
  for (const ReferralRow& r : *rows) {
    auto statements = call.parts.referrals.statements(r.referral_id, r.partner_org);
    if (!statements) {
      co_return call.problem(statements.error());
    }
    out.push_back(referral_json(r, q.today, *statements));
  }
  json::object body{{"referrals", std::move(out)}};
  if (rows->size() == q.limit) {
    body["next"] = rows->back().id;
  }
  co_return call.json(Status::ok, body);
}

Task<Reply> get_referral(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(ProblemKind::referral_not_found);
  }
  auto rows = call.parts.referrals.find(*id, call.caller.org_id);
  if (!rows) {
    co_return call.problem(rows.error());
  }
  if (rows->empty()) {
    co_return call.problem(ProblemKind::referral_not_found);
  }
  const std::uint32_t day = today(call.now_ms());
  json::array out;
  for (const ReferralRow& r : *rows) {
    // A partner sees only its own row (find() scopes it); the CLB every partner's.
    auto statements = call.parts.referrals.statements(r.referral_id, r.partner_org);
    if (!statements) {
      co_return call.problem(statements.error());
    }
    out.push_back(referral_json(r, day, *statements));
  }
  co_return call.json(Status::ok, {{"message_id", hex(*id)}, {"referrals", std::move(out)}});
}

}  // namespace draaischijf::server::referral_routes
