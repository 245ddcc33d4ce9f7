#include "live.hpp"

#include <algorithm>
#include <utility>

namespace draaischijf::ui {
namespace {

constexpr std::chrono::milliseconds kWait{500};  // how often a stop is noticed
constexpr std::chrono::milliseconds kFirstDelay{200};
constexpr std::chrono::milliseconds kMaxDelay{10000};
constexpr std::chrono::milliseconds kStep{50};

}  // namespace

LiveRelay::LiveRelay(client::HubAddress address, client::DeviceTls tls)
    : address_(std::move(address)), tls_(std::move(tls)), thread_([this] { run(); }) {}

LiveRelay::~LiveRelay() {
  stop_ = true;
  thread_.join();
}

// One connection and its stream, until the stream ends or a stop comes.
void LiveRelay::follow_once() {
  // One attempt per round: the backoff between rounds is run()'s, so a stop is never stuck
  // behind the connection's own retries.
  auto connection = client::HubConnection::open(address_, tls_, client::RetryPolicy{.attempts = 1});
  if (!connection) {
    return;
  }
  auto stream = connection->listen();
  if (!stream) {
    return;
  }
  while (!stop_) {
    auto frame = (*stream)->next(kWait);
    if (!frame) {
      return;  // the stream ended: run() opens it again
    }
    if (!frame->empty()) {
      listening_ = true;
      ++generation_;
    }
  }
}

void LiveRelay::run() {
  auto delay = kFirstDelay;
  while (!stop_) {
    const auto before = generation_.load();
    follow_once();
    listening_ = false;
    // A stream that carried something was healthy: the next try comes soon again.
    delay = generation_.load() != before ? kFirstDelay : std::min(delay * 2, kMaxDelay);
    // The backoff is counted on the steady clock, in short steps so a stop is heard at once.
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(kStep);
    }
  }
}

}  // namespace draaischijf::ui
