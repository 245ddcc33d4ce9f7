#pragma once

// Notifications for /v1/stream: after the COMMIT that queues an envelope, the hub publishes
// (mailbox, sequence) and every subscriber of that mailbox hears of it; after a revoked consent
// took a queued envelope back, (mailbox, sequence, withdrawn) to the recipient mailbox and to
// the sending organisation's mailboxes; after the retention pass expired an entry nobody
// fetched in time, (mailbox, sequence, expired) to the sending organisation's mailboxes; after
// the workflow pass wrote a signed hub notice, (mailbox, notice sequence, hub_notice) to the
// mailbox it is for (all-zero `queue_mailbox`: to every mailbox of the organisation). Ids
// only, never content. Subscribers run their own
// callbacks (they post to their session's executor).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

enum class Notice { message, withdrawn, expired, hub_notice };

struct Notification {
  protocol::Id mailbox{};  // the mailbox the notification is delivered to
  std::int64_t sequence = 0;
  Notice notice = Notice::message;
  protocol::Id queue_mailbox{};  // the recipient mailbox the entry was queued in
  protocol::Id message_id{};     // withdrawn, expired: the envelope; hub_notice: the notice id
};

class Notifier {
 public:
  using Listener = std::function<void(const Notification& notification)>;

  /// Returns a token for unsubscribe().
  [[nodiscard]] std::uint64_t subscribe(std::vector<protocol::Id> mailboxes, Listener listener);
  void unsubscribe(std::uint64_t token);
  void publish(const protocol::Id& mailbox, std::int64_t sequence);
  void publish(const Notification& notification);
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
