#pragma once

// Sessions that wait on a client (an idle keep-alive connection, a WebSocket with nothing to
// send) register how to wake themselves, so a graceful stop closes them at once instead of
// waiting out their timeouts. A wake registered after the stop runs at once.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace draaischijf::server {

class StopSignal {
 public:
  using Wake = std::function<void()>;

  /// Removes its wake when destroyed (a session holds one for its lifetime).
  class Registration {
   public:
    Registration(StopSignal& signal, std::uint64_t id) noexcept : signal_(&signal), id_(id) {}
    Registration(Registration&& other) noexcept
        : signal_(std::exchange(other.signal_, nullptr)), id_(other.id_) {}
    Registration& operator=(Registration&&) = delete;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() {
      if (signal_ != nullptr) {
        signal_->remove(id_);
      }
    }

   private:
    StopSignal* signal_;
    std::uint64_t id_;
  };

  /// Registers `wake` until the Registration ends; runs it now when the stop has already
  /// fired. Thread-safe.
  [[nodiscard]] Registration add(Wake wake) {
    std::unique_lock lock(mutex_);
    if (fired_) {
      lock.unlock();
      wake();
      return {*this, 0};
    }
    const std::uint64_t id = ++next_id_;
    wakes_.emplace(id, std::move(wake));
    return {*this, id};
  }

  /// Runs every registered wake once. The wakes must only post work, never block. They run
  /// under the lock: a session that ends meanwhile waits in its Registration's removal, so no
  /// wake touches a session (its socket, its strand) that is already gone.
  void fire() {
    const std::lock_guard lock(mutex_);
    fired_ = true;
    for (auto& [id, wake] : wakes_) {
      wake();
    }
    wakes_.clear();
  }

 private:
  void remove(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    wakes_.erase(id);
  }

  std::mutex mutex_;
  std::map<std::uint64_t, Wake> wakes_;
  std::uint64_t next_id_ = 0;
  bool fired_ = false;
};

}  // namespace draaischijf::server
