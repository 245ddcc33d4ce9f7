#pragma once

// The unlocked client, held only while it is used. The key store's keys live inside the
// client::Client (move-only secret types that wipe themselves); locking destroys the client, so
// after the idle time the keys are gone from memory, not merely hidden from the page. Unlocking
// opens the key store again: with the passphrase the page asks for, or with the key file the
// program was started with.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/clock.hpp>

#include "topic_cache.hpp"
#include "work_states.hpp"

namespace draaischijf::ui {

class Vault {
 public:
  /// Opens the profile's key store and connects: Client::open in the program.
  using Opener = std::function<protocol::Result<client::Client>(const client::Unlock&)>;

  Vault(Opener opener, std::chrono::milliseconds idle, const protocol::Clock& clock,
        std::optional<std::filesystem::path> key_file = std::nullopt);

  /// The client, its idle time started again; nullptr when locked (also when the idle time
  /// has just passed: it locks first).
  [[nodiscard]] client::Client* use();
  /// As use(), without starting the idle time again: for what the page does on its own (the
  /// inbox it refreshes every few seconds), which must not keep the keys open for a person
  /// who walked away.
  [[nodiscard]] client::Client* peek();
  /// Locks once the idle time has passed; called by the server's timer, so keys leave memory
  /// even when no request comes.
  void expire();
  void lock() noexcept;
  [[nodiscard]] bool locked() const noexcept { return !client_.has_value(); }
  /// With a passphrase; without one (empty), with the key file the program was started with.
  [[nodiscard]] protocol::Result<void> unlock(std::string_view passphrase);
  [[nodiscard]] bool uses_key_file() const noexcept { return key_file_.has_value(); }
  [[nodiscard]] std::chrono::milliseconds idle_time() const noexcept { return idle_; }
  /// The inbox's threads and pupils of this unlocked session; emptied when the vault locks.
  [[nodiscard]] TopicCache& topics() noexcept { return topics_; }
  /// The work states of the inbox's last sync in this unlocked session; emptied when it locks.
  [[nodiscard]] WorkStates& work_states() noexcept { return work_states_; }

 private:
  Opener opener_;
  std::chrono::milliseconds idle_;
  const protocol::Clock* clock_;
  std::optional<std::filesystem::path> key_file_;
  std::optional<client::Client> client_;
  std::int64_t last_use_ms_ = 0;
  TopicCache topics_;
  WorkStates work_states_;
};

}  // namespace draaischijf::ui
