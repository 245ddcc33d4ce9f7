#pragma once

// New-message notifications for /v1/stream: after the COMMIT that queues an envelope, the hub
// publishes (mailbox, sequence) and every subscriber of that mailbox hears of it. Ids only,
// never content. Subscribers run their own callbacks (they post to their session's executor).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

class Notifier {
 public:
  using Listener = std::function<void(const protocol::Id& mailbox, std::int64_t sequence)>;

  /// Returns a token for unsubscribe().
  [[nodiscard]] std::uint64_t subscribe(std::vector<protocol::Id> mailboxes, Listener listener);
  void unsubscribe(std::uint64_t token);
  void publish(const protocol::Id& mailbox, std::int64_t sequence);
  [[nodiscard]] std::size_t subscribers() const;

 private:
  struct Subscription {
    std::vector<protocol::Id> mailboxes;
    Listener listener;
  };
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::uint64_t, Subscription> subscriptions_;
};

}  // namespace draaischijf::server
