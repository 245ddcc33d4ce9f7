#pragma once

// The work views' API (docs/WORKFLOW.md): the CLB's triage queue and the signed case actions,
// the referral board, the school's view of its signalen, the director's report. The hub decides
// who sees what: a refusal comes back as the `hub-refused` problem with the hub's own title and
// detail (and its status and type), which the page shows in place of the view.
//
//   GET  /api/cases                 the triage queue, urgent first (the hub's order), each case
//                                   with "pupil_label" when a message in this inbox names it
//   POST /api/cases/CASE/act        {"action": "assign"|"vraagverheldering"|"track"|"close"|
//                                   "delay", "code": track or reason name, "to": STAFF (assign;
//                                   default this device's person)}: signed here, sent, the case
//   GET  /api/referrals             the referrals of this organisation's side, each checked
//   GET  /api/signalen              the school's signalen with their three states
//   GET  /api/report                the director's aggregates

#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/client/client.hpp>

#include "api.hpp"
#include "vault.hpp"

namespace draaischijf::ui {

/// The answer for /api/cases, /api/referrals, /api/signalen and /api/report (parts: the
/// target's segments after "api"); nullopt when the route is none of these.
/// The triage queue names each pupil from the threads and pupils `vault` learnt.
[[nodiscard]] std::optional<Response> work_answer(client::Client& client, Vault& vault,
                                                  const Request& request,
                                                  const std::vector<std::string_view>& parts);

}  // namespace draaischijf::ui
