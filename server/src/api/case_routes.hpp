#pragma once

// Onthaal triage over HTTP (docs/WORKFLOW.md, "Onthaal triage"; docs/PROTOCOL.md 7.17): the
// CLB's case statements, triage queue and case view (case_routes.cpp), the school's view of its
// signalen, and the director's aggregate report (case_report.cpp).

#include <cstdint>
#include <optional>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/server/store/case_store.hpp>

#include "api/call.hpp"

namespace draaischijf::server::case_routes {

using api_call::Call;

/// A case's doorlooptijd on the hub's [workflow] calendar: its due date (none while its start
/// event has not happened) and, for an open case, whether it is past it on the hub's today.
struct CaseTiming {
  std::optional<policies::CivilDate> due;
  bool overdue = false;
  int working_days_late = 0;
};

[[nodiscard]] policies::CivilDate hub_date(std::int64_t at_ms) noexcept;
[[nodiscard]] CaseTiming timing_of(const CaseRecord& c, const HubConfig::Workflow& workflow,
                                   const policies::WorkingCalendar& calendar, std::int64_t now_ms);

/// The CLB's enrolled devices only (403 clb-only otherwise).
[[nodiscard]] std::optional<Reply> unless_clb_device(const Call& call);

[[nodiscard]] Task<Reply> post_statement(Call& call);
[[nodiscard]] Task<Reply> list_cases(Call& call);
[[nodiscard]] Task<Reply> get_case(Call& call);
[[nodiscard]] Task<Reply> list_signalen(Call& call);
[[nodiscard]] Task<Reply> case_report(Call& call);

}  // namespace draaischijf::server::case_routes
