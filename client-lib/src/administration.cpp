#include <algorithm>

#include <draaischijf/client/administration.hpp>
#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/protocol/admin_action.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/merkle.hpp>

#include "hub_json.hpp"
#include "pupil_key.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using detail::SessionState;
using protocol::Id;
using protocol::Result;

constexpr std::uint64_t kDeviceCertificateDays = 365;
constexpr std::uint64_t kClockSkewSeconds = 300;

// The organisation's enrolled devices as the hub lists them, each certificate verified against
// the organisation key: the persons an admin picks from are the ones it certified itself.
Result<std::vector<OrganisationDevice>> organisation_devices(SessionState& s) {
  const auto items = s.get_list("/v1/devices", "devices");
  if (!items) {
    return items.error();
  }
  std::vector<OrganisationDevice> out;
  for (const auto& item : *items) {
    const auto device = hub_json::id(item, "device_id");
    if (!device) {
      return invalid_answer();
    }
    auto certificate = verified_device(s, *device);
    if (!certificate) {
      return certificate.error();
    }
    if (certificate->org_id != s.secrets.org_id) {
      return make_error_code(client_errc::directory_tampered);
    }
    out.push_back(
        {*device, certificate->staff_id, std::string(protocol::name_of(certificate->role))});
  }
  return out;
}

// The staff id to certify: a fresh one for a new person; for an existing person one that an
// enrolled device of the organisation is certified for (a mistyped id is refused rather than
// certified as a person nobody else has).
Result<Id> staff_id_for(SessionState& s, const Person& person) {
  if (!person.staff_id()) {
    return protocol::random_id();
  }
  auto devices = organisation_devices(s);
  if (!devices) {
    return devices.error();
  }
  const bool known = std::any_of(devices->begin(), devices->end(), [&](const auto& device) {
    return device.person == *person.staff_id();
  });
  if (!known) {
    return make_error_code(client_errc::unknown_person);
  }
  return *person.staff_id();
}

// `certificate` for this organisation, valid from now (less the clock skew) for a year, signed
// with the organisation key.
protocol::DeviceCertificate signed_by_organisation(SessionState& s,
                                                   protocol::DeviceCertificate certificate) {
  certificate.org_id = s.secrets.org_id;
  certificate.not_before = s.now_seconds() - kClockSkewSeconds;
  certificate.not_after = s.now_seconds() + kDeviceCertificateDays * 24 * 3600;
  return protocol::issue(certificate, *s.secrets.organisation);
}

// The certificate the admin signs for a pending device of `person`, from what the hub relays
// of it, after the fingerprint the device shows was compared with it.
Result<protocol::DeviceCertificate> certificate_for(SessionState& s, const Id& device_id,
                                                    std::string_view expected_fingerprint,
                                                    const Person& person) {
  auto body = s.get_json("/v1/devices/" + hex(device_id));
  if (!body) {
    return body.error();
  }
  const auto signing = hub_json::fixed<32>(hub_json::base64(*body, "signing_key"));
  const auto encryption = hub_json::fixed<32>(hub_json::base64(*body, "encryption_key"));
  const auto role_name = hub_json::text(*body, "role").value_or("");
  const auto role = protocol::parse_name<protocol::StaffRole>(role_name);
  if (!signing || !encryption || !role || hub_json::id(*body, "org_id") != s.secrets.org_id) {
    return invalid_answer();
  }
  // The admin compares what the new device shows with what the hub relays: a swapped key or
  // role shows up as another fingerprint.
  if (!same_fingerprint(device_fingerprint(*signing, *encryption, role_name),
                        expected_fingerprint)) {
    return make_error_code(client_errc::fingerprint_mismatch);
  }
  auto staff = staff_id_for(s, person);
  if (!staff) {
    return staff.error();
  }
  auto own = own_certificate(s);
  if (!own) {
    return own.error();
  }
  protocol::DeviceCertificate certificate;
  certificate.org_type = own->org_type;
  certificate.device_id = device_id;
  certificate.staff_id = *staff;
  certificate.role = *role;
  certificate.signing_key = *signing;
  certificate.encryption_key = *encryption;
  return signed_by_organisation(s, std::move(certificate));
}

// `target` with the query that proves the organisation key signed this action now (docs/PROTOCOL.md
// 7.13): the hub refuses an admin change without it, so an admin TLS certificate alone cannot
// act. Query, not headers: the transport has none to spare, and hex needs no escaping.
std::string signed_target(SessionState& s, std::string target, protocol::AdminAction action,
                          const Id& acted_on, std::span<const std::uint8_t> body) {
  protocol::AdminStatement statement;
  statement.org_id = s.secrets.org_id;
  statement.action = action;
  statement.target = acted_on;
  statement.body_hash = protocol::admin_body_hash(body);
  statement.at_ms = static_cast<std::uint64_t>(s.clock.now_ms());
  statement.nonce = protocol::random_id();
  const auto signature = protocol::sign_admin_action(statement, *s.secrets.organisation);
  return std::move(target) + "?admin_at=" + std::to_string(statement.at_ms) +
         "&admin_nonce=" + hex(statement.nonce) + "&admin_signature=" + hex(signature);
}

// Posts `body` to `target` as the organisation key's signed `action` on `acted_on`: the
// signature covers the exact bytes sent.
Result<json::object> post_signed(SessionState& s, const std::string& target,
                                 protocol::AdminAction action, const Id& acted_on,
                                 const json::object& body) {
  const std::string text = json::serialize(body);
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  return s.post_bytes(signed_target(s, target, action, acted_on, bytes), bytes, "application/json");
}

// The seed boxes of a new epoch, one per member, each sealed to the member's verified key once
// its certified role is seen to fit the mailbox's function (docs/PROTOCOL.md 5.1).
Result<json::array> seed_boxes(SessionState& s, const protocol::EpochSeed& seed,
                               const protocol::MailboxEpochCertificate& epoch,
                               const std::vector<Id>& members) {
  json::array boxes;
  for (const Id& member : members) {
    auto certificate = verified_device(s, member);
    if (!certificate) {
      return certificate.error();
    }
    if (!protocol::fits_function(epoch.function, certificate->role)) {
      return make_error_code(client_errc::member_role_mismatch);
    }
    auto box = protocol::seal_seed_to_device(seed, epoch.mailbox_id, epoch.epoch,
                                             certificate->encryption_key);
    if (!box) {
      return box.error();
    }
    boxes.push_back({{"device_id", hex(member)}, {"seed_box", protocol::base64_encode(*box)}});
  }
  return boxes;
}

// Completes `epoch` (the key of `seed`, the members, a fresh window), signs it and posts it to
// `target` with the members' seed boxes and the other fields of `body`. Nothing is posted when
// a member does not fit the function.
Result<protocol::MailboxEpochCertificate> publish_epoch(
    SessionState& s, protocol::MailboxEpochCertificate epoch, const protocol::EpochSeed& seed,
    const std::vector<Id>& members, const std::string& target, protocol::AdminAction action,
    json::object body) {
  epoch.mailbox_key = protocol::mailbox_identity(seed).public_key();
  epoch.members_hash = protocol::members_hash(members);
  protocol::set_default_window(epoch, s.now_seconds());
  epoch = protocol::issue(epoch, *s.secrets.organisation);
  auto boxes = seed_boxes(s, seed, epoch, members);
  if (!boxes) {
    return boxes.error();
  }
  // Recorded before it leaves the device: the admin's monitor knows it as this profile's own
  // (one that never reached the hub is harmless in the record).
  const auto entry = protocol::epoch_certificate_entry(protocol::encode(epoch));
  if (auto noted = s.state.note_own_entry(protocol::merkle::leaf_hash(entry), "made"); !noted) {
    return noted.error();
  }
  body["certificate"] = protocol::base64_encode(protocol::encode(epoch));
  body["members"] = std::move(*boxes);
  if (auto answer = post_signed(s, target, action, epoch.mailbox_id, body); !answer) {
    return answer.error();
  }
  return epoch;
}

// The organisation's mailboxes, verified, for an admin only (not_an_admin).
Result<std::vector<DirectoryMailbox>> admins_mailboxes(SessionState& s) {
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  return verified_mailboxes(s, s.secrets.org_id);
}

// `pending` with what the organisation's own verified certificates say of each claimed person,
// so that the admin compares the claim with the organisation's records, not the hub's word.
Result<std::vector<PendingDevice>> with_claimed_persons(SessionState& s,
                                                        std::vector<PendingDevice> pending) {
  const bool any_claim = std::any_of(pending.begin(), pending.end(),
                                     [](const auto& p) { return p.claimed_person.has_value(); });
  if (!any_claim) {
    return pending;
  }
  auto devices = organisation_devices(s);
  if (!devices) {
    return devices.error();
  }
  for (auto& p : pending) {
    for (const auto& device : *devices) {
      if (p.claimed_person && device.person == *p.claimed_person) {
        p.claimed_person_role = device.role;
        ++p.claimed_person_devices;
      }
    }
  }
  return pending;
}

}  // namespace

Result<void> Administration::request_enrolment(std::optional<Id> claimed_person) {
  const auto& secrets = state_->secrets;
  json::object body{{"signing_key", protocol::base64_encode(secrets.signing.public_key())},
                    {"encryption_key", protocol::base64_encode(secrets.encryption.public_key())}};
  if (claimed_person) {
    body["claimed_staff_id"] = hex(*claimed_person);
  }
  auto answer = state_->post_json("/v1/enrolments", body);
  if (!answer) {
    return answer.error();
  }
  return {};
}

Result<std::vector<PendingDevice>> Administration::pending_enrolments() {
  const auto items = state_->get_list("/v1/enrolments", "enrolments");
  if (!items) {
    return items.error();
  }
  std::vector<PendingDevice> out;
  for (const auto& item : *items) {
    const auto device = hub_json::id(item, "device_id");
    const auto signing = hub_json::fixed<32>(hub_json::base64(item, "signing_key"));
    const auto encryption = hub_json::fixed<32>(hub_json::base64(item, "encryption_key"));
    if (!device || !signing || !encryption) {
      return invalid_answer();
    }
    const auto role = hub_json::text(item, "role").value_or("");
    PendingDevice pending{*device, role, device_fingerprint(*signing, *encryption, role)};
    if (item.contains("claimed_staff_id")) {
      pending.claimed_person = hub_json::id(item, "claimed_staff_id");
      if (!pending.claimed_person) {
        return invalid_answer();
      }
    }
    out.push_back(std::move(pending));
  }
  return with_claimed_persons(*state_, std::move(out));
}

Result<std::vector<OrganisationDevice>> Administration::devices() {
  if (auto admin = state_->require_admin(); !admin) {
    return admin.error();
  }
  return organisation_devices(*state_);
}

Result<void> Administration::approve_enrolment(const Id& device_id,
                                               std::string_view expected_fingerprint,
                                               const Person& person,
                                               const std::vector<Id>& mailboxes) {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin;
  }
  auto certificate = certificate_for(s, device_id, expected_fingerprint, person);
  if (!certificate) {
    return certificate.error();
  }
  const auto bytes = protocol::encode(*certificate);
  auto approved = s.expect_ok(s.hub->post("/v1/enrolments/" + hex(device_id) + "/approve", bytes,
                                          "application/octet-stream"));
  if (!approved) {
    return approved.error();
  }
  // The new device can name pupils only with the organisation's pupil key.
  if (auto sent = client::send_pupil_key(s, device_id); !sent) {
    return sent.error();
  }
  for (const Id& mailbox : mailboxes) {
    auto keys = mailbox_keys(s, mailbox);
    if (!keys) {
      return keys.error();
    }
    auto members = (*keys)->members;
    if (std::find(members.begin(), members.end(), device_id) == members.end()) {
      members.push_back(device_id);
    }
    if (auto rotated = rotate(mailbox, members); !rotated) {
      return rotated.error();
    }
  }
  return {};
}

// Declared in organisation_keys.hpp (the ceremony); it is the admin's certification work.
Result<protocol::DeviceCertificate> certify_self(Session& session) {
  auto& s = session.state();
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  const auto role = protocol::parse_name<protocol::StaffRole>(s.secrets.role);
  if (role != protocol::StaffRole::organisation_admin) {
    return make_error_code(client_errc::not_an_admin);
  }
  // The organisation's type as the operator registered it, with the key this device holds:
  // a certificate for another key or type would be refused by the operator's command anyway.
  auto body = s.get_json("/v1/organisations/" + hex(s.secrets.org_id));
  if (!body) {
    return body.error();
  }
  const auto key = hub_json::fixed<32>(hub_json::base64(*body, "signing_key"));
  const auto type =
      protocol::parse_name<protocol::OrgType>(hub_json::text(*body, "org_type").value_or(""));
  if (!key || !type || hub_json::id(*body, "org_id") != s.secrets.org_id) {
    return invalid_answer();
  }
  if (*key != s.secrets.organisation->public_key()) {
    return make_error_code(organisation_key_errc::mismatch);
  }
  protocol::DeviceCertificate certificate;
  certificate.org_type = *type;
  certificate.device_id = s.secrets.device_id;
  certificate.staff_id = protocol::random_id();  // the organisation's first person
  certificate.role = *role;
  certificate.signing_key = s.secrets.signing.public_key();
  certificate.encryption_key = s.secrets.encryption.public_key();
  return signed_by_organisation(s, std::move(certificate));
}

Result<void> Administration::send_pupil_key(const Id& device_id) {
  return client::send_pupil_key(*state_, device_id);
}

Result<std::vector<Id>> Administration::remove_member(const Id& device_id) {
  auto& s = *state_;
  // Which mailboxes to rotate is read before the removal, while the device still counts.
  auto mailboxes = admins_mailboxes(s);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::vector<std::pair<Id, std::vector<Id>>> rotations;
  for (const auto& mailbox : *mailboxes) {
    auto keys = mailbox_keys(s, mailbox.mailbox_id);
    if (!keys) {
      if (keys.error() == client_errc::not_a_member) {
        continue;
      }
      return keys.error();
    }
    auto members = (*keys)->members;
    const auto it = std::find(members.begin(), members.end(), device_id);
    if (it != members.end()) {
      members.erase(it);
      rotations.emplace_back(mailbox.mailbox_id, std::move(members));
    }
  }
  auto removed =
      s.expect_ok(s.hub->post(signed_target(s, "/v1/devices/" + hex(device_id) + "/remove",
                                            protocol::AdminAction::remove_device, device_id, {}),
                              {}, "application/json"));
  if (!removed) {
    return removed.error();
  }
  std::vector<Id> rotated;
  for (auto& [mailbox, members] : rotations) {
    if (auto done = rotate(mailbox, std::move(members)); !done) {
      return done.error();
    }
    rotated.push_back(mailbox);
  }
  return rotated;
}

Result<std::uint32_t> Administration::rotate(const Id& mailbox_id, std::vector<Id> members) {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  auto keys = mailbox_keys(s, mailbox_id);
  if (!keys) {
    return keys.error();
  }
  const MailboxKeys& current = **keys;
  if (!current.seed) {
    return make_error_code(client_errc::not_a_member);
  }
  if (members.empty()) {
    members = current.members;
  }
  const auto seed = protocol::EpochSeed::random();
  protocol::MailboxEpochCertificate next;
  next.mailbox_id = mailbox_id;
  next.org_id = current.current.org_id;
  next.epoch = current.current.epoch + 1;
  next.function = current.current.function;  // what a mailbox is for does not change
  next.previous_certificate = protocol::certificate_hash(current.current);
  const auto previous = protocol::seal_previous_seed(seed, mailbox_id, next.epoch, *current.seed);
  auto published =
      publish_epoch(s, next, seed, members, "/v1/mailboxes/" + hex(mailbox_id) + "/epochs",
                    protocol::AdminAction::rotate_mailbox,
                    json::object{{"previous_seed_box", protocol::base64_encode(previous)}});
  if (!published) {
    return published.error();
  }
  s.keys.erase(mailbox_id);
  return published->epoch;
}

namespace {

// The mailbox's current members with `device_id` added (`add`) or taken out; nullopt when that
// changes nothing.
Result<std::optional<std::vector<Id>>> members_with(SessionState& s, const Id& mailbox_id,
                                                    const Id& device_id, bool add) {
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  auto keys = mailbox_keys(s, mailbox_id);
  if (!keys) {
    return keys.error();
  }
  auto members = (*keys)->members;
  const auto it = std::find(members.begin(), members.end(), device_id);
  if (add == (it != members.end())) {
    return std::optional<std::vector<Id>>();
  }
  if (add) {
    members.push_back(device_id);
  } else {
    members.erase(it);
  }
  return std::optional(std::move(members));
}

}  // namespace

Result<std::optional<std::uint32_t>> Administration::add_to_mailbox(const Id& mailbox_id,
                                                                    const Id& device_id) {
  return change_membership(mailbox_id, device_id, true);
}

Result<std::optional<std::uint32_t>> Administration::remove_from_mailbox(const Id& mailbox_id,
                                                                         const Id& device_id) {
  return change_membership(mailbox_id, device_id, false);
}

Result<std::optional<std::uint32_t>> Administration::change_membership(const Id& mailbox_id,
                                                                       const Id& device_id,
                                                                       bool add) {
  using Epoch = std::optional<std::uint32_t>;
  auto members = members_with(*state_, mailbox_id, device_id, add);
  if (!members) {
    return members.error();
  }
  if (!*members) {
    return Epoch();
  }
  auto epoch = rotate(mailbox_id, std::move(**members));
  if (!epoch) {
    return epoch.error();
  }
  return Epoch(*epoch);
}

Result<Id> Administration::create_mailbox(std::string_view name, protocol::MailboxFunction function,
                                          std::vector<Id> members) {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  // The admin's own device is always a member: it holds the seed the next rotation needs.
  if (std::find(members.begin(), members.end(), s.secrets.device_id) == members.end()) {
    members.push_back(s.secrets.device_id);
  }
  protocol::MailboxEpochCertificate first;
  first.mailbox_id = protocol::random_id();
  first.org_id = s.secrets.org_id;
  first.function = function;
  auto published =
      publish_epoch(s, first, protocol::EpochSeed::random(), members, "/v1/mailboxes",
                    protocol::AdminAction::create_mailbox, json::object{{"name", name}});
  if (!published) {
    return published.error();
  }
  return published->mailbox_id;
}

Result<void> Administration::rename_mailbox(const Id& mailbox_id, std::string_view name) {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin;
  }
  // Names reach every organisation's directory listing: an unsafe one is never signed.
  if (!protocol::is_display_safe(name)) {
    return make_error_code(client_errc::name_unsafe);
  }
  auto renamed =
      post_signed(s, "/v1/mailboxes/" + hex(mailbox_id) + "/name",
                  protocol::AdminAction::rename_mailbox, mailbox_id, json::object{{"name", name}});
  if (!renamed) {
    return renamed.error();
  }
  return {};
}

Result<std::vector<Id>> Administration::renew_expiring() {
  auto& s = *state_;
  auto mailboxes = admins_mailboxes(s);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::vector<Id> renewed;
  for (const auto& mailbox : *mailboxes) {
    if (mailbox.valid_until > s.now_seconds() + protocol::kEpochRenewalSeconds) {
      continue;
    }
    auto rotated = rotate(mailbox.mailbox_id);
    if (!rotated && rotated.error() != client_errc::not_a_member) {
      return rotated.error();
    }
    if (rotated) {
      renewed.push_back(mailbox.mailbox_id);
    }
  }
  return renewed;
}

Result<protocol::age::X25519Identity> Administration::export_mailbox_key(const Id& mailbox_id,
                                                                         std::uint32_t epoch) {
  auto keys = mailbox_keys(*state_, mailbox_id);
  if (!keys) {
    return keys.error();
  }
  const auto* identity = (*keys)->keyring.find(mailbox_id, epoch);
  if (identity == nullptr) {
    return make_error_code(client_errc::not_a_member);
  }
  return protocol::age::X25519Identity::from_secret(
      protocol::SecretKey<32>::copy_of(identity->secret().expose()));
}

}  // namespace draaischijf::client
