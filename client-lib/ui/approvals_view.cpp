#include "approvals_view.hpp"

#include <algorithm>
#include <charconv>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <draaischijf/client/approvals.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

// Each recipient of a draft as the approver reads it: the organisation's name from the verified
// directory and the function its organisation signed into the mailbox's epoch certificate
// ("" for a general mailbox); a mailbox whose certificate does not verify keeps only its id,
// and the page says so rather than guessing a name.
json::array recipients_in_words(client::Client& client, const json::array& ids,
                                const std::vector<client::DirectoryOrganisation>& organisations) {
  json::array out;
  for (const auto& id : ids) {
    json::object recipient{{"mailbox_id", id}};
    const auto bytes = protocol::hex_decode(id.as_string());
    protocol::Id mailbox{};
    if (bytes && bytes->size() == mailbox.size()) {
      std::copy(bytes->begin(), bytes->end(), mailbox.begin());
      if (const auto certificate = client.directory().mailbox_certificate(mailbox)) {
        const auto org =
            std::find_if(organisations.begin(), organisations.end(),
                         [&](const auto& o) { return o.org_id == certificate->org_id; });
        recipient["org_name"] =
            org != organisations.end() ? org->name : protocol::hex_encode(certificate->org_id);
        recipient["function"] =
            certificate->function ? protocol::name_of(*certificate->function) : "";
      }
    }
    out.push_back(std::move(recipient));
  }
  return out;
}

Response queue(client::Client& client, std::mutex& sync_turn) {
  // A hub out of reach still leaves what was fetched before; the page says the sync failed.
  const auto synced = [&] {
    const std::lock_guard turn(sync_turn);
    return client.inbox().sync();
  }();
  client::ApprovalQueue approvals{client.session()};
  auto pending = approvals.pending();
  auto answers = approvals.answers();
  if (!pending || !answers) {
    return problem_response(Problem::hub_failed,
                            (!pending ? pending.error() : answers.error()).message());
  }
  auto out = client::approval_queue_json(*pending, *answers);
  auto organisations = client.directory().organisations();
  if (!organisations) {
    return problem_response(Problem::hub_failed, organisations.error().message());
  }
  for (auto& item : out.at("pending").as_array()) {
    auto& request = item.as_object();
    request["recipient_names"] =
        recipients_in_words(client, request.at("recipients").as_array(), *organisations);
  }
  out["sync_problem"] = synced ? std::string() : synced.error().message();
  return json_response(200, out);
}

Response decide(client::Client& client, const Request& request, const protocol::Id& mailbox,
                std::int64_t sequence, bool approve) {
  client::ApprovalQueue approvals{client.session()};
  if (approve) {
    const auto given = approvals.approve(mailbox, sequence);
    if (!given) {
      return problem_response(Problem::hub_failed, given.error().message());
    }
    return json_response(200, client::given_approval_json(*given));
  }
  json::error_code ec;
  const auto body = json::parse(request.body(), ec);
  const auto* reason = !ec && body.is_object() ? body.as_object().if_contains("reason") : nullptr;
  if (reason == nullptr || !reason->is_string() || reason->as_string().empty()) {
    return problem_response(Problem::bad_request, "a decline says why: {\"reason\": TEXT}");
  }
  if (auto declined = approvals.decline(mailbox, sequence, reason->as_string()); !declined) {
    return problem_response(Problem::hub_failed, declined.error().message());
  }
  return json_response(200, json::object{{"declined", true}});
}

}  // namespace

std::optional<Response> approvals_answer(client::Client& client, std::mutex& sync_turn,
                                         const Request& request,
                                         const std::vector<std::string_view>& parts) {
  if (parts.size() < 2 || parts[1] != "approvals") {
    return std::nullopt;
  }
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  if (parts.size() == 2) {
    return get ? queue(client, sync_turn) : problem_response(Problem::method_not_allowed);
  }
  if (parts.size() != 5 || (parts[4] != "approve" && parts[4] != "decline")) {
    return problem_response(Problem::not_found);
  }
  if (!post) {
    return problem_response(Problem::method_not_allowed);
  }
  const auto mailbox = id_of(parts[2]);
  std::int64_t sequence = 0;
  const auto [end, ec] =
      std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), sequence);
  if (!mailbox || ec != std::errc{} || end != parts[3].data() + parts[3].size() || sequence <= 0) {
    return problem_response(Problem::bad_request,
                            "a mailbox id (32 hex digits) and a sequence number");
  }
  return decide(client, request, *mailbox, sequence, parts[4] == "approve");
}

}  // namespace draaischijf::ui
