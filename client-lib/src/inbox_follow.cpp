// Inbox::follow: the hub's notification stream, catch-ups by cursor, reconnection with backoff.

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include <draaischijf/client/inbox.hpp>
#include <draaischijf/policies/record_json.hpp>

#include "hub_json.hpp"
#include "policy_client.hpp"
#include "session_state.hpp"

namespace draaischijf::client {
namespace {

using protocol::Id;
using protocol::Result;

// Errors that another try may mend: the hub away or restarting, or too busy for now.
bool passing(const boost::system::error_code& error, const HubProblem& problem) {
  return error.category() == connection_category() ||
         (error == client_errc::hub_refused && (problem.status >= 500 || problem.status == 429));
}

// Waits `delay` in short steps, so a stop is heard at once. (A backoff: steady_clock, not the
// session's wall clock.)
void pause(std::chrono::milliseconds delay, const FollowOptions& options) {
  if (options.pause) {
    options.pause(delay);
    return;
  }
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until && options.keep_going()) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           until - std::chrono::steady_clock::now())));
  }
}

// What a stream frame announces: a message to fetch, a withdrawal, or nothing to act on (the
// greeting, or a frame type this client does not know yet).
struct Frame {
  bool message = false;
  std::optional<Withdrawal> withdrawn;
};

Frame frame_of(std::string_view text) {
  const auto body = hub_json::object_of(text);
  const auto type = body ? hub_json::text(*body, "type") : std::nullopt;
  if (type == "message") {
    return {true, std::nullopt};
  }
  if (type == "withdrawn") {
    return {false, policies::withdrawal_from_json(*body)};
  }
  return {};
}

// One follow: the catch-ups, what was told, and the stream of the moment.
class Follower {
 public:
  Follower(Inbox& inbox, detail::SessionState& state,
           const std::function<void(const SyncReport&)>& on_sync, const FollowOptions& options)
      : inbox_(inbox), state_(state), on_sync_(on_sync), options_(options) {}

  Result<void> run() {
    auto delay = options_.first_delay;
    while (options_.keep_going()) {
      // Subscribed first, caught up second: a message stored in between is in the catch-up or
      // announced on the stream, never in neither.
      auto stream = state_.hub->listen();
      std::optional<Result<std::string>> hello;
      while (stream && options_.keep_going() && (!hello || (*hello && (*hello)->empty()))) {
        hello = (*stream)->next(options_.wait);
      }
      const bool listening = stream && hello && *hello;
      if (auto caught_up = catch_up(); !caught_up) {
        if (!passing(caught_up.error(), state_.problem)) {
          return caught_up.error();
        }
      } else if (listening) {
        delay = options_.first_delay;
        if (auto listened = listen(**stream); !listened) {
          return listened;
        }
      }
      // A hub that said when to come back is not asked before then: a morning burst's refused
      // devices come back spread over the Retry-After instead of all at the backoff's steps.
      pause(std::max(delay, std::exchange(asked_to_wait_, {})), options_);
      delay = std::min(delay * 2, options_.max_delay);
    }
    return {};
  }

 private:
  // The wait a 429 or 503 asked for, up to options_.longest_retry_after; 0 without one.
  [[nodiscard]] std::chrono::milliseconds retry_after(const HubProblem& problem) const {
    const bool busy = problem.status == 429 || problem.status == 503;
    return busy ? std::chrono::milliseconds(std::min<std::chrono::seconds>(
                      std::chrono::seconds(problem.retry_after_seconds),
                      options_.longest_retry_after))
                : std::chrono::milliseconds(0);
  }

  // A withdrawal may come both on the stream and in a catch-up's listing: told once.
  void tell(const Withdrawal& w) {
    if (told_.insert({w.mailbox_id, w.sequence}).second) {
      options_.on_withdrawn(w);
    }
  }

  Result<void> catch_up() {
    auto report = inbox_.sync();
    if (!report) {
      if (report.error() == client_errc::hub_refused) {
        asked_to_wait_ = retry_after(state_.problem);
      }
      return report.error();
    }
    if (report->new_messages > 0) {
      on_sync_(*report);
    }
    for (const auto& w : report->withdrawn) {
      tell(w);
    }
    return {};
  }

  // Reads the stream until it ends (then the caller listens again and catches up), a stop is
  // asked, or a sync fails for good.
  Result<void> listen(HubNotifications& stream) {
    while (options_.keep_going()) {
      auto text = stream.next(options_.wait);
      if (!text) {
        return {};  // the stream ended: listen again and catch up
      }
      const Frame frame = frame_of(*text);
      if (frame.withdrawn) {
        tell(*frame.withdrawn);
      }
      if (!frame.message) {
        continue;
      }
      if (auto synced = catch_up(); !synced) {
        if (!passing(synced.error(), state_.problem)) {
          return synced.error();
        }
        return {};
      }
    }
    return {};
  }

  Inbox& inbox_;
  detail::SessionState& state_;
  const std::function<void(const SyncReport&)>& on_sync_;
  const FollowOptions& options_;
  std::set<std::pair<Id, std::int64_t>> told_;
  std::chrono::milliseconds asked_to_wait_{0};  // by the last refused catch-up's Retry-After
};

}  // namespace

Result<void> Inbox::follow(const std::function<void(const SyncReport&)>& on_sync,
                           const FollowOptions& options) {
  return Follower(*this, *state_, on_sync, options).run();
}

}  // namespace draaischijf::client
