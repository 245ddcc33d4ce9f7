#pragma once

// The working-day calendar of each organisation (docs/WORKFLOW.md 1, "A CLB's own calendar"):
// the hub's [workflow] calendar with a CLB's own closure period and closure days in place, built
// once from the configuration. Every due date and notice about a CLB's case, referral or
// transfer is counted on `of(that CLB)`; `hub()` is the calendar of everything that belongs to
// no CLB in particular.

#include <map>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server {

class OrgCalendars {
 public:
  explicit OrgCalendars(const HubConfig::Workflow& workflow);
  /// Every organisation on `hub` (a pass or a test without CLB settings).
  OrgCalendars(policies::WorkingCalendar hub) : hub_(std::move(hub)) {}  // NOLINT: converting

  [[nodiscard]] const policies::WorkingCalendar& hub() const noexcept { return hub_; }
  /// The organisation's own calendar, or the hub's when it has no settings of its own.
  [[nodiscard]] const policies::WorkingCalendar& of(const protocol::Id& org_id) const noexcept;

 private:
  policies::WorkingCalendar hub_;
  std::map<protocol::Id, policies::WorkingCalendar> own_;
};

}  // namespace draaischijf::server
