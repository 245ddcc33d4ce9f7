#pragma once

// The nonces of signed admin actions the hub accepted while their time is inside the accepted
// window (docs/PROTOCOL.md 7.13): a replayed action is refused. In memory only: past the window
// an action is refused by its time anyway, and a rotation or removal cannot be applied twice.

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

class AdminNonces {
 public:
  /// True the first time `nonce` of `org_id` is offered; it is remembered until `expires_ms`.
  [[nodiscard]] bool first_use(const protocol::Id& org_id, const protocol::Id& nonce,
                               std::int64_t expires_ms, std::int64_t now_ms) {
    const std::lock_guard lock(mutex_);
    std::erase_if(seen_, [now_ms](const auto& entry) { return entry.second < now_ms; });
    return seen_.emplace(std::pair(org_id, nonce), expires_ms).second;
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<protocol::Id, protocol::Id>, std::int64_t> seen_;
};

}  // namespace draaischijf::server
