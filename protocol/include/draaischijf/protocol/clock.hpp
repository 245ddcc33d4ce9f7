#pragma once

// Where the time comes from. Everything that stamps, times out, ages out or checks a validity
// window takes a `const Clock&` instead of calling std::chrono::system_clock::now(), so
// deadlines, retention, certificate expiry and objection windows are tested by moving a
// ManualClock instead of sleeping.
//
//   ManualClock clock{from_unix_ms(1'760'000'000'000)};
//   store.expire_older_than(days(30), clock);   // nothing yet
//   clock.advance(std::chrono::hours(24 * 31));
//   store.expire_older_than(days(30), clock);   // now it goes
//
// Wall-clock time only: a timer that must not jump (a backoff, a read deadline) keeps using
// steady_clock or the I/O library's own timers.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace draaischijf::protocol {

using TimePoint = std::chrono::system_clock::time_point;

/// Milliseconds since 1970-01-01T00:00:00Z, the unit the wire and the stores use.
[[nodiscard]] constexpr std::int64_t unix_ms(TimePoint at) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
[[nodiscard]] constexpr TimePoint from_unix_ms(std::int64_t ms) noexcept {
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms))};
}

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const noexcept = 0;
  [[nodiscard]] std::int64_t now_ms() const noexcept { return unix_ms(now()); }
};

/// The machine's wall clock: the one production code passes in.
[[nodiscard]] const Clock& system_clock() noexcept;

/// A clock that only moves when told to; safe to read and move from several threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) noexcept : ms_(unix_ms(start)) {}
  [[nodiscard]] TimePoint now() const noexcept override {
    return from_unix_ms(ms_.load(std::memory_order_relaxed));
  }
  void set(TimePoint at) noexcept { ms_.store(unix_ms(at), std::memory_order_relaxed); }
  void advance(std::chrono::milliseconds by) noexcept {
    ms_.fetch_add(by.count(), std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace draaischijf::protocol
