#include <algorithm>
#include <cmath>

#include <draaischijf/server/core/rate_limiter.hpp>

namespace draaischijf::server {

std::optional<std::chrono::milliseconds> RateLimiter::take(const protocol::Id& org,
                                                           protocol::TimePoint now) {
  const std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(org, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    // A clock stepped back counts as no time passed (see the header).
    const std::chrono::duration<double> elapsed =
        std::max(now - bucket.updated, protocol::TimePoint::duration::zero());
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait_seconds = (1.0 - bucket.tokens) / rate_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000.0)));
}

}  // namespace draaischijf::server
