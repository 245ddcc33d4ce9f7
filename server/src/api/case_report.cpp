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

// Per partner organisation: the referrals waiting on its waiting list now (`waitlisted`,
// the working days each has waited since it was sent, to today), and the pace of the ones
// that got further: the working days from the day a referral was sent to the day the hub
// recorded its first `accepted` and its first `started` statement. Each as count, median and
// p90 on the CLB's calendar. Organisation ids and numbers only: no referral, message or pupil
// id. A partner with a single referral is shown too: the figures are the CLB's own data about
// an organisation, not about a person (docs/DECISIONS.md).
json::array partner_waiting(const std::vector<ReferralRow>& waitlisted,
                            const std::vector<ReferralMilestone>& milestones,
                            const policies::WorkingCalendar& calendar, policies::CivilDate today) {
  struct Pace {
    std::vector<int> waiting;
    std::vector<int> to_accepted;
    std::vector<int> to_started;
  };
  std::map<std::string, Pace> partners;
  for (const ReferralRow& r : waitlisted) {
    partners[hex(r.partner_org)].waiting.push_back(
        calendar.working_days_between(policies::date_of_day(r.due.sent_day), today));
  }
  for (const ReferralMilestone& m : milestones) {
    Pace& pace = partners[hex(m.partner_org)];
    auto& days = m.state == protocol::ReferralState::accepted ? pace.to_accepted : pace.to_started;
    days.push_back(calendar.working_days_between(policies::date_of_day(m.sent_day),
                                                 hub_date(m.reached_at_ms)));
  }
  json::array out;
  for (const auto& [partner, pace] : partners) {
    out.push_back({{"partner_org", partner},
                   {"waitlisted", spread(pace.waiting)},
                   {"working_days_to_accepted", spread(pace.to_accepted)},
                   {"working_days_to_started", spread(pace.to_started)}});
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
  auto milestones = call.parts.referrals.milestones(call.caller.org_id);
  if (!milestones) {
    co_return call.problem(milestones.error());
  }
  const auto in_force = call.parts.workflow.get();  // one snapshot for the whole report
  const HubConfig::Workflow& workflow = in_force->config;
  const policies::WorkingCalendar& calendar = in_force->calendars.of(call.caller.org_id);
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
      Status::ok, {{"generated_at_ms", call.now_ms()},
                   {"open", std::move(open_json)},
                   {"working_days_to_first_contact", spread(to_contact)},
                   {"working_days_to_closure", spread(to_closure)},
                   {"overdue", {{"count", overdue}, {"by_reason", std::move(reasons)}}},
                   {"signalen_per_school", std::move(schools)},
                   {"partner_waiting",
                    partner_waiting(*waitlisted, *milestones, calendar, hub_date(call.now_ms()))}});
}

}  // namespace draaischijf::server::case_routes
