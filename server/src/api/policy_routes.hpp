#pragma once

// The policy side of the /v1 API: the signed rule set for clients (GET /v1/policy), the consent
// registry (CLB staff only: register, list per pupil, read, revoke), second approvals, the
// per-pupil disclosure register, dossier transfer announcements (R14's evidence); and the refusal a
// submission gets when the policy says no.

#include "api/call.hpp"
#include "policy/policy_gate.hpp"

namespace draaischijf::server::policy_routes {

[[nodiscard]] Task<Reply> get_policy(api_call::Call& call);
[[nodiscard]] Task<Reply> register_consent(api_call::Call& call);
[[nodiscard]] Task<Reply> list_consents(api_call::Call& call);
[[nodiscard]] Task<Reply> get_consent(api_call::Call& call);
[[nodiscard]] Task<Reply> revoke_consent(api_call::Call& call);
[[nodiscard]] Task<Reply> register_approval(api_call::Call& call);
[[nodiscard]] Task<Reply> get_approval(api_call::Call& call);
[[nodiscard]] Task<Reply> list_disclosures(api_call::Call& call);
[[nodiscard]] Task<Reply> store_pupil_key(api_call::Call& call);
[[nodiscard]] Task<Reply> fetch_pupil_key(api_call::Call& call);
[[nodiscard]] Task<Reply> announce_transfer(api_call::Call& call);
[[nodiscard]] Task<Reply> register_objection(api_call::Call& call);
[[nodiscard]] Task<Reply> get_transfer(api_call::Call& call);
/// R03's evidence: the client's objection to advice going to the school.
[[nodiscard]] Task<Reply> register_advice_objection(api_call::Call& call);
[[nodiscard]] Task<Reply> withdraw_advice_objection(api_call::Call& call);
[[nodiscard]] Task<Reply> get_advice_objection(api_call::Call& call);

/// 403 policy-refused: the outcome, the rule ids, who must consent or which role must approve,
/// the reasons in Dutch and English with their sources, the recipient organisation, the
/// policy version and notes on references that did not count.
[[nodiscard]] Reply refusal(const api_call::Call& call, const GateVerdict& verdict);

}  // namespace draaischijf::server::policy_routes
