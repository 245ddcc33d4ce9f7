#pragma once

// The local web server's problem documents (RFC 9457 shape, as the hub's): a stable URN type,
// a Dutch and an English title and what to do, so the page can show the person why and what
// now in their language without knowing the cases itself.

#include <string_view>

#include <boost/json/object.hpp>

namespace draaischijf::ui {

enum class Problem {
  bad_host,          // Host is not this server (DNS rebinding)
  bad_origin,        // a non-GET from another origin, or without one (CSRF)
  no_session,        // no session cookie: the page was not opened through the one-time URL
  token_spent,       // the one-time URL was used already, or is wrong
  locked,            // the key store is locked: the page asks for the passphrase
  wrong_passphrase,  // unlocking failed
  not_found,
  bad_request,
  method_not_allowed,
  hub_failed,            // the client library refused or the hub did: detail says why
  policy_refused,        // the pre-check or the hub refused a send: the refusal says why
  consent_invalid,       // the hub refused a consent record: its issues say why
  hub_refused,           // the hub refused a work view or action: its title and detail say why
  attachment_too_large,  // a file beyond what one attachment may be (outgoing.hpp)
  upload_gone,           // the send names a file this server no longer holds: pick it again
};

struct ProblemText {
  Problem kind;
  unsigned status;
  std::string_view type;
  std::string_view title_nl;
  std::string_view title_en;
  std::string_view what_nl;
  std::string_view what_en;
};

[[nodiscard]] const ProblemText& problem_text(Problem kind) noexcept;

/// The problem document; `detail` (may be empty) says what exactly went wrong.
[[nodiscard]] boost::json::object problem_json(Problem kind, std::string_view detail = {});

}  // namespace draaischijf::ui
