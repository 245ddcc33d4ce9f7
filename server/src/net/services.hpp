#pragma once

// What a connection and a notification stream need from the hub that owns them: its parts,
// its counters and its stop. Hub::Impl (hub.cpp) holds one for its lifetime.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>
#include <draaischijf/server/core/notifier.hpp>
#include <draaischijf/server/store/directory.hpp>

#include "api/api.hpp"
#include "net/blob_transfer.hpp"
#include "net/handshake_room.hpp"
#include "net/stop_signal.hpp"

namespace draaischijf::server {

struct Metrics {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> access_refused{0};  // transport routes (the API counts its own)
  std::atomic<std::uint64_t> streams_refused{0};
  std::atomic<std::size_t> authenticated{0};  // connections past the handshake and identity
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> crl_reloads_failed{0};
  std::atomic<std::uint64_t> policy_reloads_failed{0};
  std::atomic<std::uint64_t> tls_reloads_failed{0};
  std::atomic<std::size_t> connections{0};
};

/// Counts per key (an address, a device, an organisation) with a cap, under one mutex.
class KeyedCounter {
 public:
  /// false, and nothing counted, when `key` already holds `cap`.
  bool take(const std::string& key, std::size_t cap) {
    const std::lock_guard lock(mutex_);
    auto& count = counts_[key];
    if (count >= cap) {
      if (count == 0) {
        counts_.erase(key);
      }
      return false;
    }
    ++count;
    return true;
  }
  void give_back(const std::string& key) {
    const std::lock_guard lock(mutex_);
    const auto it = counts_.find(key);
    if (it != counts_.end() && --it->second == 0) {
      counts_.erase(it);
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> counts_;
};

/// Gives a taken count back when it goes out of scope (or at release()).
class CountedSlot {
 public:
  CountedSlot(KeyedCounter& counter, std::string key) : counter_(&counter), key_(std::move(key)) {}
  CountedSlot(const CountedSlot&) = delete;
  CountedSlot& operator=(const CountedSlot&) = delete;
  ~CountedSlot() { release(); }
  void release() {
    if (counter_ != nullptr) {
      counter_->give_back(key_);
      counter_ = nullptr;
    }
  }

 private:
  KeyedCounter* counter_;
  std::string key_;
};

/// What the caps count: handshakes under way in all and per remote address, open notification
/// streams per device and per organisation.
struct Caps {
  Caps(HandshakeRoom::Strand accept_strand, std::size_t handshakes_in_flight)
      : handshake_room(accept_strand, handshakes_in_flight) {}
  HandshakeRoom handshake_room;
  KeyedCounter handshakes;
  KeyedCounter device_streams;
  KeyedCounter org_streams;
};

struct Services {
  const HubConfig& config;
  Logger& log;
  Directory& directory;
  Api& api;
  BlobRouteParts blobs;
  Notifier& notifier;
  Metrics& metrics;
  StopSignal& stop_signal;
  const std::atomic<bool>& stopping;
  std::atomic<std::uint64_t>& next_request;
  std::function<std::string()> metrics_text;  // GET /metrics
  Caps& caps;
};

}  // namespace draaischijf::server
