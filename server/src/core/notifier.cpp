#include <algorithm>

#include <draaischijf/server/core/notifier.hpp>

namespace draaischijf::server {

std::uint64_t Notifier::subscribe(std::vector<protocol::Id> mailboxes, Listener listener) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t token = next_++;
  subscriptions_.emplace(token, Subscription{std::move(mailboxes), std::move(listener)});
  return token;
}

void Notifier::unsubscribe(std::uint64_t token) {
  const std::lock_guard lock(mutex_);
  subscriptions_.erase(token);
}

void Notifier::publish(const protocol::Id& mailbox, std::int64_t sequence) {
  publish(Notification{mailbox, sequence, Notice::message, mailbox, {}});
}

void Notifier::publish(const Notification& notification) {
  const protocol::Id& mailbox = notification.mailbox;
  std::vector<Listener> listeners;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [token, subscription] : subscriptions_) {
      if (std::find(subscription.mailboxes.begin(), subscription.mailboxes.end(), mailbox) !=
          subscription.mailboxes.end()) {
        listeners.push_back(subscription.listener);
      }
    }
  }
  // Outside the lock: a listener may unsubscribe.
  for (const Listener& listener : listeners) {
    listener(notification);
  }
}

std::size_t Notifier::subscribers() const {
  const std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

}  // namespace draaischijf::server
