#include "net/blob_transfer.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>

#include "api/on_writer.hpp"

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using protocol::Id;

constexpr std::string_view kPrefix = "/v1/blobs/";
constexpr std::size_t kChunk = 64 * 1024;

std::optional<Id> id_from_hex(std::string_view text) {
  auto bytes = protocol::hex_decode(text);
  if (!bytes || bytes->size() != 16) {
    return std::nullopt;
  }
  Id id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

// One blob request on its way: the parts, the stream and what every answer needs.
struct BlobCall {
  BlobRouteParts& parts;
  TlsStream& stream;
  const Caller& caller;
  const std::string& request_id;
  unsigned version;

  [[nodiscard]] Response problem(const ProblemType& kind, bool keep_alive,
                                 std::string extra = {}) const {
    return to_response(problem_reply(kind, request_id, std::move(extra)), version, keep_alive);
  }
  [[nodiscard]] Response problem(ProblemKind kind, bool keep_alive) const {
    return problem(problem_type(kind), keep_alive);
  }
  // Before the body is read a refusal ends the connection: the body cannot be skipped safely.
  [[nodiscard]] Response refusal(ProblemKind kind, std::string extra = {}) const {
    return problem(problem_type(kind), false, std::move(extra));
  }
  // An answer that ends the connection may come while the body is still arriving: linger, so
  // the problem document reaches the client instead of a reset.
  net::awaitable<bool> answer(Response response) const {
    const bool keep_alive = response.keep_alive();
    auto [error, written] = co_await http::async_write(stream, response, kNoThrow);
    if (!error && !keep_alive) {
      co_await linger(stream);
    }
    co_return !error && keep_alive;
  }
  void restart_deadline() const {
    beast::get_lowest_layer(stream).expires_after(parts.config.limits.read_deadline);
  }
};

boost::json::object blob_json(const BlobInfo& info) {
  return {{"blob_id", protocol::hex_encode(info.blob_id)},
          {"size", info.size},
          {"hash", protocol::hex_encode(info.hash)},
          {"created_at_ms", info.created_at_ms}};
}

net::awaitable<bool> upload(BlobCall call, beast::flat_buffer& buffer, RequestParser& parser,
                            const Id& blob_id, std::string_view query) {
  if (!call.caller.enrolled) {
    co_return co_await call.answer(call.refusal(ProblemKind::device_not_enrolled));
  }
  // An upload grants nobody anything: a client that still names mailboxes here expects a
  // grant it would not get, so it is told rather than silently ignored.
  if (!query.empty()) {
    co_return co_await call.answer(call.refusal(
        ProblemKind::malformed_request,
        "A blob upload takes no query (no mailbox=): a blob becomes downloadable for the "
        "recipient mailboxes of an admitted envelope that lists it (docs/PROTOCOL.md 7.11)."));
  }
  const auto length = parser.content_length();
  if (!length) {
    co_return co_await call.answer(call.refusal(ProblemKind::length_required));
  }
  BlobInfo info{blob_id, call.caller.org_id,       call.caller.device_id, *length, {},
                {},      call.parts.clock.now_ms()};
  auto file = call.parts.blobs.begin(info);
  if (!file) {
    co_return co_await call.answer(call.problem(problem_type_for(file.error()), false));
  }
  const bool keep_alive = parser.get().keep_alive();
  if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> go_on{http::status::continue_, call.version};
    auto [error, written] = co_await http::async_write(call.stream, go_on, kNoThrow);
    if (error) {
      co_return false;
    }
  }
  http::request_parser<http::buffer_body> body(std::move(parser));
  std::vector<std::uint8_t> chunk(kChunk);
  while (!body.is_done()) {
    body.get().body().data = chunk.data();
    body.get().body().size = chunk.size();
    // Each chunk gets the deadline afresh: a large blob on a slow line is fine, a stall is not.
    call.restart_deadline();
    auto [error, read] = co_await http::async_read(call.stream, buffer, body, kNoThrow);
    if (error == http::error::need_buffer) {
      error = {};
    }
    if (error) {
      call.parts.log.info("blob.upload_broken",
                          {{"received", static_cast<std::int64_t>(file->received())}});
      co_return false;  // the partial file goes with `file`
    }
    const std::size_t got = chunk.size() - body.get().body().size;
    if (auto written = file->write({chunk.data(), got}); !written) {
      co_return co_await call.answer(call.problem(problem_type_for(written.error()), false));
    }
  }
  auto stored = co_await on_writer<sqlite::Result<BlobInfo>>([&](auto complete) {
    return call.parts.blobs.commit(std::move(*file), info, std::move(complete));
  });
  if (!stored) {
    co_return co_await call.answer(call.problem(ProblemKind::overloaded, keep_alive));
  }
  if (!*stored) {
    co_return co_await call.answer(call.problem(problem_type_for(stored->error()), keep_alive));
  }
  const bool repeated = (*stored)->created_at_ms != info.created_at_ms;
  Response response{repeated ? http::status::ok : http::status::created, call.version};
  response.set(http::field::content_type, "application/json");
  response.set("X-Request-Id", call.request_id);
  response.body() = boost::json::serialize(blob_json(**stored));
  response.keep_alive(keep_alive);
  response.prepare_payload();
  call.parts.log.info("blob.stored", {{"size", static_cast<std::int64_t>((*stored)->size)}});
  co_return co_await call.answer(std::move(response));
}

net::awaitable<bool> download(BlobCall call, const RequestParser& parser, const Id& blob_id) {
  if (parser.get().has_content_length() || parser.get().chunked()) {
    co_return co_await call.answer(
        call.refusal(ProblemKind::malformed_request, "A GET of a blob carries no body."));
  }
  const bool keep_alive = parser.get().keep_alive();
  auto found = call.parts.blobs.find(blob_id);
  if (!found) {
    co_return co_await call.answer(call.problem(problem_type_for(found.error()), keep_alive));
  }
  const auto readable = [&](const BlobInfo& info) {
    return info.org_id == call.caller.org_id ||
           std::any_of(info.mailboxes.begin(), info.mailboxes.end(),
                       [&](const Id& m) { return call.parts.api.still_member(call.caller, m); });
  };
  if (!*found || !readable(**found)) {
    co_return co_await call.answer(call.problem(ProblemKind::not_found, keep_alive));
  }
  http::response<http::file_body> response{http::status::ok, call.version};
  beast::error_code opened;
  response.body().open(call.parts.blobs.path_of(**found).c_str(), beast::file_mode::scan, opened);
  if (opened) {
    call.parts.log.error("blob.file_missing",
                         {{"size", static_cast<std::int64_t>((*found)->size)}});
    co_return co_await call.answer(call.problem(ProblemKind::internal, keep_alive));
  }
  response.set(http::field::content_type, "application/octet-stream");
  response.set("X-Request-Id", call.request_id);
  response.set("X-Blob-Hash", protocol::hex_encode((*found)->hash));
  response.keep_alive(keep_alive);
  response.prepare_payload();
  http::response_serializer<http::file_body> serializer(response);
  while (!serializer.is_done()) {
    call.restart_deadline();
    auto [error, written] = co_await http::async_write_some(call.stream, serializer, kNoThrow);
    if (error) {
      co_return false;
    }
  }
  co_return keep_alive;
}

}  // namespace

bool is_blob_target(std::string_view target) noexcept { return target.starts_with(kPrefix); }

net::awaitable<bool> serve_blob(BlobRouteParts parts, TlsStream& stream, beast::flat_buffer& buffer,
                                RequestParser& parser, const Caller& caller,
                                const std::string& request_id) {
  const BlobCall call{parts, stream, caller, request_id, parser.get().version()};
  const std::string_view target(parser.get().target().data(), parser.get().target().size());
  const std::string_view rest = target.substr(kPrefix.size());
  const auto question = rest.find('?');
  const auto id = id_from_hex(rest.substr(0, question));
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  if (auto limited = parts.api.rate_limit(caller, request_id)) {
    co_return co_await call.answer(to_response(std::move(*limited), call.version, false));
  }
  if (!id) {
    co_return co_await call.answer(call.refusal(ProblemKind::not_found));
  }
  const auto method = parser.get().method();
  if (method == http::verb::put) {
    co_return co_await upload(call, buffer, parser, *id, query);
  }
  if (method == http::verb::get) {
    co_return co_await download(call, parser, *id);
  }
  Response response = call.refusal(ProblemKind::method_not_allowed);
  response.set(http::field::allow, "GET, PUT");
  co_return co_await call.answer(std::move(response));
}

}  // namespace draaischijf::server
