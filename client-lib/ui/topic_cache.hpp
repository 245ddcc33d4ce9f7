#pragma once

// What each stored message is about (its thread and pupil), learnt by opening it once per
// unlocked session, so the inbox can be grouped without opening every message on every
// refresh. It lives in memory only, beside the keys: the Vault clears it when it locks, and the
// pupil references are wiped, since they are plaintext from inside the messages.

#include <cstdint>
#include <map>
#include <utility>

#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::ui {

class TopicCache {
 public:
  using Key = std::pair<protocol::Id, std::int64_t>;  // mailbox, hub sequence

  TopicCache() = default;
  TopicCache(const TopicCache&) = delete;
  TopicCache& operator=(const TopicCache&) = delete;
  ~TopicCache() { clear(); }

  [[nodiscard]] const client::MessageTopic* find(const Key& key) const {
    const auto at = topics_.find(key);
    return at == topics_.end() ? nullptr : &at->second;
  }
  void put(const Key& key, client::MessageTopic topic) { topics_[key] = std::move(topic); }
  void clear() noexcept {
    for (auto& [key, topic] : topics_) {
      protocol::secure_wipe(topic.pupil_reference.data(), topic.pupil_reference.size());
    }
    topics_.clear();
  }

 private:
  std::map<Key, client::MessageTopic> topics_;
};

}  // namespace draaischijf::ui
