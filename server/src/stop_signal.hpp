#pragma once

// Sessions that wait on a client (an idle keep-alive connection, a WebSocket with nothing to
// send) register how to wake themselves, so a graceful stop closes them at once instead of
// waiting out their timeouts. A wake registered after the stop runs at once.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace draaischijf::server {

class StopSignal {
 public:
  using Wake = std::function<void()>;

  /// Registers `wake`; runs it now when the stop has already fired. Thread-safe.
  [[nodiscard]] std::uint64_t add(Wake wake) {
    std::unique_lock lock(mutex_);
    if (fired_) {
      lock.unlock();
      wake();
      return 0;
    }
    const std::uint64_t id = ++next_id_;
    wakes_.emplace(id, std::move(wake));
    return id;
  }

  void remove(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    wakes_.erase(id);
  }

  /// Runs every registered wake once. The wakes must only post work, never block.
  void fire() {
    std::map<std::uint64_t, Wake> wakes;
    {
      const std::lock_guard lock(mutex_);
      fired_ = true;
      wakes.swap(wakes_);
    }
    for (auto& [id, wake] : wakes) {
      wake();
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, Wake> wakes_;
  std::uint64_t next_id_ = 0;
  bool fired_ = false;
};

}  // namespace draaischijf::server
