#include <algorithm>
#include <map>

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

#include "api/case_routes.hpp"
#include "policy/hub_policy.hpp"

namespace draaischijf::server::case_routes {
namespace {

using namespace api_call;

// The nearest-rank percentile (the smallest value with at least p% of the values at or below
// it): always one of the measured values, so a report never shows a day nobody waited.
json::value percentile(std::vector<int> values, int p) {
  if (values.empty()) {
    return nullptr;
  }
  std::sort(values.begin(), values.end());
  const std::size_t rank = (values.size() * static_cast<std::size_t>(p) + 99) / 100;
  return values[std::max<std::size_t>(rank, 1) - 1];
}

json::object spread(const std::vector<int>& days) {
  return {{"count", days.size()}, {"median", percentile(days, 50)}, {"p90", percentile(days, 90)}};
}

// The referrals waiting on a partner's waiting list, per partner organisation: how many, and
// the working days each has waited since it was sent (count, median, p90). Organisation ids
// and numbers only: no referral, message or pupil id.
json::array partner_waiting(const std::vector<ReferralRow>& waitlisted,
                            const policies::WorkingCalendar& calendar, policies::CivilDate today) {
  std::map<std::string, std::vector<int>> waited;  // partner -> working days
  for (const ReferralRow& r : waitlisted) {
    waited[hex(r.partner_org)].push_back(
        calendar.working_days_between(policies::date_of_day(r.due.sent_day), today));
  }
  json::array out;
  for (const auto& [partner, days] : waited) {
    out.push_back({{"partner_org", partner}, {"waitlisted", spread(days)}});
  }
  return out;
}

}  // namespace

Task<Reply> list_signalen(Call& call) {
  if (call.caller.org_type != protocol::OrgType::school || !call.caller.enrolled) {
    co_return call.problem(ProblemKind::forbidden, "The signalen view is a school's.");
  }
  // Which school roles follow their signalen is the rule set's choice (SIG01), not the code's.
  const auto role = protocol::parse_name<protocol::StaffRole>(call.caller.role);
  if (!role || !call.parts.policy.get()->rules->settings().sees_signalen(*role)) {
    co_return call.problem(ProblemKind::signalen_not_permitted,
                           "SIG01 in the rule set in force does not name the role " +
                               std::string(role ? call.caller.role : "(unknown)") + ".");
  }
  std::int64_t before = 0;
  if (auto v = call.query_value("before")) {
    const auto parsed = parse_count(*v);
    if (!parsed || *parsed < 1) {
      co_return call.problem(ProblemKind::invalid_field,
                             "before: the `next` cursor of the previous page.");
    }
    before = *parsed;
  }
  auto cases = call.parts.cases.raised_by(call.caller.org_id, before, kDefaultPage);
  if (!cases) {
    co_return call.problem(cases.error());
  }
  // Only the three school states: never assignee, track, reason or dates of the CLB's work.
  json::array out;
  for (const CaseRecord& c : *cases) {
    out.push_back({{"message_id", hex(c.message_id)},
                   {"clb", hex(c.org_id)},
                   {"received_at_ms", c.received_at_ms},
                   {"status", policies::name_of(policies::school_status(c.state))}});
  }
  json::value next = nullptr;
  if (cases->size() == kDefaultPage) {
    next = std::to_string(cases->back().sequence);
  }
  co_return call.json(Status::ok, {{"signalen", std::move(out)}, {"next", std::move(next)}});
}

Task<Reply> case_report(Call& call) {
  if (auto refused = unless_clb_device(call)) {
    co_return *refused;
  }
  auto cases = call.parts.cases.all_of(call.caller.org_id);
  if (!cases) {
    co_return call.problem(cases.error());
  }
  auto waitlisted = call.parts.referrals.waitlisted(call.caller.org_id);
  if (!waitlisted) {
    co_return call.problem(waitlisted.error());
  }
  const HubConfig::Workflow& workflow = call.parts.config.workflow;
  const policies::WorkingCalendar calendar(workflow.calendar_of(hex(call.caller.org_id)));
  std::map<std::string, std::map<std::string, std::int64_t>> open;  // state -> track -> count
  std::map<std::string, std::int64_t> overdue_by_reason;
  std::map<std::string, std::int64_t> per_school;
  std::vector<int> to_contact;
  std::vector<int> to_closure;
  std::int64_t overdue = 0;
  // Aggregates only: no case id, pupil or staff id leaves this loop.
  for (const CaseRecord& c : *cases) {
    const auto received = hub_date(c.received_at_ms);
    ++per_school[hex(c.school_org)];
    if (c.assigned_at_ms) {
      to_contact.push_back(calendar.working_days_between(received, hub_date(*c.assigned_at_ms)));
    }
    if (c.closed_at_ms) {
      to_closure.push_back(calendar.working_days_between(received, hub_date(*c.closed_at_ms)));
      continue;
    }
    const std::string track = c.track ? std::string(policies::name_of(*c.track)) : "none";
    ++open[std::string(policies::name_of(c.state))][track];
    if (timing_of(c, workflow, calendar, call.now_ms()).overdue) {
      ++overdue;
      ++overdue_by_reason[c.delay_reason ? std::string(policies::name_of(*c.delay_reason))
                                         : "none"];
    }
  }
  json::object open_json;
  for (const auto& [state, tracks] : open) {
    json::object by_track;
    for (const auto& [track, count] : tracks) {
      by_track[track] = count;
    }
    open_json[state] = std::move(by_track);
  }
  json::object reasons;
  for (const auto& [reason, count] : overdue_by_reason) {
    reasons[reason] = count;
  }
  json::array schools;
  for (const auto& [school, count] : per_school) {
    schools.push_back({{"school_org", school}, {"signalen", count}});
  }
  co_return call.json(
      Status::ok,
      {{"generated_at_ms", call.now_ms()},
       {"open", std::move(open_json)},
       {"working_days_to_first_contact", spread(to_contact)},
       {"working_days_to_closure", spread(to_closure)},
       {"overdue", {{"count", overdue}, {"by_reason", std::move(reasons)}}},
       {"signalen_per_school", std::move(schools)},
       {"partner_waiting", partner_waiting(*waitlisted, calendar, hub_date(call.now_ms()))}});
}

}  // namespace draaischijf::server::case_routes
