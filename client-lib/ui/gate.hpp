#pragma once

// Who may talk to the local web server. It listens on 127.0.0.1 only, but every page the
// browser has open can still reach 127.0.0.1, so each request must show it comes from the page
// draaischijf ui itself served:
// - Host is exactly 127.0.0.1:PORT or localhost:PORT: a site whose DNS name is rebound to
//   127.0.0.1 sends its own name and is refused (DNS rebinding);
// - every non-GET carries an Origin of exactly this server (CSRF: a form or fetch on another
//   site sends its own origin);
// - the session cookie, which only the one-time URL gives: the URL's token (32 random bytes,
//   printed to the person who started the program) is exchanged once for an HttpOnly,
//   SameSite=Strict cookie and is then dead, so a URL copied from the history opens nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <draaischijf/protocol/secret.hpp>

#include "problems.hpp"

namespace draaischijf::ui {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// What the gate decided for one request.
struct Admission {
  /// Set: refuse with this problem.
  std::optional<Problem> refused;
  /// The request was the one-time URL: answer with a redirect to "/" that sets the cookie.
  bool exchange_token = false;
};

class Gate {
 public:
  /// Draws the one-time token and the session cookie's value.
  explicit Gate(std::uint16_t port);

  [[nodiscard]] Admission admit(const Request& request);
  /// The URL to open, with the token; shown once.
  [[nodiscard]] std::string start_url() const;
  /// The Set-Cookie value given in exchange for the token.
  [[nodiscard]] std::string session_cookie() const;

 private:
  [[nodiscard]] bool host_ok(std::string_view host) const;
  [[nodiscard]] bool origin_ok(std::string_view origin) const;
  [[nodiscard]] bool has_session(std::string_view cookies) const;

  std::uint16_t port_;
  protocol::SecretBytes token_;
  protocol::SecretBytes session_;
  bool token_spent_ = false;
};

/// The value of `name` in the target's query ("?pupil=CLB%2F42&t=..."), percent-decoded, '+'
/// a space; nullopt when absent or not validly encoded.
[[nodiscard]] std::optional<std::string> query_value(std::string_view target,
                                                     std::string_view name);

/// The cookie's name (the value is the session secret in hex).
inline constexpr std::string_view kSessionCookie = "draaischijf_ui";

}  // namespace draaischijf::ui
