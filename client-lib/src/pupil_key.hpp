#pragma once

// The organisation's pupil key on this device (protocol/pupil.hpp): an admin device derives it
// from the organisation signing key; every other device opens the box the admin left for it at
// the hub, signed by the pinned organisation key, once per session.

#include "session_state.hpp"

namespace draaischijf::client {

/// no_pupil_key when the hub holds no box for this device.
[[nodiscard]] protocol::Result<const protocol::PupilKey*> pupil_key(detail::SessionState& s);

/// The binding for one of the organisation's own pupil references.
[[nodiscard]] protocol::Result<protocol::PupilBinding> bind_pupil(detail::SessionState& s,
                                                                  std::string_view reference);

/// Seals the organisation's pupil key to `device_id`'s verified certificate and leaves it at
/// the hub (admin devices only).
[[nodiscard]] protocol::Result<void> send_pupil_key(detail::SessionState& s,
                                                    const protocol::Id& device_id);

}  // namespace draaischijf::client
