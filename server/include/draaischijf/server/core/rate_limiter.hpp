#pragma once

// Per-organisation token buckets: each organisation may make `rate` requests per second with
// bursts up to `burst`. One organisation's load never spends another's allowance.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  /// Takes one token; when there is none, how long until there is one.
  [[nodiscard]] std::optional<std::chrono::milliseconds> take(const protocol::Id& org,
                                                              Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::map<protocol::Id, Bucket> buckets_;
};

}  // namespace draaischijf::server
