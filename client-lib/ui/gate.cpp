#include "gate.hpp"

#include <charconv>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t kSecretSize = 32;

// True when `hex_text` decodes to exactly `secret` (compared in constant time).
bool matches(std::string_view hex_text, const protocol::SecretBytes& secret) {
  const auto given = protocol::hex_decode(hex_text);
  return given && given->size() == secret.size() && protocol::ct_equal(*given, secret.expose());
}

}  // namespace

std::optional<std::string> query_value(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  auto query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) {
      continue;
    }
    const auto encoded = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] == '+') {
        out.push_back(' ');
      } else if (encoded[i] != '%') {
        out.push_back(encoded[i]);
      } else {
        unsigned char byte = 0;
        const auto* first = encoded.data() + i + 1;
        if (i + 2 >= encoded.size()) {
          return std::nullopt;
        }
        const auto [end, ec] = std::from_chars(first, first + 2, byte, 16);
        if (ec != std::errc{} || end != first + 2) {
          return std::nullopt;
        }
        out.push_back(static_cast<char>(byte));
        i += 2;
      }
    }
    return out;
  }
  return std::nullopt;
}

Gate::Gate(std::uint16_t port)
    : port_(port),
      token_(protocol::SecretBytes::random(kSecretSize)),
      session_(protocol::SecretBytes::random(kSecretSize)) {}

std::string Gate::start_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) +
         "/?t=" + protocol::hex_encode(token_.expose());
}

std::string Gate::session_cookie() const {
  return std::string(kSessionCookie) + "=" + protocol::hex_encode(session_.expose()) +
         "; HttpOnly; SameSite=Strict; Path=/";
}

bool Gate::host_ok(std::string_view host) const {
  const std::string port = ":" + std::to_string(port_);
  return host == "127.0.0.1" + port || host == "localhost" + port;
}

bool Gate::origin_ok(std::string_view origin) const {
  return origin.substr(0, 7) == "http://" && host_ok(origin.substr(7));
}

bool Gate::has_session(std::string_view cookies) const {
  // "a=1; draaischijf_ui=HEX; b=2": each pair separated by ';' and optional spaces.
  while (!cookies.empty()) {
    const auto semi = cookies.find(';');
    auto pair = cookies.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    if (pair.size() > kSessionCookie.size() &&
        pair.substr(0, kSessionCookie.size()) == kSessionCookie &&
        pair[kSessionCookie.size()] == '=' &&
        matches(pair.substr(kSessionCookie.size() + 1), session_)) {
      return true;
    }
    cookies = semi == std::string_view::npos ? std::string_view{} : cookies.substr(semi + 1);
  }
  return false;
}

Admission Gate::admit(const Request& request) {
  if (!host_ok(request[http::field::host])) {
    return {Problem::bad_host};
  }
  const bool reads_only =
      request.method() == http::verb::get || request.method() == http::verb::head;
  if (!reads_only && !origin_ok(request[http::field::origin])) {
    return {Problem::bad_origin};
  }
  if (has_session(request[http::field::cookie])) {
    return {};
  }
  // Without the cookie only the one-time URL opens anything, and only once.
  const auto target = std::string_view(request.target());
  if (const auto token = query_value(target, "t"); token && request.method() == http::verb::get) {
    if (token_spent_ || !matches(*token, token_)) {
      return {Problem::token_spent};
    }
    token_spent_ = true;
    return {std::nullopt, true};
  }
  return {Problem::no_session};
}

}  // namespace draaischijf::ui
