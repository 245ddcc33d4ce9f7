#pragma once

// The JSON API the page talks to, under /api/. Everything that needs keys (opening, verifying,
// acknowledging) runs here in C++ through the client library; the page receives the verified
// result as data and renders it as text. While the vault is locked, every route but the state
// and the unlock answers 423 with the `locked` problem, and the page asks for the passphrase.
//
//   GET  /api/state                     locked or not, and this device (org, role, device)
//   POST /api/unlock   {"passphrase"}   opens the key store again (empty: the key file)
//   POST /api/lock                      locks now
//   GET  /api/inbox                     fetches new messages from the hub, lists every message
//                                       with its thread, pupil and work state (inbox_view.hpp)
//   GET  /api/inbox?local=1             the same list at once, from the device alone
//   GET  /api/inbox?news=1              syncs, and lists only when that brought something new
//   GET  /api/messages/MAILBOX/SEQ      opens and verifies one message, marks it read
//   GET  /api/messages/MAILBOX/SEQ/attachments/N  attachment N, verified, as a download streamed
//                                       from the verified file (download())
//   POST /api/messages/MAILBOX/SEQ/ack  acknowledges without opening
//   GET  /api/recipients, POST /api/compose/check|send    see compose.hpp
//   POST /api/uploads, GET /api/jobs/ID  attachments and the sends that carry them: outgoing.hpp
//   GET  /api/events?after=N             long poll: what the hub's stream brought (live.hpp)
//   GET  /api/cases|referrals|signalen|report, POST /api/cases/CASE/act  see work.hpp
//   /api/consents..., /api/disclosures  see consent.hpp
//   GET  /api/settings                  see settings.hpp
//
// A request with X-Draaischijf-Background: 1 (the page's own refresh) does not start the idle
// time again.

#include <optional>
#include <string>
#include <variant>

#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gate.hpp"
#include "vault.hpp"

namespace draaischijf::ui {

using Response = boost::beast::http::response<boost::beast::http::string_body>;
/// An answer whose body is read from a file as it is written: an attachment's download.
using FileResponse = boost::beast::http::response<boost::beast::http::file_body>;

/// Set to "1" on what the page asks without the person doing anything (its refresh).
inline constexpr std::string_view kBackgroundHeader = "X-Draaischijf-Background";

class Outgoing;

/// The answer to a request under /api/ (the gate has admitted it); sends with attachments go
/// through `outgoing` (none: refused).
[[nodiscard]] Response handle_api(const Request& request, Vault& vault,
                                  Outgoing* outgoing = nullptr);

/// GET /api/messages/MAILBOX/SEQ/attachments/N: streamed by the server from the verified file
/// (download()), not answered by handle_api.
[[nodiscard]] bool is_download(const Request& request);
/// The download `target` names (the gate admitted it, the keys are open): attachment N fetched,
/// decrypted and checked against the hash its sender signed before anything is answered, then
/// its body read from the saved file in chunks as the browser takes it (Beast's file_body; the
/// file's name is gone already, the open file goes with the answer), never whole into memory.
/// `application/octet-stream`, `Content-Disposition: attachment` with a name of safe characters;
/// a problem when it cannot be fetched or does not verify.
[[nodiscard]] std::variant<Response, FileResponse> download(client::Client& client,
                                                            std::string_view target);

/// A JSON answer with status `status`.
[[nodiscard]] Response json_response(unsigned status, const boost::json::value& body,
                                     unsigned version = 11);
/// The problem document as the answer.
[[nodiscard]] Response problem_response(Problem kind, std::string_view detail = {},
                                        unsigned version = 11);

/// A 16-byte id in 32 hex digits (mailbox, consent, organisation); nullopt otherwise.
[[nodiscard]] std::optional<protocol::Id> id_of(std::string_view text);

}  // namespace draaischijf::ui
