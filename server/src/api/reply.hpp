#pragma once

// What a /v1 handler reads and answers, without the HTTP library: the transport (net/) fills
// an ApiRequest from the parsed message and writes the Reply with the connection's HTTP
// version, keep-alive and request id. Handlers are coroutines (Task) because a change waits
// for the group-commit writer; they see no socket, stream or parser.
//
//   Reply r = problem_reply(ProblemKind::not_found, request_id);
//   r.headers.emplace_back("Allow", "GET, PUT");

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <draaischijf/server/api/problem.hpp>

namespace draaischijf::server {

/// A handler's coroutine type. Only the type: the executor it runs on is the transport's.
template <class T>
using Task = boost::asio::awaitable<T>;

enum class Method { get, put, post, other };
[[nodiscard]] std::string_view to_string(Method method) noexcept;

/// The statuses handlers answer with besides problems.
enum class Status : unsigned { ok = 200, created = 201, accepted = 202, conflict = 409 };

struct ApiRequest {
  Method method = Method::other;
  std::string target;  // path and query
  std::vector<std::uint8_t> body;
};

struct Reply {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

/// 200 with stored bytes as they are (an envelope, an approval, a key box).
[[nodiscard]] inline Reply octet_reply(std::span<const std::uint8_t> bytes) {
  return {200, "application/octet-stream", std::string(bytes.begin(), bytes.end()), {}};
}

/// A problem document (application/problem+json) naming the request; 503 comes with
/// Retry-After: 1. `extensions` are written as further members, without parsing anything again.
[[nodiscard]] Reply problem_reply(const ProblemType& kind, const std::string& request_id,
                                  std::string extra = {}, boost::json::object extensions = {});
[[nodiscard]] inline Reply problem_reply(ProblemKind kind, const std::string& request_id,
                                         std::string extra = {}) {
  return problem_reply(problem_type(kind), request_id, std::move(extra));
}

}  // namespace draaischijf::server
