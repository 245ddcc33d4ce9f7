#pragma once

// One client connection: the TLS handshake, the certificate's mapping to a caller, then
// requests one after the other under the limits (header and body sizes, read deadline, idle
// timeout, request-smuggling refusals), each dispatched to the blob routes, the WebSocket, the
// /v1 API or the hub's own /healthz, /readyz and /metrics.

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/services.hpp"

namespace draaischijf::server {

/// Serves the connection until it ends; `context` is the TLS context (with the CRLs) current
/// when it was accepted. The accept loop took a handshake place (HandshakeRoom) and a handshake
/// slot for `address` (the peer's IP address); both are given back when the handshake is over.
[[nodiscard]] boost::asio::awaitable<void> serve_connection(
    Services& services, boost::beast::tcp_stream tcp,
    std::shared_ptr<boost::asio::ssl::context> context, std::string address);

/// GET /v1/stream after the upgrade request: notifications until the client or the hub ends it.
/// The upgrade request is emptied once the WebSocket is accepted.
[[nodiscard]] boost::asio::awaitable<void> serve_stream(Services& services, TlsStream& stream,
                                                        const Caller& caller, Request& upgrade);

}  // namespace draaischijf::server
