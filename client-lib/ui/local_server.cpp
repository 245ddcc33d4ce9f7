#include "local_server.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <variant>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>

#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/secret.hpp>

#include "assets.hpp"
#include "inbox_view.hpp"

namespace draaischijf::ui {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kReadTimeout = std::chrono::seconds(60);
// A file of up to 1 GiB from or to the browser on this machine: minutes even on a slow disk.
constexpr auto kTransferTimeout = std::chrono::minutes(10);
constexpr std::uint64_t kBodyLimit = 64 * 1024;  // the API's bodies are small JSON objects
constexpr auto kEventCheck = std::chrono::milliseconds(100);

// GET /api/events[?after=N]: the count the page saw last (none: answer at once).
std::optional<std::optional<std::uint64_t>> events_request(const Request& request) {
  const std::string_view target = request.target();
  const auto path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get || path != "/api/events") {
    return std::nullopt;
  }
  const auto at = target.find("?after=");
  if (at == std::string_view::npos) {
    return std::optional<std::uint64_t>{};
  }
  const auto text = target.substr(at + 7);
  std::uint64_t after = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::optional<std::uint64_t>{};  // unreadable: answered at once with the count
  }
  return std::optional<std::uint64_t>{after};
}

bool is_upload(const http::request_header<>& head) {
  const std::string_view target = head.target();
  return head.method() == http::verb::post && target.substr(0, target.find('?')) == "/api/uploads";
}

// What may be attached from the page's query: a display-safe name (the sealer refuses others,
// docs/PROTOCOL.md 7.7) and a printable media type; nullopt when the name is not.
std::optional<std::pair<std::string, std::string>> upload_naming(std::string_view target) {
  auto name = query_value(target, "name").value_or("");
  auto type = query_value(target, "type").value_or("");
  if (name.empty() || name.size() > 255 || !protocol::is_display_safe(name)) {
    return std::nullopt;
  }
  const bool printable = type.size() <= 255 && std::all_of(type.begin(), type.end(), [](char c) {
                           return c > 0x20 && c < 0x7f;
                         });
  return std::pair{std::move(name),
                   printable && !type.empty() ? std::move(type) : "application/octet-stream"};
}

// One connection: read a request's head, then its body (a small JSON one, or a file the page
// attaches, straight to disk), answer it, until the browser closes or stops asking.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Gate& gate, Vault& vault, const LiveRelay* live,
             Outgoing& outgoing, InboxSync& inbox_sync)
      : stream_(std::move(socket)),
        gate_(gate),
        vault_(vault),
        live_(live),
        outgoing_(outgoing),
        inbox_sync_(inbox_sync),
        timer_(stream_.get_executor()) {}

  void read() {
    head_.emplace();
    head_->body_limit(boost::none);  // the body's own parser sets the limit of its kind
    stream_.expires_after(kReadTimeout);
    http::async_read_header(
        stream_, buffer_, *head_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
  }

 private:
  void on_head(beast::error_code ec) {
    if (ec) {
      on_read(ec);
      return;
    }
    if (is_upload(head_->get())) {
      receive_upload();
      return;
    }
    parser_.emplace(std::move(*head_));
    parser_->body_limit(kBodyLimit);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code read, std::size_t) { self->on_read(read); });
  }

  // POST /api/uploads: admitted on its head (gate, unlocked keys, announced size) before a
  // byte of the body is read; the body goes to a file of its own in Outgoing's folder.
  void receive_upload() {
    const Request head{head_->get().base()};
    if (auto refusal = upload_refusal(head)) {
      refuse(std::move(*refusal));
      return;
    }
    auto naming = upload_naming(head.target());
    auto slot = naming ? outgoing_.reserve() : std::nullopt;
    if (!slot) {
      refuse(problem_response(Problem::bad_request,
                              naming ? "too many files wait to be sent, or no folder for them"
                                     : "a file name (name=) of displayable characters"));
      return;
    }
    upload_.emplace(std::move(*head_));
    upload_->body_limit(kMaxUploadBytes);
    beast::error_code opened;
    upload_->get().body().open(slot->second.c_str(), beast::file_mode::write_new, opened);
    if (opened) {
      outgoing_.discard(slot->first);
      refuse(problem_response(Problem::hub_failed, "cannot keep the file: " + opened.message()));
      return;
    }
    stream_.expires_after(kTransferTimeout);
    http::async_read(stream_, buffer_, *upload_,
                     [self = shared_from_this(), id = slot->first, naming = std::move(*naming)](
                         beast::error_code ec, std::size_t) mutable {
                       self->on_upload(ec, id, std::move(naming));
                     });
  }

  // What ends an upload before its body is read: the gate's refusal, 413 for a size announced
  // beyond the limit, 423 while the keys are locked; nullopt when the body may come.
  std::optional<Response> upload_refusal(const Request& head) {
    const auto admission = gate_.admit(head);
    const auto length = head_->content_length();
    std::optional<Problem> why;
    if (admission.refused) {
      why = *admission.refused;
    } else if (admission.exchange_token) {
      why = Problem::method_not_allowed;  // the token is exchanged by a GET, never with a file
    } else if (length && *length > kMaxUploadBytes) {
      why = Problem::attachment_too_large;
    } else if (vault_.use() == nullptr) {
      why = Problem::locked;
    }
    if (!why) {
      return std::nullopt;
    }
    return problem_response(*why, {}, head.version());
  }

  // Answers with `response` and ends the connection: the rest of an upload is not read.
  void refuse(Response response) {
    security_headers(response);
    respond(std::move(response), false);
  }

  void on_upload(beast::error_code ec, const std::string& id,
                 std::pair<std::string, std::string> naming) {
    auto& file = upload_->get().body().file();
    beast::error_code closed;
    const auto size = file.size(closed);
    if (!closed) {
      file.close(closed);
    }
    if (ec || closed) {
      outgoing_.discard(id);
      if (ec == http::error::body_limit) {
        refuse(problem_response(Problem::attachment_too_large, "the body went beyond it"));
      }
      return;  // closed, timed out or malformed: the connection ends
    }
    outgoing_.received(id, naming.first, naming.second, size);
    auto response = json_response(
        201, boost::json::object{{"upload_id", id}, {"size", size}, {"file_name", naming.first}},
        upload_->get().version());
    security_headers(response);
    respond(std::move(response), upload_->get().keep_alive());
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        auto response = problem_response(Problem::bad_request, "request too large");
        security_headers(response);
        respond(std::move(response), false);
      }
      return;  // closed, timed out or malformed: the connection ends
    }
    Request request = parser_->release();
    if (const auto events = live_ != nullptr ? events_request(request) : std::nullopt) {
      const auto admission = gate_.admit(request);
      if (!admission.refused && !admission.exchange_token) {
        stream_.expires_never();  // the long poll waits longer than a read may
        wait_for_events(*events, std::chrono::steady_clock::now() + kLongPoll, request.version(),
                        request.keep_alive());
        return;
      }
    }
    if (synced_list(request) || stream_download(request)) {
      return;
    }
    auto response = answer(request, gate_, vault_, &outgoing_);
    // A body may hold the passphrase (/api/unlock) or a message being written: not left
    // behind in freed memory.
    protocol::secure_wipe(request.body().data(), request.body().size());
    respond(std::move(response), request.keep_alive());
  }

  // GET /api/inbox and ?news=1, admitted with the keys open: handed to the sync's thread and
  // answered when its sync ended, while this thread answers the rest. False when answer()
  // answers (a refusal, locked keys, another route).
  bool synced_list(const Request& request) {
    const std::string_view target = request.target();
    if (request.method() != http::verb::get || target.substr(0, target.find('?')) != "/api/inbox" ||
        list_answer_of(target) == ListAnswer::device) {
      return false;
    }
    const auto admission = gate_.admit(request);
    if (admission.refused || admission.exchange_token) {
      return false;
    }
    client::Client* client = request[kBackgroundHeader] == "1" ? vault_.peek() : vault_.use();
    if (client == nullptr) {
      return false;
    }
    stream_.expires_never();  // a sync may take longer than a read may
    inbox_sync_.request(*client, list_answer_of(target), inbox_query_of(target),
                        [self = shared_from_this(), version = request.version(),
                         keep_alive = request.keep_alive()](Response response) {
                          response.version(version);
                          security_headers(response);
                          self->respond(std::move(response), keep_alive);
                        });
    return true;
  }

  // GET /api/messages/MAILBOX/SEQ/attachments/N, admitted with the keys open: the verified file
  // written to the browser as it is read (api.hpp, download()). False when answer() answers.
  bool stream_download(const Request& request) {
    if (!is_download(request)) {
      return false;
    }
    const auto admission = gate_.admit(request);
    if (admission.refused || admission.exchange_token) {
      return false;
    }
    client::Client* client = vault_.use();
    if (client == nullptr) {
      return false;
    }
    auto answer = download(*client, request.target());
    std::visit(
        [&](auto& response) {
          response.version(request.version());
          security_headers(response);
          stream_.expires_after(kTransferTimeout);
          respond(std::move(response), request.keep_alive());
        },
        answer);
    return true;
  }

  // Answers the long poll once the relay's count passed `after` (at once without one), or when
  // `until` came; checked every kEventCheck on this connection's timer, never blocking the
  // server's one thread.
  void wait_for_events(std::optional<std::uint64_t> after,
                       std::chrono::steady_clock::time_point until, unsigned version,
                       bool keep_alive) {
    const auto now = live_->generation();
    if (!after || now > *after || std::chrono::steady_clock::now() >= until) {
      auto response = json_response(
          200, boost::json::object{{"generation", now}, {"listening", live_->listening()}},
          version);
      security_headers(response);
      respond(std::move(response), keep_alive);
      return;
    }
    timer_.expires_after(kEventCheck);
    timer_.async_wait(
        [self = shared_from_this(), after, until, version, keep_alive](beast::error_code ec) {
          if (!ec) {
            self->wait_for_events(after, until, version, keep_alive);
          }
        });
  }

  // Writes `response` (a string or a file body), held until it was written, then reads the next
  // request or ends the connection.
  template <class Message>
  void respond(Message response, bool keep_alive) {
    response.keep_alive(keep_alive);
    auto held = std::make_shared<Message>(std::move(response));
    http::async_write(
        stream_, *held,
        [self = shared_from_this(), held, keep_alive](beast::error_code ec, std::size_t) {
          if (!ec && keep_alive) {
            self->read();
          } else {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
          }
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> head_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request_parser<http::file_body>> upload_;
  Gate& gate_;
  Vault& vault_;
  const LiveRelay* live_;
  Outgoing& outgoing_;
  InboxSync& inbox_sync_;
  asio::steady_timer timer_;
};

tcp::acceptor bind_loopback(asio::io_context& io, std::uint16_t port) {
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  return acceptor;
}

Response asset_response(const Request& request) {
  const auto* file = find_asset(request.target());
  if (file == nullptr) {
    return problem_response(Problem::not_found, {}, request.version());
  }
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, content_type_of(file->path));
  response.body() = std::string(file->bytes);
  response.prepare_payload();
  return response;
}

}  // namespace

void security_headers(http::response_header<>& response) {
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  // Plaintext of messages must not stay in the browser's cache: nothing is cached.
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  response.set("Cross-Origin-Resource-Policy", "same-origin");
}

Response answer(const Request& request, Gate& gate, Vault& vault, Outgoing* outgoing) {
  const auto admission = gate.admit(request);
  Response response;
  if (admission.refused) {
    response = problem_response(*admission.refused, {}, request.version());
  } else if (admission.exchange_token) {
    // The token leaves the address bar: the browser goes on at "/" with the cookie.
    response = Response{http::status::see_other, request.version()};
    response.set(http::field::set_cookie, gate.session_cookie());
    response.set(http::field::location, "/");
    response.prepare_payload();
  } else if (std::string_view(request.target()).substr(0, 5) == "/api/") {
    response = handle_api(request, vault, outgoing);
    response.version(request.version());
  } else if (request.method() == http::verb::get || request.method() == http::verb::head) {
    response = asset_response(request);
  } else {
    response = problem_response(Problem::method_not_allowed, {}, request.version());
  }
  security_headers(response);
  return response;
}

LocalServer::LocalServer(asio::io_context& io, Vault& vault, std::uint16_t port,
                         const LiveRelay* live, HubOpener hub)
    : io_(io),
      vault_(vault),
      live_(live),
      acceptor_(bind_loopback(io, port)),
      port_(acceptor_.local_endpoint().port()),
      gate_(port_),
      outgoing_(io, vault, std::move(hub)),
      inbox_sync_(io, vault),
      timer_(io) {}

void LocalServer::start() {
  accept();
  tick();
}

void LocalServer::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) {
      return;
    }
    if (!ec) {
      std::make_shared<Connection>(std::move(socket), gate_, vault_, live_, outgoing_, inbox_sync_)
          ->read();
    }
    accept();
  });
}

void LocalServer::tick() {
  vault_.expire();
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](beast::error_code ec) {
    if (!ec) {
      tick();
    }
  });
}

}  // namespace draaischijf::ui
