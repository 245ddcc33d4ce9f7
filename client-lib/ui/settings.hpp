#pragma once

// The settings screen's API: who this device is (organisation, role, person, device) and the
// organisations it trusts, each with the fingerprint of the key this device pinned, to compare
// with the fingerprint the organisation gives by another channel (phone, letter). "Lock now"
// is /api/lock.
//
//   GET /api/settings   {"device": {...}, "idle_seconds", "organisations": [{"org_id", "name",
//                        "type", "fingerprint", "trusted"}]}   trusted: the hub's key for it is
//                        the one pinned here

#include <draaischijf/client/client.hpp>

#include "api.hpp"

namespace draaischijf::ui {

[[nodiscard]] Response settings_answer(client::Client& client, const Vault& vault);

}  // namespace draaischijf::ui
