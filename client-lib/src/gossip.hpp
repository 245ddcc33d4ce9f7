#pragma once

// Checkpoints gossiped inside envelopes (docs/TRANSPARENCY.md, docs/PROTOCOL.md 7.7 and 8.1):
// a sender seals its latest accepted checkpoint of each hub log into the signed inner part; a
// recipient compares each with its own. A hub that shows two parties who write to each other
// two views of a log is caught at the first envelope between them, with no extra party.

#include <span>
#include <string>
#include <vector>

#include "session_state.hpp"

namespace draaischijf::client {

/// The checkpoints this device accepted (both logs, the signed notes as stored), to be sealed
/// into an envelope; none when it has accepted none yet or pins no hub key.
[[nodiscard]] protocol::Result<std::vector<std::string>> checkpoints_to_gossip(
    detail::SessionState& s);

/// Checks the checkpoints a sender gossiped in the envelope `message_id` against this device's
/// own (PROTOCOL.md 8.1 step 23) and returns the flags the message gets, space-separated:
/// `log_fork` when one shows a split view (same size and another root, or no consistency proof
/// the hub will give and that verifies; the two notes are kept as evidence), and
/// `gossip_unverified` when one is not a checkpoint of this hub's logs signed by its pinned key
/// (ignored). A newer consistent checkpoint with the profile's witness quorum becomes this
/// device's own; an older consistent one changes nothing. Errors only when the hub cannot be
/// reached or the local state fails (the message then stays queued at the hub).
[[nodiscard]] protocol::Result<std::string> check_gossip(detail::SessionState& s,
                                                         std::span<const std::string> checkpoints,
                                                         const protocol::Id& message_id);

}  // namespace draaischijf::client
