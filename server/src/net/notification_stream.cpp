// GET /v1/stream: notifications over a WebSocket. For each envelope queued to a mailbox the
// device is a current member of, {"mailbox_id", "sequence"}. Membership is checked again for
// every notification, so a device removed from a mailbox hears nothing more of it.

#include <chrono>
#include <list>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>

#include "net/connection.hpp"
#include "net/http.hpp"

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using WebSocket = websocket::stream<TlsStream&>;

// What the notifier and the reader hand to the writer; every wake is a cancel of `wake`. All of
// it is touched only on the connection's strand.
struct Pending {
  // A list, not a deque: an idle stream's empty queue allocates nothing (a deque keeps a
  // 512-byte block).
  std::list<Notification> queue;
  net::steady_timer wake;
  bool closed = false;
  explicit Pending(const net::any_io_executor& executor) : wake(executor) {}
};

// Reads only to see the client go away (and to answer its pings and close frames). A named
// coroutine with its parameters by value (GCC 12: no capturing lambdas as coroutines).
net::awaitable<void> read_until_closed(WebSocket* ws, std::shared_ptr<Pending> pending) {
  beast::flat_buffer incoming;
  while (true) {
    auto [read_error, n] = co_await ws->async_read(incoming, kNoThrow);
    if (read_error) {
      break;
    }
    incoming.consume(n);
    incoming.shrink_to_fit();  // a client's rare data message leaves no buffer behind
  }
  pending->closed = true;
  pending->wake.cancel();
}

std::string subscribed_frame(const std::vector<protocol::Id>& mailboxes) {
  boost::json::array subscribed;
  for (const protocol::Id& m : mailboxes) {
    subscribed.emplace_back(protocol::hex_encode(m));
  }
  return boost::json::serialize(
      boost::json::object{{"type", "subscribed"}, {"mailboxes", std::move(subscribed)}});
}

std::string notification_frame(const Notification& notification) {
  const auto type = [](Notice notice) {
    switch (notice) {
      case Notice::message:
        return "message";
      case Notice::withdrawn:
        return "withdrawn";
      case Notice::expired:
        return "expired";
      case Notice::hub_notice:
        return "notice";
    }
    return "message";
  };
  boost::json::object frame{{"type", type(notification.notice)},
                            {"mailbox_id", protocol::hex_encode(notification.queue_mailbox)},
                            {"sequence", notification.sequence}};
  if (notification.notice == Notice::hub_notice) {
    // A signed hub notice: the client fetches it from GET /v1/notices and verifies it there.
    frame["notice_id"] = protocol::hex_encode(notification.message_id);
  } else if (notification.notice != Notice::message) {
    frame["message_id"] = protocol::hex_encode(notification.message_id);
  }
  return boost::json::serialize(frame);
}

// Writes notifications as they come until the client goes, a write fails or the hub stops.
net::awaitable<void> send_notifications(Services& s, WebSocket& ws, const Caller& caller,
                                        std::shared_ptr<Pending> pending) {
  while (!pending->closed && !s.stopping) {
    if (pending->queue.empty()) {
      pending->wake.expires_at(net::steady_timer::time_point::max());
      co_await pending->wake.async_wait(kNoThrow);
      continue;
    }
    const Notification notification = pending->queue.front();
    pending->queue.pop_front();
    if (!s.api.still_member(caller, notification.mailbox)) {
      continue;
    }
    const std::string note = notification_frame(notification);
    auto [write_error, written] = co_await ws.async_write(net::buffer(note), kNoThrow);
    if (write_error) {
      break;
    }
  }
}

}  // namespace

net::awaitable<void> serve_stream(Services& s, TlsStream& stream, const Caller& caller,
                                  Request& upgrade) {
  WebSocket ws(stream);
  beast::get_lowest_layer(stream).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(4096);
  // The 101 names no software version (Beast would say Server: Boost.Beast/345 unless a
  // Server header is set) and carries HSTS like every other answer.
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(http::field::server, "draaischijf-hub");
    response.set(http::field::strict_transport_security, kHsts);
  }));
  auto [accept_error] = co_await ws.async_accept(upgrade, kNoThrow);
  upgrade = {};  // its header fields are not needed while the stream lasts
  if (accept_error) {
    co_return;
  }
  const auto executor = co_await net::this_coro::executor;
  auto pending = std::make_shared<Pending>(executor);
  const auto on_stop = s.stop_signal.add(
      [pending, executor] { net::post(executor, [pending] { pending->wake.cancel(); }); });
  const auto mailboxes = s.api.stream_mailboxes(caller);
  const auto token =
      s.notifier.subscribe(mailboxes, [pending, executor](const Notification& notification) {
        net::post(executor, [pending, notification] {
          pending->queue.push_back(notification);
          pending->wake.cancel();
        });
      });
  net::co_spawn(executor, read_until_closed(&ws, pending), net::detached);
  const std::string hello = subscribed_frame(mailboxes);
  ws.text(true);
  auto [hello_error, hello_sent] = co_await ws.async_write(net::buffer(hello), kNoThrow);
  if (!hello_error) {
    co_await send_notifications(s, ws, caller, pending);
  }
  s.notifier.unsubscribe(token);
  if (s.stopping) {
    // A client that does not answer the close frame must not hold up the stop.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(1);
    ws.set_option(timeouts);
  }
  if (!pending->closed) {
    co_await ws.async_close(websocket::close_code::going_away, kNoThrow);
  }
  // The reader ends with the connection; wait for it so `ws` outlives it. It runs on this
  // strand and cancels `wake` right after setting `closed`, so no wake-up is missed between
  // the check and the wait.
  while (!pending->closed) {
    pending->wake.expires_at(net::steady_timer::time_point::max());
    co_await pending->wake.async_wait(kNoThrow);
  }
}

}  // namespace draaischijf::server
