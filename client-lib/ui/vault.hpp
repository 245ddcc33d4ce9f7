#pragma once

// The unlocked client, held only while it is used. The key store's keys live inside the
// client::Client (move-only secret types that wipe themselves); locking destroys the client, so
// after the idle time the keys are gone from memory, not merely hidden from the page. Unlocking
// opens the key store again: with the passphrase the page asks for, or with the key file the
// program was started with.
//
// The inbox's sync runs on a thread of its own (inbox_sync.hpp) with a client of its own for the
// same unlock (`background`), so a message the device holds opens while the hub is slow. What
// both threads touch is behind the vault's lock: the threads, pupils and work states learnt in
// this unlock (`learnt`), the sync's client and the number of the unlock (`unlocked`). Locking
// empties all of it; a sync running at that moment keeps its client (and the keys in it) until
// its exchange with the hub ends, then drops it, and what it learnt is not kept.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/clock.hpp>

#include "topic_cache.hpp"
#include "work_states.hpp"

namespace draaischijf::ui {

class Vault {
 public:
  /// What the inbox learnt in this unlock, with the vault's lock held while it lives: keep it
  /// only for the few map look-ups and writes, never across an exchange with the hub.
  class Learnt {
   public:
    Learnt(std::unique_lock<std::mutex> lock, TopicCache& topic_cache, WorkStates& work_states)
        : topics(topic_cache), work(work_states), lock_(std::move(lock)) {}
    TopicCache& topics;
    WorkStates& work;

   private:
    std::unique_lock<std::mutex> lock_;
  };

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
  /// The inbox's threads and pupils of this unlocked session and the work states of its last
  /// sync, under the vault's lock; emptied when the vault locks.
  [[nodiscard]] Learnt learnt();
  /// As learnt(), only while the vault is still in unlock `unlocked`; nullopt when it locked
  /// (or was unlocked again) since: what a sync of an earlier unlock learnt is dropped.
  [[nodiscard]] std::optional<Learnt> learnt_in(std::uint64_t unlocked);
  /// The number of the present unlock: it changes at every lock and unlock. Any thread.
  [[nodiscard]] std::uint64_t unlocked() const;
  /// The sync thread's client for unlock `unlocked` (nullptr: none yet, or that unlock ended).
  [[nodiscard]] std::shared_ptr<client::Client> background(std::uint64_t unlocked) const;
  /// Keeps `client` as the sync thread's client of unlock `unlocked`; false (and not kept) when
  /// the vault locked since.
  [[nodiscard]] bool keep_background(std::uint64_t unlocked,
                                     std::shared_ptr<client::Client> client);
  /// Held by whoever syncs the inbox: one sync at a time, whichever client runs it (two would
  /// judge the same sender's sequence numbers at once).
  [[nodiscard]] std::mutex& sync_turn() noexcept { return sync_turn_; }

 private:
  Opener opener_;
  std::chrono::milliseconds idle_;
  const protocol::Clock* clock_;
  std::optional<std::filesystem::path> key_file_;
  std::optional<client::Client> client_;
  std::int64_t last_use_ms_ = 0;
  mutable std::mutex mutex_;  // guards what follows: the sync's thread uses it too
  std::uint64_t unlocked_ = 0;
  std::shared_ptr<client::Client> background_;
  TopicCache topics_;
  WorkStates work_states_;
  std::mutex sync_turn_;
};

}  // namespace draaischijf::ui
