#include <charconv>
#include <optional>

#include <boost/json.hpp>

#include <draaischijf/protocol/admin_action.hpp>
#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "api/call.hpp"
#include "api/on_writer.hpp"
#include "api/routes.hpp"

namespace draaischijf::server::routes {

using namespace api_call;

// JSON forms of directory objects.
json::object organisation_json(const Organisation& o) {
  json::array offers;
  for (const auto offer : o.offers) {
    offers.emplace_back(protocol::name_of(offer));
  }
  json::object out{{"org_id", hex(o.org_id)},
                   {"org_type", protocol::name_of(o.type)},
                   {"name", o.name},
                   {"signing_key", b64(o.signing_key)},
                   {"offers", std::move(offers)}};
  if (o.province) {
    out["province"] = protocol::name_of(*o.province);
  }
  if (!o.municipality.empty()) {
    out["municipality"] = o.municipality;
  }
  if (o.clb) {
    out["clb_org_id"] = hex(*o.clb);
  }
  return out;
}

json::object device_json(const Device& d) {
  json::object out{{"device_id", hex(d.device_id)},
                   {"org_id", hex(d.org_id)},
                   {"role", d.role},
                   {"state", name_of(d.state)},
                   {"signing_key", b64(d.signing_key)},
                   {"encryption_key", b64(d.encryption_key)}};
  // The person is the one the admin certified; a pending device has none yet.
  if (!d.certificate.empty()) {
    out["staff_id"] = hex(d.staff_id);
    out["certificate"] = b64(d.certificate);
  } else if (d.claimed_staff_id) {
    out["claimed_staff_id"] = hex(*d.claimed_staff_id);  // what it says; the admin decides
  }
  return out;
}

json::object mailbox_json(const Mailbox& m, std::int64_t now_ms) {
  const auto held = held_reason(m, now_ms);
  json::object out{{"mailbox_id", hex(m.mailbox_id)},
                   {"org_id", hex(m.org_id)},
                   {"name", m.name},
                   {"epoch", m.epoch},
                   {"certificate", b64(m.certificate)},
                   {"accepting", held.empty()}};
  if (!held.empty()) {
    out["held"] = held;
  }
  return out;
}

namespace {

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

}  // namespace

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

namespace {

// One vocabulary name of the query, or the problem that says which values the key takes.
template <class Enum>
std::optional<Reply> query_name(const Call& call, std::string_view key, std::optional<Enum>& out) {
  const auto text = call.query_value(key);
  if (!text) {
    return std::nullopt;
  }
  out = protocol::parse_name<Enum>(*text);
  if (out) {
    return std::nullopt;
  }
  return call.problem(
      ProblemKind::malformed_request,
      "The query's " + std::string(key) + " takes one of: " + protocol::joined_names<Enum>() + ".");
}

}  // namespace

// GET /v1/organisations[?type=&province=&municipality=&offer=]: every filter given must match.
Task<Reply> list_organisations(Call& call) {
  OrganisationFilter filter;
  auto refused = query_name(call, "type", filter.type);
  if (!refused) {
    refused = query_name(call, "province", filter.province);
  }
  if (!refused) {
    refused = query_name(call, "offer", filter.offer);
  }
  if (refused) {
    co_return std::move(*refused);
  }
  if (const auto text = call.query_value("municipality")) {
    filter.municipality = percent_decoded(*text);
    if (!filter.municipality || !protocol::is_valid_municipality(*filter.municipality)) {
      co_return call.problem(ProblemKind::malformed_request,
                             "The query's municipality takes 1 to 100 bytes of percent-encoded, "
                             "display-safe UTF-8.");
    }
  }
  auto all = call.parts.directory.organisations();
  if (!all) {
    co_return call.problem(all.error());
  }
  std::erase_if(*all, [&](const Organisation& o) { return !filter.matches(o); });
  co_return call.json(Status::ok, listing("organisations", *all, [](const Organisation& item) {
                        return organisation_json(item);
                      }));
}

Task<Reply> get_organisation(Call& call) {
  auto found = find_by_id(call.params[0],
                          [&](const Id& id) { return call.parts.directory.organisation(id); });
  if (!found) {
    co_return call.problem(found.error());
  }
  co_return call.json(Status::ok, organisation_json(*found));
}

Task<Reply> list_organisation_mailboxes(Call& call) {
  auto organisation = find_by_id(
      call.params[0], [&](const Id& id) { return call.parts.directory.organisation(id); });
  if (!organisation) {
    co_return call.problem(organisation.error());
  }
  auto all = call.parts.directory.mailboxes(organisation->org_id);
  if (!all) {
    co_return call.problem(all.error());
  }
  co_return call.json(Status::ok, listing("mailboxes", *all, [&](const Mailbox& item) {
                        return mailbox_json(item, call.now_ms());
                      }));
}

Task<Reply> get_device(Call& call) {
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
  co_return call.json(Status::ok, device_json(*found));
}

Task<Reply> request_enrolment(Call& call) {
  const auto body = call.json_body();
  if (!body) {
    co_return call.problem(ProblemKind::malformed_request,
                           "The body must be a JSON object of at most 1 MiB.");
  }
  const auto signing = fixed_from<32>(bytes_field(*body, "signing_key"));
  const auto encryption = fixed_from<32>(bytes_field(*body, "encryption_key"));
  // A staff_id the device sends is ignored: the organisation admin assigns the person when
  // it certifies the device (docs/DECISIONS.md 2026-12-06, four-eyes compares persons). The
  // device may only claim one, for the admin to compare.
  if (!signing || !encryption) {
    co_return call.problem(ProblemKind::malformed_request,
                           "Give signing_key and encryption_key (32 bytes, base64).");
  }
  std::optional<Id> claim;
  if (body->contains("claimed_staff_id")) {
    const auto text = string_field(*body, "claimed_staff_id");
    claim = text ? parse_id(*text) : std::nullopt;
    if (!claim) {
      co_return call.problem(ProblemKind::malformed_request,
                             "claimed_staff_id takes 32 lower-case hexadecimal digits.");
    }
  }
  if (!protocol::parse_name<protocol::StaffRole>(call.caller.role)) {
    co_return call.problem(ProblemKind::forbidden,
                           "The client certificate names no known staff role.");
  }
  Device request{call.caller.device_id,
                 call.caller.org_id,
                 call.caller.role,
                 DeviceState::pending,
                 *signing,
                 *encryption,
                 {},
                 {},
                 call.now_ms(),
                 claim};
  auto done = co_await on_writer<sqlite::Result<void>>(
      [&](auto complete) { return call.parts.directory.request_enrolment(request, complete); });
  if (!done) {
    co_return call.problem(ProblemKind::overloaded);
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  call.parts.log.info("device.requested", {{"request_id", std::string_view(call.request_id)},
                                           {"role", std::string_view(call.caller.role)}});
  co_return call.json(Status::accepted, device_json(request));
}

namespace {

// How far an admin action's time may be from the hub's clock; its nonce is remembered as long.
constexpr std::int64_t kAdminActionWindowMs = 5 * 60 * 1000;

std::optional<std::int64_t> milliseconds_from(std::optional<std::string_view> text) {
  std::int64_t value = 0;
  if (!text || text->empty() ||
      std::from_chars(text->data(), text->data() + text->size(), value).ptr !=
          text->data() + text->size()) {
    return std::nullopt;
  }
  return value;
}

// The statement the admin signed, from the request's query and body; nullopt when a part is
// missing or malformed.
std::optional<std::pair<protocol::AdminStatement, protocol::Signature>> admin_statement_of(
    const Call& call, protocol::AdminAction action, const Id& target) {
  const auto at = milliseconds_from(call.query_value("admin_at"));
  const auto nonce = parse_id(call.query_value("admin_nonce").value_or(""));
  const auto signature = fixed_from<64>(
      decoded(protocol::hex_decode(call.query_value("admin_signature").value_or(""))));
  if (!at || *at < 0 || !nonce || !signature) {
    return std::nullopt;
  }
  protocol::AdminStatement statement{call.caller.org_id,
                                     action,
                                     target,
                                     protocol::admin_body_hash(call.request.body),
                                     static_cast<std::uint64_t>(*at),
                                     *nonce};
  return std::pair(statement, *signature);
}

// An admin TLS certificate is not enough to change the directory: the organisation key must
// have signed this very action, now and once (docs/PROTOCOL.md 7.13). nullopt when it did; its
// nonce is then on disk, so the same signature is refused after a restart too.
Task<std::optional<Reply>> unless_signed_by_organisation(Call& call, protocol::AdminAction action,
                                                         const Id& target) {
  auto organisation = call.parts.directory.organisation(call.caller.org_id);
  if (!organisation) {
    co_return call.problem(organisation.error());
  }
  const auto signed_action = admin_statement_of(call, action, target);
  if (!signed_action) {
    co_return call.problem(ProblemKind::admin_signature_invalid,
                           "Give admin_at, admin_nonce and admin_signature (hex) in the query.");
  }
  const auto& [statement, signature] = *signed_action;
  if (!protocol::verify_admin_action(statement, signature, organisation->signing_key)) {
    co_return call.problem(ProblemKind::admin_signature_invalid,
                           "The signature does not verify against the organisation key.");
  }
  const auto now = call.now_ms();
  const auto at = static_cast<std::int64_t>(statement.at_ms);
  if (at < now - kAdminActionWindowMs || at > now + kAdminActionWindowMs) {
    co_return call.problem(ProblemKind::admin_signature_invalid,
                           "The action was signed more than 5 minutes from the hub's time.");
  }
  auto claimed = co_await on_writer<sqlite::Result<void>>([&](auto complete) {
    return call.parts.directory.claim_admin_nonce(statement.org_id, statement.nonce,
                                                  at + kAdminActionWindowMs, now, complete);
  });
  if (!claimed) {
    co_return call.problem(ProblemKind::overloaded);
  }
  if (!*claimed) {
    co_return call.problem(claimed->error(), "This signed action was used already: sign it anew.");
  }
  co_return std::nullopt;
}

// The caller's organisation's devices in `state`, listed under `key`.
Reply devices_in(const Call& call, DeviceState state, std::string_view key) {
  auto devices = call.parts.directory.devices(call.caller.org_id, state);
  if (!devices) {
    return call.problem(devices.error());
  }
  return call.json(Status::ok,
                   listing(key, *devices, [](const Device& item) { return device_json(item); }));
}

}  // namespace

Task<Reply> list_enrolments(Call& call) {
  co_return devices_in(call, DeviceState::pending, "enrolments");
}

// The organisation's enrolled devices with the person each is certified for, so that its admin
// can give a second device of a person the same staff id.
Task<Reply> list_devices(Call& call) {
  co_return devices_in(call, DeviceState::enrolled, "devices");
}

// Answers a directory change: the object as it is now, or the problem.
template <class Start, class Show>
Task<Reply> directory_change(Call& call, Start start, Show show) {
  auto done = co_await on_writer<sqlite::Result<void>>(std::move(start));
  if (!done) {
    co_return call.problem(ProblemKind::overloaded);
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  co_return show();
}

Task<Reply> approve_enrolment(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(make_error_code(directory_errc::not_found));
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.approve_enrolment(call.actor(), *id, call.request.body,
                                                      call.now_ms(), complete);
      },
      [&] {
        auto device = call.parts.directory.device(*id);
        return device ? call.json(Status::ok, device_json(*device)) : call.problem(device.error());
      });
}

Task<Reply> remove_device(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(make_error_code(directory_errc::not_found));
  }
  if (auto refused =
          co_await unless_signed_by_organisation(call, protocol::AdminAction::remove_device, *id)) {
    co_return *refused;
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.remove_device(call.actor(), *id, call.now_ms(), complete);
      },
      [&] {
        auto device = call.parts.directory.device(*id);
        return device ? call.json(Status::ok, device_json(*device)) : call.problem(device.error());
      });
}

namespace {

Task<Reply> change_mailbox(Call& call, bool creating) {
  const auto body = call.json_body();
  std::string missing = "a JSON object of at most 1 MiB";
  auto change = body ? epoch_change_from(*body, missing) : std::nullopt;
  if (!change || (creating && change->name.empty())) {
    co_return call.problem(ProblemKind::malformed_request,
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
  const auto action =
      creating ? protocol::AdminAction::create_mailbox : protocol::AdminAction::rotate_mailbox;
  if (auto refused = co_await unless_signed_by_organisation(call, action, mailbox_id)) {
    co_return *refused;
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.change_mailbox(call.actor(), std::move(*change), call.now_ms(),
                                                   complete);
      },
      [&] {
        auto mailbox = call.parts.directory.mailbox(mailbox_id);
        return mailbox ? call.json(creating ? Status::created : Status::ok,
                                   mailbox_json(*mailbox, call.now_ms()))
                       : call.problem(mailbox.error());
      });
}

}  // namespace

Task<Reply> create_mailbox(Call& call) { return change_mailbox(call, true); }
Task<Reply> rotate_mailbox(Call& call) { return change_mailbox(call, false); }

// POST /v1/mailboxes/{id}/name {"name": ...}: directory data only (no new epoch), but still the
// organisation key's decision, so that a stolen admin certificate cannot relabel the onthaal.
Task<Reply> rename_mailbox(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(make_error_code(directory_errc::not_found));
  }
  const auto body = call.json_body();
  const auto name = body ? string_field(*body, "name") : std::nullopt;
  if (!name) {
    co_return call.problem(ProblemKind::malformed_request,
                           "The body must be a JSON object with name (a string).");
  }
  if (auto refused = co_await unless_signed_by_organisation(
          call, protocol::AdminAction::rename_mailbox, *id)) {
    co_return *refused;
  }
  co_return co_await directory_change(
      call,
      [&](auto complete) {
        return call.parts.directory.rename_mailbox(call.actor(), *id, std::string(*name),
                                                   call.now_ms(), complete);
      },
      [&] {
        auto mailbox = call.parts.directory.mailbox(*id);
        return mailbox ? call.json(Status::ok, mailbox_json(*mailbox, call.now_ms()))
                       : call.problem(mailbox.error());
      });
}

Task<Reply> get_mailbox(Call& call) {
  auto found =
      find_by_id(call.params[0], [&](const Id& id) { return call.parts.directory.mailbox(id); });
  if (!found) {
    co_return call.problem(found.error());
  }
  co_return call.json(Status::ok, mailbox_json(*found, call.now_ms()));
}

}  // namespace draaischijf::server::routes
