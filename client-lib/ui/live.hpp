#pragma once

// Live updates for the page: this process follows the hub's notification stream (/v1/stream)
// on a thread and a TLS connection of its own, and counts what it hears; the page long-polls
// GET /api/events?after=N, which the local server answers as soon as the count passes N (or
// after kLongPoll with the same count), and then fetches the inbox again. The page never talks
// to the hub, and nothing from a frame but the fact that one came reaches it: the inbox itself
// is synced, opened and verified by the unlocked client as before.
//
// The stream needs only the device's TLS identity (the profile's tls/ files), not the key store,
// so it keeps listening while the keys are locked; the page then meets 423 and asks for the
// passphrase. A lost stream is opened again with backoff, and its greeting counts too, so the
// page catches up after every reconnection (as Inbox::follow does by cursor).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include <draaischijf/client/hub_connection.hpp>

namespace draaischijf::ui {

/// How long one GET /api/events waits for something new before it answers anyway.
inline constexpr std::chrono::seconds kLongPoll{25};

class LiveRelay {
 public:
  /// Starts following the hub at `address` as the device `tls` names.
  LiveRelay(client::HubAddress address, client::DeviceTls tls);
  LiveRelay(const LiveRelay&) = delete;
  LiveRelay& operator=(const LiveRelay&) = delete;
  /// Stops following (within the stream's wait, half a second) and joins the thread.
  ~LiveRelay();

  /// How many frames came on the stream so far (greetings included); grows only.
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_.load(); }
  /// Whether the stream is open now.
  [[nodiscard]] bool listening() const noexcept { return listening_.load(); }

 private:
  void run();
  void follow_once();

  client::HubAddress address_;
  client::DeviceTls tls_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<bool> listening_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace draaischijf::ui
