#include "api.hpp"

#include <charconv>
#include <optional>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/admission.hpp>

#include "api_call.hpp"
#include "on_writer.hpp"
#include "policy_routes.hpp"

namespace draaischijf::server {
namespace {

using namespace api_call;

// JSON forms of directory objects.
json::object organisation_json(const Organisation& o) {
  return {{"org_id", hex(o.org_id)},
          {"org_type", protocol::name_of(o.type)},
          {"name", o.name},
          {"signing_key", b64(o.signing_key)}};
}

json::object device_json(const Device& d) {
  json::object out{{"device_id", hex(d.device_id)},
                   {"org_id", hex(d.org_id)},
                   {"role", d.role},
                   {"state", name_of(d.state)},
                   {"signing_key", b64(d.signing_key)},
                   {"encryption_key", b64(d.encryption_key)},
                   {"staff_id", hex(d.staff_id)}};
  if (!d.certificate.empty()) {
    out["certificate"] = b64(d.certificate);
  }
  return out;
}

json::object mailbox_json(const Mailbox& m) {
  return {{"mailbox_id", hex(m.mailbox_id)},
          {"org_id", hex(m.org_id)},
          {"name", m.name},
          {"epoch", m.epoch},
          {"certificate", b64(m.certificate)},
          {"accepting", !m.needs_rotation}};
}

// The epoch change of a mailbox request body; nullopt names no field (the caller says which).
std::optional<EpochChange> epoch_change_from(const json::object& body, std::string& missing) {
  EpochChange change;
  auto certificate = bytes_field(body, "certificate");
  if (!certificate) {
    missing = "certificate (base64)";
    return std::nullopt;
  }
  change.certificate = std::move(*certificate);
  const json::value* members = body.if_contains("members");
  if (members == nullptr || !members->is_array()) {
    missing = "members (array)";
    return std::nullopt;
  }
  for (const json::value& m : members->as_array()) {
    const auto id = m.is_object() ? string_field(m.as_object(), "device_id") : std::nullopt;
    auto box = m.is_object() ? bytes_field(m.as_object(), "seed_box") : std::nullopt;
    const auto device = id ? parse_id(*id) : std::nullopt;
    if (!device || !box) {
      missing = "members[].device_id (hex) and members[].seed_box (base64)";
      return std::nullopt;
    }
    change.members.push_back({*device, std::move(*box)});
  }
  if (body.contains("previous_seed_box")) {
    auto previous = bytes_field(body, "previous_seed_box");
    if (!previous) {
      missing = "previous_seed_box (base64)";
      return std::nullopt;
    }
    change.previous_seed_box = std::move(*previous);
  }
  if (const auto name = string_field(body, "name")) {
    change.name = std::string(*name);
  }
  const auto parsed = protocol::parse_epoch_certificate(change.certificate);
  if (parsed) {
    change.mailbox_id = parsed->mailbox_id;
  }
  return change;
}

// The object a path id names, through `find`; a malformed id is simply not found.
template <class Find>
auto find_by_id(std::string_view text, Find find) -> decltype(find(Id{})) {
  const auto id = parse_id(text);
  if (!id) {
    return make_error_code(directory_errc::not_found);
  }
  return find(*id);
}

// --- directory ---------------------------------------------------------------------------------

net::awaitable<Response> list_organisations(Call& call) {
  auto all = call.parts.directory.organisations();
  if (!all) {
    co_return call.problem(all.error());
  }
  co_return call.json(http::status::ok,
                      listing("organisations", *all,
                              [](const Organisation& item) { return organisation_json(item); }));
}

net::awaitable<Response> get_organisation(Call& call) {
  auto found = find_by_id(call.params[0],
                          [&](const Id& id) { return call.parts.directory.organisation(id); });
  if (!found) {
    co_return call.problem(found.error());
  }
  co_return call.json(http::status::ok, organisation_json(*found));
}

net::awaitable<Response> list_organisation_mailboxes(Call& call) {
  auto organisation = find_by_id(
      call.params[0], [&](const Id& id) { return call.parts.directory.organisation(id); });
  if (!organisation) {
    co_return call.problem(organisation.error());
  }
  auto all = call.parts.directory.mailboxes(organisation->org_id);
  if (!all) {
    co_return call.problem(all.error());
  }
  co_return call.json(http::status::ok, listing("mailboxes", *all, [](const Mailbox& item) {
                        return mailbox_json(item);
                      }));
}

net::awaitable<Response> get_device(Call& call) {
  auto found =
      find_by_id(call.params[0], [&](const Id& id) { return call.parts.directory.device(id); });
  // Enrolled devices are public (recipients verify signatures with them); requests and removed
  // devices only to their own organisation.
  if (found && found->state != DeviceState::enrolled && found->org_id != call.caller.org_id) {
    found = make_error_code(directory_errc::not_found);
  }
  if (!found) {
    co_return call.problem(found.error());
  }
  co_return call.json(http::status::ok, device_json(*found));
}

net::awaitable<Response> request_enrolment(Call& call) {
  const auto body = call.json_body();
  if (!body) {
    co_return call.problem("malformed-request", "The body must be a JSON object.");
  }
  const auto signing = fixed_from<32>(bytes_field(*body, "signing_key"));
  const auto encryption = fixed_from<32>(bytes_field(*body, "encryption_key"));
  const auto staff = parse_id(string_field(*body, "staff_id").value_or(""));
  if (!signing || !encryption || !staff) {
    co_return call.problem("malformed-request",
                           "Give signing_key and encryption_key (32 bytes, base64) and staff_id "
                           "(32 hexadecimal digits).");
  }
  if (!protocol::parse_name<protocol::StaffRole>(call.caller.role)) {
    co_return call.problem("forbidden", "The client certificate names no known staff role.");
  }
  Device request{call.caller.device_id,
                 call.caller.org_id,
                 call.caller.role,
                 DeviceState::pending,
                 *signing,
                 *encryption,
                 *staff,
                 {},
                 now_ms()};
  auto done = co_await on_writer<sqlite::Result<void>>(
      [&](auto complete) { return call.parts.directory.request_enrolment(request, complete); });
  if (!done) {
    co_return call.problem("overloaded");
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  call.parts.log.info("device.requested", {{"request_id", std::string_view(call.request_id)},
                                           {"role", std::string_view(call.caller.role)}});
  co_return call.json(http::status::accepted, device_json(request));
}

net::awaitable<Response> list_enrolments(Call& call) {
  auto pending = call.parts.directory.devices(call.caller.org_id, DeviceState::pending);
  if (!pending) {
    co_return call.problem(pending.error());
  }
  co_return call.json(http::status::ok, listing("enrolments", *pending, [](const Device& item) {
                        return device_json(item);
                      }));
}

// Answers a directory change: the object as it is now, or the problem.
template <class Start, class Show>
net::awaitable<Response> directory_change(Call& call, Start start, Show show) {
  auto done = co_await on_writer<sqlite::Result<void>>(std::move(start));
  if (!done) {
    co_return call.problem("overloaded");
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  co_return show();
}

net::awaitable<Response> approve_enrolment(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(make_error_code(directory_errc::not_found));
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.approve_enrolment(call.actor(), *id, call.request.body(),
                                                      now_ms(), complete);
      },
      [&] {
        auto device = call.parts.directory.device(*id);
        return device ? call.json(http::status::ok, device_json(*device))
                      : call.problem(device.error());
      });
}

net::awaitable<Response> remove_device(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(make_error_code(directory_errc::not_found));
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.remove_device(call.actor(), *id, now_ms(), complete);
      },
      [&] {
        auto device = call.parts.directory.device(*id);
        return device ? call.json(http::status::ok, device_json(*device))
                      : call.problem(device.error());
      });
}

net::awaitable<Response> change_mailbox(Call& call, bool creating) {
  const auto body = call.json_body();
  std::string missing = "a JSON object";
  auto change = body ? epoch_change_from(*body, missing) : std::nullopt;
  if (!change || (creating && change->name.empty())) {
    co_return call.problem("malformed-request",
                           "The body must hold " + (change ? std::string("name") : missing) + ".");
  }
  if (!creating) {
    const auto id = parse_id(call.params[0]);
    if (!id) {
      co_return call.problem(make_error_code(directory_errc::not_found));
    }
    change->name.clear();
    if (change->mailbox_id != *id) {
      co_return call.problem(make_error_code(directory_errc::certificate_mismatch));
    }
  }
  const Id mailbox_id = change->mailbox_id;
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.change_mailbox(call.actor(), std::move(*change), now_ms(),
                                                   complete);
      },
      [&] {
        auto mailbox = call.parts.directory.mailbox(mailbox_id);
        return mailbox ? call.json(creating ? http::status::created : http::status::ok,
                                   mailbox_json(*mailbox))
                       : call.problem(mailbox.error());
      });
}

net::awaitable<Response> create_mailbox(Call& call) { return change_mailbox(call, true); }
net::awaitable<Response> rotate_mailbox(Call& call) { return change_mailbox(call, false); }

net::awaitable<Response> get_mailbox(Call& call) {
  auto found =
      find_by_id(call.params[0], [&](const Id& id) { return call.parts.directory.mailbox(id); });
  if (!found) {
    co_return call.problem(found.error());
  }
  co_return call.json(http::status::ok, mailbox_json(*found));
}

// --- mailbox contents: members only ------------------------------------------------------------

// The mailbox id of a member-only route, or nullopt when the caller may not see the mailbox
// (missing, another organisation's, or not a current member): all answered the same.
std::optional<Id> member_mailbox(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id || !call.caller.enrolled) {
    return std::nullopt;
  }
  auto member = call.parts.directory.is_member(*id, call.caller.device_id);
  return member && *member ? id : std::nullopt;
}

net::awaitable<Response> get_epoch(Call& call) {
  const auto mailbox = member_mailbox(call);
  const auto epoch = parse_count(call.params[1]);
  if (!mailbox || !epoch || *epoch > std::numeric_limits<std::uint32_t>::max()) {
    co_return call.problem("not-found");
  }
  auto keys = call.parts.directory.epoch_keys(*mailbox, static_cast<std::uint32_t>(*epoch),
                                              call.caller.device_id);
  if (!keys) {
    co_return call.problem(keys.error());
  }
  json::object out{
      {"mailbox_id", hex(*mailbox)}, {"epoch", *epoch}, {"certificate", b64(keys->certificate)}};
  if (!keys->previous_seed_box.empty()) {
    out["previous_seed_box"] = b64(keys->previous_seed_box);
  }
  if (!keys->seed_box.empty()) {
    out["seed_box"] = b64(keys->seed_box);
  }
  json::array members;
  for (const Id& device : keys->members) {
    members.push_back(json::value(hex(device)));
  }
  out["members"] = std::move(members);
  co_return call.json(http::status::ok, out);
}

net::awaitable<Response> list_messages(Call& call) {
  const auto mailbox = member_mailbox(call);
  if (!mailbox) {
    co_return call.problem("not-found");
  }
  const auto after = parse_count(call.query_value("after").value_or("0"));
  const auto limit = parse_count(call.query_value("limit").value_or(std::to_string(kDefaultPage)));
  if (!after || !limit || *limit == 0 || *limit > static_cast<std::int64_t>(kMaxPage)) {
    co_return call.problem("malformed-request",
                           "after must be a sequence number and limit between 1 and 1000.");
  }
  auto entries = call.parts.store.list(*mailbox, *after, static_cast<std::size_t>(*limit));
  if (!entries) {
    co_return call.problem(entries.error());
  }
  json::array out;
  for (const QueueEntry& e : *entries) {
    out.push_back({{"sequence", e.sequence},
                   {"message_id", hex(e.message_id)},
                   {"sender_org", hex(e.sender_org)},
                   {"received_at_ms", e.received_at_ms},
                   {"size", e.size},
                   {"state", e.state}});
  }
  json::object body{{"messages", std::move(out)}};
  // A full page may have more behind it: the cursor is the last sequence seen.
  body["next_after"] = entries->size() == static_cast<std::size_t>(*limit)
                           ? json::value(entries->back().sequence)
                           : json::value(nullptr);
  co_return call.json(http::status::ok, body);
}

net::awaitable<Response> fetch_message(Call& call) {
  const auto mailbox = member_mailbox(call);
  const auto sequence = parse_count(call.params[1]);
  if (!mailbox || !sequence) {
    co_return call.problem("not-found");
  }
  auto envelope = call.parts.store.fetch(*mailbox, *sequence);
  if (!envelope) {
    co_return call.problem(envelope.error());
  }
  Response response{http::status::ok, call.request.version()};
  response.set(http::field::content_type, "application/octet-stream");
  response.body().assign(envelope->begin(), envelope->end());
  response.keep_alive(call.request.keep_alive());
  response.prepare_payload();
  co_return response;
}

net::awaitable<Response> record_acknowledgement(Call& call, MessageStore::Acknowledgement what) {
  const auto mailbox = member_mailbox(call);
  const auto sequence = parse_count(call.params[1]);
  if (!mailbox || !sequence) {
    co_return call.problem("not-found");
  }
  auto done = co_await on_writer<sqlite::Result<void>>([&](auto complete) {
    return call.parts.store.acknowledge(*mailbox, *sequence, call.caller.device_id, now_ms(), what,
                                        complete);
  });
  if (!done) {
    co_return call.problem("overloaded");
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  const bool read = what == MessageStore::Acknowledgement::read;
  co_return call.json(http::status::ok,
                      {{"sequence", *sequence}, {"state", read ? "read" : "delivered"}});
}

net::awaitable<Response> acknowledge(Call& call) {
  return record_acknowledgement(call, MessageStore::Acknowledgement::delivered);
}

net::awaitable<Response> acknowledge_read(Call& call) {
  return record_acknowledgement(call, MessageStore::Acknowledgement::read);
}

// --- envelopes ---------------------------------------------------------------------------------

net::awaitable<Response> refuse_envelope(Call& call, const boost::system::error_code& error,
                                         const Id& mailbox = {}) {
  ++call.parts.counters.envelopes_refused;
  call.parts.log.info("envelope.refused", {{"request_id", std::string_view(call.request_id)},
                                           {"reason", std::string_view(error.message())}});
  if (error == protocol::errc::stale_epoch) {
    // The current epoch certificate comes with the refusal: the sender re-seals at once.
    auto current = call.parts.directory.mailbox(mailbox);
    Response response = call.problem(error);
    if (current) {
      json::value doc = json::parse(response.body());
      doc.as_object()["mailbox"] = mailbox_json(*current);
      response.body() = json::serialize(doc);
      response.prepare_payload();
    }
    co_return response;
  }
  co_return call.problem(error, mailbox == Id{} ? std::string() : "Mailbox " + hex(mailbox) + ".");
}

net::awaitable<Response> submit_envelope(Call& call) {
  if (!call.caller.enrolled) {
    co_return call.problem("device-not-enrolled");
  }
  AdmissionLimits limits;
  limits.max_envelope_bytes = call.parts.config.limits.max_envelope_bytes;
  limits.max_clock_skew = call.parts.config.limits.max_clock_skew;
  auto admitted =
      admit(call.request.body(), {call.caller.org_id}, std::chrono::system_clock::now(), limits);
  if (!admitted) {
    co_return co_await refuse_envelope(call, admitted.error());
  }
  // The second enforcement point: the policy decides on the labels before anything is stored,
  // and every decision, allow or not, is on record.
  auto verdict =
      call.parts.gate.judge(call.caller, admitted->outer, std::chrono::system_clock::now());
  if (!verdict) {
    co_return co_await refuse_envelope(call, verdict.error());
  }
  Submission submission;
  submission.decisions = std::move(verdict->records);
  submission.rests_on_consent = verdict->rests_on_consent;
  submission.message_id = admitted->outer.message_id;
  submission.sender_org = call.caller.org_id;
  submission.sender_device = call.caller.device_id;
  submission.kind = admitted->outer.kind;
  submission.recipients = admitted->outer.recipients;
  submission.received_at_ms = now_ms();
  submission.consent_reference = admitted->outer.consent_reference;
  submission.pupil_pseudonym = admitted->outer.pupil_pseudonym;
  if (verdict->refusal) {
    ++call.parts.counters.policy_refused;
    ++call.parts.counters.envelopes_refused;
    auto logged = co_await on_writer<sqlite::Result<void>>(
        [&](auto complete) { return call.parts.store.record_refusal(submission, complete); });
    if (!logged || !*logged) {
      // Not on record, so not answered as a policy decision: the sender retries.
      co_return co_await refuse_envelope(call, make_error_code(store_errc::overloaded));
    }
    call.parts.log.info("envelope.policy_refused",
                        {{"request_id", std::string_view(call.request_id)},
                         {"outcome", policies::to_string(verdict->refusal->outcome)}});
    co_return policy_routes::refusal(call, *verdict);
  }
  submission.envelope = std::move(call.request.body());
  const auto recipients = submission.recipients;
  auto outcome = co_await on_writer<boost::system::result<Accepted, Refusal>>(
      [&](auto complete) { return call.parts.store.submit(std::move(submission), complete); });
  if (!outcome) {
    co_return co_await refuse_envelope(call, make_error_code(store_errc::overloaded));
  }
  if (!*outcome) {
    co_return co_await refuse_envelope(call, outcome->error().error, outcome->error().mailbox);
  }
  const Accepted& accepted = **outcome;
  ++call.parts.counters.envelopes_accepted;
  if (!accepted.duplicate) {
    for (const protocol::RecipientMailbox& r : recipients) {
      call.parts.notifier.publish(r.mailbox_id, accepted.sequence);
    }
  }
  const auto receipt =
      protocol::sign_receipt(admitted->outer.message_id, accepted.envelope_hash,
                             static_cast<std::uint64_t>(accepted.received_at_ms),
                             static_cast<std::uint64_t>(accepted.sequence), call.parts.hub_key);
  call.parts.log.info("envelope.accepted", {{"request_id", std::string_view(call.request_id)},
                                            {"sequence", accepted.sequence},
                                            {"duplicate", accepted.duplicate}});
  json::object body{{"message_id", hex(admitted->outer.message_id)},
                    {"sequence", accepted.sequence},
                    {"received_at_ms", accepted.received_at_ms},
                    {"envelope_hash", hex(accepted.envelope_hash)},
                    {"duplicate", accepted.duplicate},
                    {"receipt", b64(protocol::encode(receipt))}};
  if (!accepted.near_quota.empty()) {
    json::array warnings;
    for (const Id& m : accepted.near_quota) {
      warnings.push_back({{"mailbox_id", hex(m)}, {"warning", "mailbox-nearly-full"}});
    }
    body["warnings"] = std::move(warnings);
    call.parts.log.warning("mailbox.nearly_full",
                           {{"request_id", std::string_view(call.request_id)}});
  }
  co_return call.json(accepted.duplicate ? http::status::conflict : http::status::created, body);
}

net::awaitable<Response> delivery_status(Call& call) {
  const auto id = parse_id(call.params[0]);
  auto states = id ? call.parts.store.delivery_status(*id, call.caller.org_id)
                   : sqlite::Result<std::vector<std::pair<Id, std::string>>>(
                         make_error_code(store_errc::not_found));
  if (!states) {
    co_return call.problem(states.error());
  }
  json::array out;
  for (const auto& [mailbox, state] : *states) {
    out.push_back({{"mailbox_id", hex(mailbox)}, {"state", state}});
  }
  co_return call.json(http::status::ok, {{"message_id", hex(*id)}, {"recipients", std::move(out)}});
}

// --- routing -----------------------------------------------------------------------------------

enum class Access { any, admin };

struct Route {
  RouteInfo info;
  Access access;
  Handler handler;
};

constexpr std::array kRoutes = {
    Route{{http::verb::get, "/v1/organisations"}, Access::any, list_organisations},
    Route{{http::verb::get, "/v1/organisations/{org_id}"}, Access::any, get_organisation},
    Route{{http::verb::get, "/v1/organisations/{org_id}/mailboxes"},
          Access::any,
          list_organisation_mailboxes},
    Route{{http::verb::get, "/v1/devices/{device_id}"}, Access::any, get_device},
    Route{{http::verb::post, "/v1/devices/{device_id}/remove"}, Access::admin, remove_device},
    Route{{http::verb::post, "/v1/enrolments"}, Access::any, request_enrolment},
    Route{{http::verb::get, "/v1/enrolments"}, Access::admin, list_enrolments},
    Route{
        {http::verb::post, "/v1/enrolments/{device_id}/approve"}, Access::admin, approve_enrolment},
    Route{{http::verb::post, "/v1/mailboxes"}, Access::admin, create_mailbox},
    Route{{http::verb::get, "/v1/mailboxes/{mailbox_id}"}, Access::any, get_mailbox},
    Route{{http::verb::post, "/v1/mailboxes/{mailbox_id}/epochs"}, Access::admin, rotate_mailbox},
    Route{{http::verb::get, "/v1/mailboxes/{mailbox_id}/epochs/{epoch}"}, Access::any, get_epoch},
    Route{{http::verb::get, "/v1/mailboxes/{mailbox_id}/messages"}, Access::any, list_messages},
    Route{{http::verb::get, "/v1/mailboxes/{mailbox_id}/messages/{sequence}"},
          Access::any,
          fetch_message},
    Route{{http::verb::post, "/v1/mailboxes/{mailbox_id}/messages/{sequence}/ack"},
          Access::any,
          acknowledge},
    Route{{http::verb::post, "/v1/mailboxes/{mailbox_id}/messages/{sequence}/read"},
          Access::any,
          acknowledge_read},
    Route{{http::verb::post, "/v1/envelopes"}, Access::any, submit_envelope},
    Route{{http::verb::get, "/v1/envelopes/{message_id}/status"}, Access::any, delivery_status},
    Route{{http::verb::get, "/v1/policy"}, Access::any, policy_routes::get_policy},
    Route{{http::verb::post, "/v1/consents"}, Access::any, policy_routes::register_consent},
    Route{{http::verb::get, "/v1/consents"}, Access::any, policy_routes::list_consents},
    Route{{http::verb::get, "/v1/consents/{consent_id}"}, Access::any, policy_routes::get_consent},
    Route{{http::verb::post, "/v1/consents/{consent_id}/revoke"},
          Access::any,
          policy_routes::revoke_consent},
    Route{{http::verb::post, "/v1/approvals"}, Access::any, policy_routes::register_approval},
    Route{{http::verb::get, "/v1/disclosures"}, Access::any, policy_routes::list_disclosures},
};

// Routes served outside Api::handle, listed for the OpenAPI document.
constexpr std::array kTransportRoutes = {
    RouteInfo{http::verb::get, "/v1/blobs/{blob_id}"},
    RouteInfo{http::verb::put, "/v1/blobs/{blob_id}"},
    RouteInfo{http::verb::get, "/v1/stream"},
    RouteInfo{http::verb::get, "/healthz"},
    RouteInfo{http::verb::get, "/readyz"},
    RouteInfo{http::verb::get, "/metrics"},
};

// Matches "/a/{x}/b" against a path, capturing the placeholders.
bool match(std::string_view pattern, std::string_view path, std::vector<std::string_view>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view have = path.substr(0, path.find('/'));
    if (want.starts_with('{')) {
      if (have.empty()) {
        return false;
      }
      params.push_back(have);
    } else if (want != have) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return true;
}

}  // namespace

std::span<const RouteInfo> api_routes() {
  static const std::vector<RouteInfo> all = [] {
    std::vector<RouteInfo> out;
    for (const Route& r : kRoutes) {
      out.push_back(r.info);
    }
    out.insert(out.end(), kTransportRoutes.begin(), kTransportRoutes.end());
    return out;
  }();
  return all;
}

Response problem_response(const ProblemType& kind, unsigned version, bool keep_alive,
                          const std::string& request_id, std::string extra) {
  Response response{static_cast<http::status>(kind.status), version};
  response.set(http::field::content_type, "application/problem+json");
  // Every refusal, the transport's own included, names the request for the hub's operator.
  response.set("X-Request-Id", request_id);
  response.body() = to_json(Problem{kind, request_id, {}, std::move(extra)});
  if (kind.status == 503) {
    response.set(http::field::retry_after, "1");
  }
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

net::awaitable<Response> Api::handle(const Caller& caller, Request& request,
                                     const std::string& request_id) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  Call call{parts_, caller, request, request_id, {}, {}};
  const std::string_view path = target.substr(0, question);
  if (question != std::string_view::npos) {
    call.query = target.substr(question + 1);
  }
  if (auto wait = parts_.limiter.take(caller.org_id)) {
    ++parts_.counters.rate_limited;
    Response response = call.problem("rate-limited");
    const auto seconds = std::max<std::int64_t>(1, (wait->count() + 999) / 1000);
    response.set(http::field::retry_after, std::to_string(seconds));
    co_return response;
  }
  std::string allowed;  // the methods of a known path, for 405's Allow header
  for (const Route& route : kRoutes) {
    if (!match(route.info.pattern, path, call.params)) {
      continue;
    }
    if (route.info.method != request.method()) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(http::to_string(route.info.method));
      continue;
    }
    if (route.access == Access::admin && !caller.admin) {
      co_return call.problem("forbidden",
                             "Only an organisation_admin device of the organisation may do this.");
    }
    co_return co_await route.handler(call);
  }
  if (!allowed.empty()) {
    Response response = call.problem("method-not-allowed");
    response.set(http::field::allow, allowed);
    co_return response;
  }
  co_return call.problem("not-found");
}

std::vector<protocol::Id> Api::stream_mailboxes(const Caller& caller) {
  std::vector<protocol::Id> out;
  if (!caller.enrolled) {
    return out;
  }
  auto mailboxes = parts_.directory.mailboxes(caller.org_id);
  if (!mailboxes) {
    return out;
  }
  for (const Mailbox& m : *mailboxes) {
    if (still_member(caller, m.mailbox_id)) {
      out.push_back(m.mailbox_id);
    }
  }
  return out;
}

bool Api::still_member(const Caller& caller, const protocol::Id& mailbox) {
  auto member = parts_.directory.is_member(mailbox, caller.device_id);
  return member && *member;
}

}  // namespace draaischijf::server
