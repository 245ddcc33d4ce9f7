#pragma once

// The hub's signed notices (docs/WORKFLOW.md, "Notices"): GET /v1/notices lists those the
// caller's device may see, POST /v1/notices/{notice_id}/ack acknowledges one. An
// organisation-wide notice (all-zero mailbox id) is for every enrolled device of the
// organisation; a mailbox's notice for the current members of that mailbox. Anything else,
// another organisation's notices included, is answered as missing.

#include "api/call.hpp"

namespace draaischijf::server::notice_routes {

[[nodiscard]] Task<Reply> list_notices(api_call::Call& call);
[[nodiscard]] Task<Reply> acknowledge(api_call::Call& call);

}  // namespace draaischijf::server::notice_routes
