#pragma once

// The referral lifecycle's routes (docs/WORKFLOW.md 3): a partner's (or, for `cancelled`, the
// CLB's) signed status statement, the listing of an organisation's referrals with their due
// dates and overdue flag on the hub's clock, and one referral with its signed statements.

#include <draaischijf/server/store/referral_store.hpp>

#include "api/call.hpp"

namespace draaischijf::server::referral_routes {

using api_call::Call;

/// The partner targets of a referral sent at `now_ms`, on the referring CLB's working days.
[[nodiscard]] ReferralDue referral_due(const WorkflowInForce& workflow,
                                       const protocol::Id& referrer_org, std::int64_t now_ms);

/// The hub's Belgian day at `now_ms` (days since 1970-01-01).
[[nodiscard]] std::uint32_t today(std::int64_t now_ms);

[[nodiscard]] Task<Reply> record_status(Call& call);
[[nodiscard]] Task<Reply> list_referrals(Call& call);
[[nodiscard]] Task<Reply> get_referral(Call& call);

}  // namespace draaischijf::server::referral_routes
