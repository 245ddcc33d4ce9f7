#pragma once

// draaischijf ui's web server: HTTP/1.1 on 127.0.0.1 only (never another interface), one
// thread, the page's embedded files and the JSON API (a send's upload to the hub runs on a
// worker of its own, outgoing.hpp; the inbox's sync on a thread of its own, inbox_sync.hpp). Every
// request passes the Gate first (Host, Origin, the session cookie or the one-time token), and every
// answer carries the same security headers (security_headers): a strict Content Security Policy
// without inline script, no caching, no sniffing, no referrer, no framing.

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api.hpp"
#include "gate.hpp"
#include "inbox_sync.hpp"
#include "live.hpp"
#include "outgoing.hpp"
#include "vault.hpp"

namespace draaischijf::ui {

/// The Content-Security-Policy of every answer.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Sets the headers every answer carries (a JSON answer's, a file's).
void security_headers(boost::beast::http::response_header<>& response);

/// The answer to one request: the gate, then the API or an embedded file.
[[nodiscard]] Response answer(const Request& request, Gate& gate, Vault& vault,
                              Outgoing* outgoing = nullptr);

class LocalServer {
 public:
  /// Binds 127.0.0.1:`port` (0: a free port); throws at startup if it cannot. With `live`,
  /// GET /api/events relays what it hears on the hub's stream (live.hpp); without, it is 404.
  /// With `hub`, messages may carry attachments, uploaded over connections it opens
  /// (outgoing.hpp); without, such a send is refused.
  LocalServer(boost::asio::io_context& io, Vault& vault, std::uint16_t port,
              const LiveRelay* live = nullptr, HubOpener hub = {});

  /// Starts accepting, and the timer that locks the vault after its idle time.
  void start();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string start_url() const { return gate_.start_url(); }

 private:
  void accept();
  void tick();

  boost::asio::io_context& io_;
  Vault& vault_;
  const LiveRelay* live_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  Gate gate_;
  Outgoing outgoing_;
  InboxSync inbox_sync_;
  boost::asio::steady_timer timer_;
};

}  // namespace draaischijf::ui
