#pragma once

// The TLS handshakes the hub runs at once, bounded (limits.max_handshakes_in_flight).
//
// A morning burst brings more new connections than the cores can shake hands with. Accepted
// all together, every handshake gets a sliver of CPU, all of them slow down together, and
// thousands miss limits.handshake_deadline: they are dropped without a word (TLS has no
// Retry-After) and come back after their backoff, costing another handshake. With the bound,
// the accept loop takes a connection only when a handshake place is free; the others wait in
// the kernel's listen backlog, where no hub deadline runs and no hub memory is spent, and are
// taken in the order they came. Each handshake the hub does run then ends well inside its
// deadline. One address still holds at most limits.max_handshakes_per_address places.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace draaischijf::server {

class HandshakeRoom {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  HandshakeRoom(Strand strand, std::size_t places)
      : strand_(strand), wake_(strand), places_(places) {}
  HandshakeRoom(const HandshakeRoom&) = delete;
  HandshakeRoom& operator=(const HandshakeRoom&) = delete;

  /// On the strand only (the accept loop runs there): returns when fewer than the bound are
  /// under way, or once close() was called. A leave() between the count's check and the wait
  /// cannot be missed: its wake is posted to the same strand, so it runs after the wait began.
  boost::asio::awaitable<void> wait_for_room() {
    bool counted = false;
    while (!closed_ && in_flight_.load() >= places_) {
      if (!counted) {
        ++waits_;
        counted = true;
      }
      wake_.expires_at(std::chrono::steady_clock::time_point::max());
      co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

  /// A handshake begins; the accept loop calls it for the connection it has just taken.
  void enter() noexcept { ++in_flight_; }

  /// A handshake ended, well or not; from any thread.
  void leave() {
    if (in_flight_.fetch_sub(1) == places_) {
      boost::asio::post(strand_, [this] { wake_.cancel(); });
    }
  }

  /// The hub stops: a waiting accept loop returns. From any thread.
  void close() {
    boost::asio::post(strand_, [this] {
      closed_ = true;
      wake_.cancel();
    });
  }

  /// The strand wait_for_room() runs on.
  [[nodiscard]] const Strand& strand() const noexcept { return strand_; }
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.load(); }
  /// How often the accept loop waited for a place (each wait counted once).
  [[nodiscard]] std::uint64_t waits() const noexcept { return waits_.load(); }

 private:
  Strand strand_;
  boost::asio::steady_timer wake_;  // on strand_; cancelled to wake the loop
  const std::size_t places_;
  bool closed_ = false;  // on strand_
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::uint64_t> waits_{0};
};

/// One handshake's place, taken by the accept loop (enter()) and given back when the handshake
/// ends, or the connection does first.
class HandshakePlace {
 public:
  explicit HandshakePlace(HandshakeRoom& room) noexcept : room_(&room) {}
  HandshakePlace(const HandshakePlace&) = delete;
  HandshakePlace& operator=(const HandshakePlace&) = delete;
  ~HandshakePlace() { release(); }
  void release() {
    if (room_ != nullptr) {
      room_->leave();
      room_ = nullptr;
    }
  }

 private:
  HandshakeRoom* room_;
};

}  // namespace draaischijf::server
