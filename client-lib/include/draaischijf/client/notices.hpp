#pragma once

// The hub's signed notices (docs/WORKFLOW.md, "Notices"; docs/PROTOCOL.md 8.5): what the hub
// tells the organisation about the work, e.g. that a message was not fetched in time or that a
// transfer's objection window has closed. Each is verified against the pinned hub key and must
// name this device's organisation; one that does not is refused (notice_invalid), never shown.
//
//   Notices notices{session};
//   for (const auto& n : notices.list().value()) { ... n.notice.type ... }
//   notices.acknowledge(n.notice.notice_id);

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/protocol/hub_notice.hpp>

namespace draaischijf::client {

struct ReceivedNotice {
  protocol::HubNotice notice;  // verified
  std::int64_t sequence = 0;   // the hub's order
  std::optional<std::int64_t> acked_at_ms;
};

/// The checks list() makes on one notice's bytes: parses, verifies against `hub_key` and names
/// `org_id`; notice_invalid otherwise.
[[nodiscard]] protocol::Result<protocol::HubNotice> verify_notice(
    std::span<const std::uint8_t> bytes, const protocol::SigningPublicKey& hub_key,
    const protocol::Id& org_id);

class Notices {
 public:
  /// `session` must outlive this handle.
  explicit Notices(Session& session) noexcept : state_(&session.state()) {}

  /// Every notice this device may see, oldest first; notice_invalid when any fails its checks.
  [[nodiscard]] protocol::Result<std::vector<ReceivedNotice>> list();
  [[nodiscard]] protocol::Result<void> acknowledge(const protocol::Id& notice_id);

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
