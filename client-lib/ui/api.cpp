#include "api.hpp"

#include <charconv>
#include <filesystem>
#include <stdlib.h>
#include <variant>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/secret.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

#include "approvals_view.hpp"
#include "compose.hpp"
#include "consent.hpp"
#include "inbox_view.hpp"
#include "outgoing.hpp"
#include "settings.hpp"
#include "work.hpp"

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// "/api/messages/AB.../12/ack" -> {"messages", "AB...", "12", "ack"} (the query dropped).
std::vector<std::string_view> segments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> out;
  while (!target.empty()) {
    const auto slash = target.find('/');
    if (slash != 0) {
      out.push_back(target.substr(0, slash));
    }
    target = slash == std::string_view::npos ? std::string_view{} : target.substr(slash + 1);
  }
  return out;
}

json::object state_json(Vault& vault) {
  json::object state{{"locked", vault.locked()},
                     {"key_file", vault.uses_key_file()},
                     {"idle_seconds", vault.idle_time().count() / 1000},
                     {"max_attachment_bytes", kMaxUploadBytes}};
  if (auto* client = vault.peek()) {
    const auto& device = client->device();
    state["device"] = {{"org_id", hex(device.org_id)},
                       {"device_id", hex(device.device_id)},
                       {"role", device.role}};
  }
  return state;
}

std::optional<std::pair<protocol::Id, std::int64_t>> message_ref(std::string_view mailbox,
                                                                 std::string_view sequence) {
  const auto id = id_of(mailbox);
  std::int64_t seq = 0;
  const auto [end, ec] = std::from_chars(sequence.data(), sequence.data() + sequence.size(), seq);
  if (!id || ec != std::errc{} || end != sequence.data() + sequence.size() || seq <= 0) {
    return std::nullopt;
  }
  return std::pair{*id, seq};
}

Response read_message(client::Client& client, const protocol::Id& mailbox, std::int64_t seq) {
  auto message = client.inbox().read(mailbox, seq);
  if (!message) {
    return problem_response(Problem::hub_failed, message.error().message());
  }
  auto out = client::inbox_entry_json(message->entry);
  json::array fragments;
  for (const auto* fragment : message->fragments) {
    const bool text = fragment->media_type.rfind("text/", 0) == 0;
    fragments.push_back(
        {{"category", protocol::name_of(fragment->category)},
         {"media_type", fragment->media_type},
         {"size", fragment->body.size()},
         {"text", text ? std::string(fragment->body.begin(), fragment->body.end()) : ""}});
  }
  json::array attachments;
  for (const auto& attachment : message->attachments) {
    attachments.push_back({{"index", attachment.index},
                           {"category", protocol::name_of(attachment.category)},
                           {"media_type", attachment.media_type},
                           {"file_name", attachment.file_name},
                           {"size", attachment.size}});
  }
  out["fragments"] = std::move(fragments);
  out["attachments"] = std::move(attachments);
  out["thread_id"] = hex(message->opened.thread_id);
  out["purpose"] = protocol::name_of(message->opened.outer.purpose);
  return json_response(200, out);
}

// A file name the sender chose, made safe for a Content-Disposition header and a download
// folder: letters, digits, '.', '-' and '_' only, no leading dot.
std::string download_name(std::string_view name, std::size_t index) {
  std::string safe;
  for (const char c : name.substr(0, 100)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    safe.push_back(plain ? c : '_');
  }
  while (!safe.empty() && safe.front() == '.') {
    safe.erase(safe.begin());
  }
  return safe.empty() ? "bijlage-" + std::to_string(index + 1) : safe;
}

// One attachment, fetched, decrypted and checked against the hash its sender signed before
// any byte reaches the browser (Inbox::save_attachment writes it only once it verified, into a
// private folder). The verified file is opened and its name and folder removed at once: the
// open file is all that is left, and it goes when the answer was written. Always a download,
// never shown in this origin: a file the sender calls text/html must not run as this page.
std::variant<Response, FileResponse> attachment(client::Client& client, const protocol::Id& mailbox,
                                                std::int64_t seq, std::string_view index_text) {
  std::size_t index = 0;
  const auto [end, ec] =
      std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
  if (ec != std::errc{} || end != index_text.data() + index_text.size()) {
    return problem_response(Problem::bad_request, "an attachment number");
  }
  auto message = client.inbox().read(mailbox, seq);
  if (!message) {
    return problem_response(Problem::hub_failed, message.error().message());
  }
  const auto* described =
      index < message->attachments.size() ? &message->attachments[index] : nullptr;
  if (described == nullptr) {
    return problem_response(Problem::not_found, "the message has no such attachment");
  }
  std::string folder = (std::filesystem::temp_directory_path() / "draaischijf-ui-XXXXXX").string();
  if (::mkdtemp(folder.data()) == nullptr) {
    return problem_response(Problem::hub_failed, "no temporary folder for the download");
  }
  const auto target = std::filesystem::path(folder) / "attachment";
  const auto saved = client.inbox().save_attachment(mailbox, seq, described->index, target);
  http::file_body::value_type body;
  boost::beast::error_code opened;
  if (saved) {
    body.open(target.c_str(), boost::beast::file_mode::scan, opened);
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  if (!saved) {
    return problem_response(Problem::hub_failed, saved.error().message());
  }
  if (opened) {
    return problem_response(Problem::hub_failed, "cannot read the saved file: " + opened.message());
  }
  FileResponse response{http::status::ok, 11};
  response.set(http::field::content_type, "application/octet-stream");
  response.set(http::field::content_disposition,
               "attachment; filename=\"" + download_name(described->file_name, index) + "\"");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response unlock(const Request& request, Vault& vault) {
  json::error_code ec;
  const auto body = json::parse(request.body(), ec);
  const auto* passphrase =
      !ec && body.is_object() ? body.as_object().if_contains("passphrase") : nullptr;
  if (passphrase != nullptr && !passphrase->is_string()) {
    return problem_response(Problem::bad_request, "passphrase must be a string");
  }
  const auto given = passphrase != nullptr ? std::string_view(passphrase->as_string()) : "";
  if (given.empty() && !vault.uses_key_file()) {
    return problem_response(Problem::bad_request, "a passphrase is needed");
  }
  if (auto opened = vault.unlock(given); !opened) {
    return problem_response(Problem::wrong_passphrase, opened.error().message());
  }
  return json_response(200, state_json(vault));
}

}  // namespace

Response json_response(unsigned status, const json::value& body, unsigned version) {
  Response response{static_cast<http::status>(status), version};
  response.set(http::field::content_type,
               status >= 400 ? "application/problem+json" : "application/json");
  response.body() = json::serialize(body);
  response.prepare_payload();
  return response;
}

Response problem_response(Problem kind, std::string_view detail, unsigned version) {
  return json_response(problem_text(kind).status, problem_json(kind, detail), version);
}

Response handle_api(const Request& request, Vault& vault, Outgoing* outgoing) {
  const auto parts = segments(request.target());
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (parts.size() < 2 || parts[0] != "api") {
    return problem_response(Problem::not_found);
  }
  const auto route = parts[1];
  if (route == "state" && parts.size() == 2) {
    return get ? json_response(200, state_json(vault))
               : problem_response(Problem::method_not_allowed);
  }
  if (route == "unlock" && parts.size() == 2) {
    return post ? unlock(request, vault) : problem_response(Problem::method_not_allowed);
  }
  if (route == "lock" && parts.size() == 2) {
    if (!post) {
      return problem_response(Problem::method_not_allowed);
    }
    vault.lock();
    return json_response(200, state_json(vault));
  }
  // The page marks what it asks on its own (the inbox it refreshes) as background: that does
  // not count as the person using it, so the idle lock still comes.
  client::Client* client = request[kBackgroundHeader] == "1" ? vault.peek() : vault.use();
  if (client == nullptr) {
    return problem_response(Problem::locked);
  }
  if (route == "inbox" && parts.size() == 2) {
    if (!get) {
      return problem_response(Problem::method_not_allowed);
    }
    // The server answers the two that sync on the sync's thread (inbox_sync.hpp); here, for a
    // caller without one, they sync on this thread.
    const auto answer = list_answer_of(request.target());
    const auto query = inbox_query_of(request.target());
    if (answer == ListAnswer::device) {
      return device_list(*client, vault, query);
    }
    const auto outcome = sync_inbox(*client, vault, vault.unlocked());
    return list_after_sync(*client, vault, answer, outcome, query);
  }
  if (route == "recipients" && parts.size() == 2) {
    return get ? recipients_answer(*client) : problem_response(Problem::method_not_allowed);
  }
  if (route == "compose" && parts.size() == 3 &&
      (parts[2] == "check" || parts[2] == "send" || parts[2] == "request-approval")) {
    if (!post) {
      return problem_response(Problem::method_not_allowed);
    }
    if (parts[2] == "request-approval") {
      return request_approval_answer(*client, request, outgoing);
    }
    return parts[2] == "check" ? check_answer(*client, request)
                               : send_answer(*client, request, outgoing);
  }
  if (route == "jobs" && parts.size() == 3 && outgoing != nullptr) {
    return get ? outgoing->job(parts[2]) : problem_response(Problem::method_not_allowed);
  }
  if (route == "uploads" && parts.size() == 2) {
    // The body is a file: local_server.cpp receives it into Outgoing before this is asked.
    return problem_response(Problem::method_not_allowed);
  }
  if (auto approvals = approvals_answer(*client, vault.sync_turn(), request, parts)) {
    return std::move(*approvals);
  }
  if (auto work = work_answer(*client, vault, request, parts)) {
    return std::move(*work);
  }
  if (route == "messages" && parts.size() >= 4 && parts.size() <= 6) {
    const auto ref = message_ref(parts[2], parts[3]);
    if (!ref) {
      return problem_response(Problem::bad_request,
                              "a mailbox id (32 hex digits) and a sequence number");
    }
    if (parts.size() == 4 && get) {
      return read_message(*client, ref->first, ref->second);
    }
    if (parts.size() == 6 && parts[4] == "attachments" && get) {
      // Streamed from its file: local_server.cpp answers it (download()) before this is asked.
      return problem_response(Problem::method_not_allowed);
    }
    if (parts.size() == 5 && parts[4] == "ack" && post) {
      if (auto done = client->inbox().acknowledge(ref->first, ref->second); !done) {
        return problem_response(Problem::hub_failed, done.error().message());
      }
      return json_response(200, json::object{{"acknowledged", true}});
    }
    return problem_response(Problem::method_not_allowed);
  }
  if (route == "settings" && parts.size() == 2) {
    return get ? settings_answer(*client, vault) : problem_response(Problem::method_not_allowed);
  }
  if (auto answer = consent_answer(*client, request, parts)) {
    return std::move(*answer);
  }
  return problem_response(Problem::not_found);
}

bool is_download(const Request& request) {
  const auto parts = segments(request.target());
  return request.method() == http::verb::get && parts.size() == 6 && parts[0] == "api" &&
         parts[1] == "messages" && parts[4] == "attachments";
}

std::variant<Response, FileResponse> download(client::Client& client, std::string_view target) {
  const auto parts = segments(target);
  const auto ref = parts.size() == 6 ? message_ref(parts[2], parts[3]) : std::nullopt;
  if (!ref) {
    return problem_response(Problem::bad_request,
                            "a mailbox id (32 hex digits) and a sequence number");
  }
  return attachment(client, ref->first, ref->second, parts[5]);
}

ListAnswer list_answer_of(std::string_view target) {
  return query_value(target, "local") == "1"  ? ListAnswer::device
         : query_value(target, "news") == "1" ? ListAnswer::news
                                              : ListAnswer::synced;
}

std::optional<protocol::Id> id_of(std::string_view text) {
  const auto bytes = protocol::hex_decode(text);
  if (!bytes || bytes->size() != protocol::Id{}.size()) {
    return std::nullopt;
  }
  protocol::Id id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

}  // namespace draaischijf::ui
