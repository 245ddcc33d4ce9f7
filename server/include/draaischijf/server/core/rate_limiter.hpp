#pragma once

// Per-organisation token buckets: each organisation may make `rate` requests per second with
// bursts up to `burst`. One organisation's load never spends another's allowance.
//
// The time comes from the hub's injected protocol::Clock, so a test moves it instead of racing
// the machine. That clock is the wall clock in production and may be stepped: a step forward
// refills at most up to `burst`, and a step back only restarts the refill from the new time
// (no bucket loses tokens it had, none is blocked until the clock catches up).

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  /// Takes one token at `now`; when there is none, how long until there is one.
  [[nodiscard]] std::optional<std::chrono::milliseconds> take(const protocol::Id& org,
                                                              protocol::TimePoint now);

 private:
  struct Bucket {
    double tokens = 0;
    protocol::TimePoint updated;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::map<protocol::Id, Bucket> buckets_;
};

}  // namespace draaischijf::server
