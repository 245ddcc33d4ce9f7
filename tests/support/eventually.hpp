#pragma once

// Waiting for an event instead of a time. A test that sleeps "long enough" for the hub to do
// something turns red on a loaded machine; a test that waits for the thing itself (a log line,
// a metric, a file, a refused handshake) only gets slower. The bound below is therefore generous
// on purpose: it ends a wait only when what the test waits for is not going to happen, and then
// the test fails on the assertion that follows.
//
//   ASSERT_TRUE(eventually([&] { return hub.count_events("reload.finished") == 2; }))
//       << hub.log_text();

#include <chrono>
#include <thread>

namespace draaischijf::testing {

/// How long a test waits for an event before it counts as missing. Far above anything the
/// awaited steps take on a busy two-core machine under the sanitizers.
inline constexpr std::chrono::seconds kEventPatience{60};

/// Checks `condition()` until it holds (true) or `patience` has passed (false), every 20 ms.
/// The condition is checked once more after the deadline, so a slow last step still counts.
template <class Condition>
[[nodiscard]] bool eventually(Condition&& condition,
                              std::chrono::milliseconds patience = kEventPatience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return static_cast<bool>(condition());
}

}  // namespace draaischijf::testing
