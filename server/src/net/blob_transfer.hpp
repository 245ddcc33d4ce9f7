#pragma once

// The attachment blob routes. They are served by the transport rather than Api::handle because
// their bodies stream: an upload goes to disk chunk by chunk as it arrives and a download is
// read from its file chunk by chunk, so a blob of any size passes through a fixed amount of
// memory. Authorization follows the API's rules: a blob is readable by devices of the
// organisation that uploaded it and by current members of the mailboxes that admitted envelopes
// granted it to (store/blob_grants.hpp); everyone else gets the same 404 as for a missing blob.
// The upload names no mailboxes: a query is refused.
//
//   PUT /v1/blobs/{blob_id}   Content-Length required; honours Expect: 100-continue
//   GET /v1/blobs/{blob_id}

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/server/store/blob_store.hpp>

#include "api/api.hpp"
#include "net/http.hpp"

namespace draaischijf::server {

struct BlobRouteParts {
  const HubConfig& config;
  Logger& log;
  BlobStore& blobs;
  Api& api;  // the rate limit and mailbox membership, as for every other route
  const protocol::Clock& clock;
};

/// True for a target under /v1/blobs/ (any method: the route answers 405 itself).
[[nodiscard]] bool is_blob_target(std::string_view target) noexcept;

/// Serves one blob request whose header has been read into `parser`. Returns whether the
/// connection can carry another request.
[[nodiscard]] boost::asio::awaitable<bool> serve_blob(BlobRouteParts parts, TlsStream& stream,
                                                      boost::beast::flat_buffer& buffer,
                                                      RequestParser& parser, const Caller& caller,
                                                      const std::string& request_id);

}  // namespace draaischijf::server
