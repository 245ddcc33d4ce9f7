#include <algorithm>
#include <cctype>

#include <draaischijf/client/directory.hpp>
#include <draaischijf/client/profile.hpp>
#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "directory_log.hpp"
#include "hub_json.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

using protocol::Id;
using protocol::Result;

// Parses and verifies one epoch certificate of `mailbox_id` against the pinned key.
Result<protocol::MailboxEpochCertificate> verified_epoch(detail::SessionState& s,
                                                         std::span<const std::uint8_t> bytes,
                                                         const Id& mailbox_id,
                                                         std::uint32_t epoch) {
  auto certificate = protocol::parse_epoch_certificate(bytes);
  if (!certificate) {
    return tampered();
  }
  auto key = pinned_key(s, certificate->org_id);
  if (!key) {
    return key.error();
  }
  if (certificate->mailbox_id != mailbox_id || certificate->epoch != epoch ||
      !protocol::verify(*certificate, *key)) {
    return tampered();
  }
  // Used only once the directory log holds the key that signed it and the certificate itself:
  // what one device is shown, every monitor of the organisation can see (docs/TRANSPARENCY.md).
  if (auto logged = require_logged_organisation(s, certificate->org_id, *key); !logged) {
    return logged.error();
  }
  if (auto logged = require_logged_entry(s, protocol::epoch_certificate_entry(bytes)); !logged) {
    return logged.error();
  }
  return certificate;
}

// The member list of an epoch answer, as ids.
Result<std::vector<Id>> members_of(const boost::json::array& items) {
  std::vector<Id> members;
  for (const auto& item : items) {
    const auto member = item.is_string() ? hub_json::parse_id(item.as_string()) : std::nullopt;
    if (!member) {
      return invalid_answer();
    }
    members.push_back(*member);
  }
  return members;
}

// Where a walk down a mailbox's epochs is: the epoch after the one being looked at, with its
// seed when this device could open it and the box of the seed before it.
struct EpochWalk {
  const Id& mailbox_id;
  MailboxKeys& result;
  std::optional<protocol::EpochSeed> seed;
  std::optional<protocol::MailboxEpochCertificate> later;
  std::vector<std::uint8_t> later_previous_box;
};

// One step of the walk: fetches and verifies `epoch` (its certificate, its link to the later
// one, its member list) and opens its seed, from the later seed's previous-seed box or from
// this device's own seed box.
Result<void> walk_epoch(detail::SessionState& s, EpochWalk& walk, std::uint32_t epoch) {
  const Id& mailbox_id = walk.mailbox_id;
  auto body = s.get_json("/v1/mailboxes/" + hex(mailbox_id) + "/epochs/" + std::to_string(epoch));
  if (!body) {
    if (body.error() == client_errc::hub_refused && s.problem.status == 404 && !walk.later) {
      return make_error_code(client_errc::not_a_member);
    }
    return body.error();
  }
  const auto bytes = hub_json::base64(*body, "certificate");
  const auto* member_objects = body->if_contains("members");
  if (!bytes || member_objects == nullptr || !member_objects->is_array()) {
    return invalid_answer();
  }
  auto certificate = verified_epoch(s, *bytes, mailbox_id, epoch);
  if (!certificate) {
    return certificate.error();
  }
  if (walk.later ? !protocol::verify_succession(*certificate, *walk.later)
                 : protocol::encode(*certificate) != protocol::encode(walk.result.current)) {
    return tampered();
  }
  auto members = members_of(member_objects->as_array());
  if (!members) {
    return members.error();
  }
  if (protocol::members_hash(*members) != certificate->members_hash) {
    return tampered();  // the hub added or dropped a member
  }
  std::optional<protocol::EpochSeed> this_seed;
  if (walk.seed) {
    auto previous = protocol::open_previous_seed(walk.later_previous_box, *walk.seed, *walk.later,
                                                 *certificate);
    if (!previous) {
      return tampered();
    }
    this_seed = std::move(*previous);
  } else if (const auto box = hub_json::base64(*body, "seed_box")) {
    auto opened = protocol::open_seed_box(*box, s.secrets.encryption, *certificate);
    if (!opened) {
      return tampered();
    }
    this_seed = std::move(*opened);
  }
  const bool current = epoch == walk.result.current.epoch;
  if (current) {
    walk.result.members = std::move(*members);
  }
  if (this_seed) {
    walk.result.keyring.add(mailbox_id, epoch, protocol::mailbox_identity(*this_seed));
    if (current) {
      walk.result.seed = protocol::EpochSeed::copy_of(this_seed->expose());
    }
  }
  walk.seed = std::move(this_seed);
  walk.later = std::move(*certificate);
  walk.later_previous_box =
      hub_json::base64(*body, "previous_seed_box").value_or(std::vector<std::uint8_t>{});
  return {};
}

}  // namespace

Result<protocol::SigningPublicKey> pinned_key(detail::SessionState& s, const Id& org_id) {
  if (s.trust.removal(org_id) != nullptr) {
    return make_error_code(client_errc::organisation_removed);  // before "not pinned": say why
  }
  const auto* organisation = s.trust.find(org_id);
  if (organisation == nullptr) {
    return make_error_code(client_errc::untrusted_organisation);
  }
  return organisation->key;
}

Result<protocol::DeviceCertificate> verified_device(detail::SessionState& s, const Id& device_id) {
  auto body = s.get_json("/v1/devices/" + hex(device_id));
  if (!body) {
    return body.error();
  }
  const auto bytes = hub_json::base64(*body, "certificate");
  if (!bytes) {
    return tampered();  // an unsigned device is never used
  }
  auto certificate = protocol::parse_device_certificate(*bytes);
  if (!certificate) {
    return tampered();
  }
  auto key = pinned_key(s, certificate->org_id);
  if (!key) {
    return key.error();
  }
  // The JSON around the certificate must say what the certificate says.
  const bool consistent =
      certificate->device_id == device_id && hub_json::id(*body, "org_id") == certificate->org_id &&
      hub_json::fixed<32>(hub_json::base64(*body, "signing_key")) == certificate->signing_key &&
      hub_json::fixed<32>(hub_json::base64(*body, "encryption_key")) == certificate->encryption_key;
  if (!consistent || !protocol::verify(*certificate, *key, s.now_seconds())) {
    return tampered();
  }
  // Relied on (sealed to as an epoch member, trusted as a signer) only once the directory log
  // holds the approval (kind 4) and the key that signed it, as for epochs: a device the hub
  // shows one client is a device every monitor of the organisation sees.
  if (auto logged = require_logged_organisation(s, certificate->org_id, *key); !logged) {
    return logged.error();
  }
  if (auto logged = require_logged_entry(s, protocol::device_certificate_entry(*bytes)); !logged) {
    return logged.error();
  }
  return certificate;
}

Result<protocol::DeviceCertificate> own_certificate(detail::SessionState& s) {
  if (!s.own) {
    auto certificate = verified_device(s, s.secrets.device_id);
    if (!certificate) {
      return certificate.error();
    }
    s.own = *certificate;
  }
  return *s.own;
}

Result<std::pair<protocol::MailboxEpochCertificate, bool>> current_epoch(detail::SessionState& s,
                                                                         const Id& mailbox_id) {
  auto body = s.get_json("/v1/mailboxes/" + hex(mailbox_id));
  if (!body) {
    if (body.error() == client_errc::hub_refused && s.problem.status == 404) {
      return make_error_code(client_errc::unknown_mailbox);
    }
    return body.error();
  }
  const auto epoch = hub_json::count(*body, "epoch");
  const auto bytes = hub_json::base64(*body, "certificate");
  const auto accepting = hub_json::flag(*body, "accepting");
  if (!epoch || !bytes || !accepting || *epoch > UINT32_MAX) {
    return invalid_answer();
  }
  auto certificate = verified_epoch(s, *bytes, mailbox_id, static_cast<std::uint32_t>(*epoch));
  if (!certificate) {
    return certificate.error();
  }
  if (hub_json::id(*body, "org_id") != certificate->org_id) {
    return tampered();
  }
  auto fresh = s.state.observe_epoch(mailbox_id, certificate->epoch);
  if (!fresh) {
    return fresh.error();
  }
  if (!*fresh) {
    return tampered();  // the hub rolled the mailbox back to an older epoch
  }
  return std::pair{std::move(*certificate), *accepting};
}

// Walks the mailbox's epochs from the current one back to the first, verifying every
// certificate and link, opening this device's seed box where it has one and the previous-seed
// chain from there (docs/PROTOCOL.md 6).
Result<std::shared_ptr<MailboxKeys>> mailbox_keys(detail::SessionState& s, const Id& mailbox_id) {
  if (const auto cached = s.keys.find(mailbox_id); cached != s.keys.end()) {
    return cached->second;
  }
  auto current = current_epoch(s, mailbox_id);
  if (!current) {
    return current.error();
  }
  auto result = std::make_shared<MailboxKeys>();
  result->current = current->first;
  EpochWalk walk{mailbox_id, *result, std::nullopt, std::nullopt, {}};
  for (std::int64_t e = result->current.epoch; e >= 0; --e) {
    if (auto walked = walk_epoch(s, walk, static_cast<std::uint32_t>(e)); !walked) {
      return walked.error();
    }
  }
  if (!result->keyring.holds_mailbox(mailbox_id)) {
    return make_error_code(client_errc::not_a_member);
  }
  s.keys[mailbox_id] = result;
  return result;
}

Result<std::vector<DirectoryMailbox>> verified_mailboxes(detail::SessionState& s,
                                                         const Id& org_id) {
  const auto items = s.get_list("/v1/organisations/" + hex(org_id) + "/mailboxes", "mailboxes");
  if (!items) {
    return items.error();
  }
  std::vector<DirectoryMailbox> out;
  for (const auto& item : *items) {
    const auto id = hub_json::id(item, "mailbox_id");
    const auto name = hub_json::text(item, "name");
    const auto bytes = hub_json::base64(item, "certificate");
    const auto epoch = hub_json::count(item, "epoch");
    if (!id || !name || !bytes || !epoch || *epoch > UINT32_MAX) {
      return invalid_answer();
    }
    auto certificate = verified_epoch(s, *bytes, *id, static_cast<std::uint32_t>(*epoch));
    if (!certificate) {
      return certificate.error();
    }
    if (certificate->org_id != org_id) {
      return tampered();
    }
    // The hub's word that the mailbox takes messages, and the certificate's own window by this
    // device's clock: a hub that lists an expired epoch as open is not believed.
    const bool in_window =
        protocol::check_window(*certificate, static_cast<std::uint64_t>(s.clock.now_ms() / 1000))
            .has_value();
    out.push_back({*id, org_id, *name, certificate->epoch,
                   hub_json::flag(item, "accepting").value_or(false) && in_window,
                   certificate->function, certificate->not_after});
  }
  return out;
}

Result<protocol::OpenedEnvelope> open_stored(detail::SessionState& s, const StoredMessage& m) {
  auto mailbox = mailbox_keys(s, m.mailbox_id);
  if (!mailbox) {
    return mailbox.error();
  }
  return protocol::open(m.envelope, (*mailbox)->keyring, s.trust.store());
}

// --- Directory -----------------------------------------------------------------------------------

namespace {

// A query value percent-encoded (RFC 3986 unreserved characters stay as they are).
std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4U];
      out += kHex[byte & 15U];
    }
  }
  return out;
}

std::string query_of(const DirectoryFilter& filter) {
  std::string query;
  for (const auto& [key, value] :
       {std::pair{"type", &filter.type}, std::pair{"province", &filter.province},
        std::pair{"municipality", &filter.municipality}, std::pair{"offer", &filter.offer}}) {
    if (!value->empty()) {
      query += (query.empty() ? "?" : "&") + std::string(key) + "=" + percent_encoded(*value);
    }
  }
  return query;
}

// The bundle this device imported last, verified again under the pinned operator key and
// with the sequence the trust file recorded; nullopt when there is none (or it is not that
// one: an import whose trust file was not written).
std::optional<protocol::DirectoryBundle> signed_directory(const detail::SessionState& s) {
  const auto& operator_key = s.trust.policy_key();
  const auto sequence = s.trust.bundle_sequence();
  if (!operator_key || !sequence) {
    return std::nullopt;
  }
  const auto text = read_small_file(s.profile.directory_bundle());
  if (!text) {
    return std::nullopt;
  }
  auto opened = protocol::open_directory_bundle(
      {reinterpret_cast<const std::uint8_t*>(text->data()), text->size()}, *operator_key);
  if (!opened || opened->sequence != *sequence) {
    return std::nullopt;
  }
  return std::move(*opened);
}

// Region, offers and CLB as the operator signed them for `out`, when the bundle lists it.
void take_signed_region(const protocol::DirectoryBundle& bundle, DirectoryOrganisation& out) {
  for (const auto& o : bundle.organisations) {
    if (o.org_id != out.org_id) {
      continue;
    }
    out.province = o.province ? std::string(protocol::name_of(*o.province)) : std::string();
    out.municipality = o.municipality;
    out.offers.clear();
    for (const auto offer : o.offers) {
      out.offers.emplace_back(protocol::name_of(offer));
    }
    out.clb = o.clb;
    out.region_signed = true;
    return;
  }
}

Result<DirectoryOrganisation> organisation_of(
    const detail::SessionState& s, const boost::json::object& item,
    const std::optional<protocol::DirectoryBundle>& bundle) {
  const auto id = hub_json::id(item, "org_id");
  const auto key = hub_json::fixed<32>(hub_json::base64(item, "signing_key"));
  if (!id || !key) {
    return invalid_answer();
  }
  const auto* pinned = s.trust.find(*id);
  DirectoryOrganisation out{*id,
                            hub_json::text(item, "org_type").value_or(""),
                            hub_json::text(item, "name").value_or(""),
                            pinned != nullptr && pinned->key == *key,
                            fingerprint(*key),
                            hub_json::text(item, "province").value_or(""),
                            hub_json::text(item, "municipality").value_or(""),
                            hub_json::texts(item, "offers").value_or(std::vector<std::string>{}),
                            hub_json::id(item, "clb_org_id")};
  if (bundle) {
    take_signed_region(*bundle, out);
  }
  return out;
}

// The search, on the data the client shows (signed where the bundle has it).
bool matches(const DirectoryFilter& filter, const DirectoryOrganisation& o) {
  return (filter.type.empty() || filter.type == o.type) &&
         (filter.province.empty() || filter.province == o.province) &&
         (filter.municipality.empty() ||
          protocol::same_municipality(filter.municipality, o.municipality)) &&
         (filter.offer.empty() ||
          std::find(o.offers.begin(), o.offers.end(), filter.offer) != o.offers.end());
}

}  // namespace

Result<std::vector<DirectoryOrganisation>> Directory::organisations(const DirectoryFilter& filter) {
  // With a signed bundle the search runs here, on the signed region and offers: a hub that
  // filters by its own word could hide a partner or slip one in. A value outside the
  // vocabulary still goes to the hub, which refuses it as it always did.
  const auto bundle = signed_directory(*state_);
  DirectoryFilter at_hub = filter;
  if (bundle) {
    if (protocol::parse_name<protocol::Province>(filter.province)) {
      at_hub.province.clear();
    }
    if (protocol::parse_name<protocol::Offer>(filter.offer)) {
      at_hub.offer.clear();
    }
    if (protocol::is_valid_municipality(filter.municipality)) {
      at_hub.municipality.clear();
    }
  }
  const auto items = state_->get_list("/v1/organisations" + query_of(at_hub), "organisations");
  if (!items) {
    return items.error();
  }
  std::vector<DirectoryOrganisation> out;
  for (const auto& item : *items) {
    auto organisation = organisation_of(*state_, item, bundle);
    if (!organisation) {
      return organisation.error();
    }
    if (!bundle || matches(filter, *organisation)) {
      out.push_back(std::move(*organisation));
    }
  }
  return out;
}

Result<Id> Directory::signaal_mailbox() {
  auto body = state_->get_json("/v1/organisations/" + hex(state_->secrets.org_id));
  if (!body) {
    return body.error();
  }
  auto own = organisation_of(*state_, *body, signed_directory(*state_));
  if (!own) {
    return own.error();
  }
  if (!own->clb) {
    return make_error_code(client_errc::no_clb_recorded);
  }
  // The hub names the CLB, but only a CLB whose key this device pinned is used, and only a
  // mailbox that CLB itself signed for its onthaal: a hub that names another organisation can
  // at worst pick another pinned CLB, never a mailbox of its own making.
  if (auto key = pinned_key(*state_, *own->clb); !key) {
    return key.error();
  }
  auto mailboxes = verified_mailboxes(*state_, *own->clb);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::optional<Id> found;
  for (const auto& m : *mailboxes) {
    if (m.accepting && m.function == protocol::StaffRole::clb_onthaal) {
      if (found) {
        return make_error_code(client_errc::no_intake_mailbox);  // which one is for a person
      }
      found = m.mailbox_id;
    }
  }
  if (!found) {
    return make_error_code(client_errc::no_intake_mailbox);
  }
  return *found;
}

Result<std::vector<DirectoryMailbox>> Directory::mailboxes(const Id& org) {
  return verified_mailboxes(*state_, org);
}

Result<protocol::DeviceCertificate> Directory::device_certificate(const Id& device_id) {
  return verified_device(*state_, device_id);
}

Result<protocol::MailboxEpochCertificate> Directory::mailbox_certificate(const Id& mailbox_id) {
  auto certificate = current_epoch(*state_, mailbox_id);
  if (!certificate) {
    return certificate.error();
  }
  return std::move(certificate->first);
}

Result<void> Directory::pin_organisation(const Id& org_id, std::string_view expected_fingerprint,
                                         PinMode mode) {
  auto body = state_->get_json("/v1/organisations/" + hex(org_id));
  if (!body) {
    return body.error();
  }
  const auto key = hub_json::fixed<32>(hub_json::base64(*body, "signing_key"));
  if (!key || hub_json::id(*body, "org_id") != org_id) {
    return invalid_answer();
  }
  if (!same_fingerprint(fingerprint(*key), expected_fingerprint)) {
    return make_error_code(client_errc::fingerprint_mismatch);
  }
  // A key taken from the hub is pinned only when the directory log holds it.
  if (auto logged = require_logged_organisation(
          *state_, org_id, *key,
          protocol::parse_name<protocol::OrgType>(hub_json::text(*body, "org_type").value_or("")));
      !logged) {
    return logged.error();
  }
  TrustFile changed = state_->trust;
  TrustedOrganisation organisation{org_id, *key, hub_json::text(*body, "name").value_or("")};
  auto pinned = mode == PinMode::replace_existing ? changed.replace(std::move(organisation))
                                                  : changed.pin(std::move(organisation));
  if (!pinned) {
    return pinned.error();
  }
  return state_->commit_trust(std::move(changed));
}

Result<void> Directory::pin_policy_key(const protocol::SigningPublicKey& key, PinMode mode) {
  if (const auto& pinned = state_->trust.policy_key();
      pinned && *pinned != key && mode != PinMode::replace_existing) {
    return make_error_code(client_errc::already_pinned);
  }
  TrustFile changed = state_->trust;
  changed.set_policy_key(key);
  if (auto committed = state_->commit_trust(std::move(changed)); !committed) {
    return committed;  // the old key stays, in the file and in memory
  }
  state_->policies.forget();  // loaded again, under the new key
  return {};
}

Result<BundlePlan> Directory::check_bundle(std::span<const std::uint8_t> bundle) {
  return plan_bundle_import(state_->trust, bundle);
}

Result<void> Directory::import_bundle(const BundlePlan& plan, bool accept_changes) {
  auto changed = apply_bundle_import(state_->trust, plan, accept_changes);
  if (!changed) {
    return changed.error();
  }
  // The bundle first: until the trust file records its sequence it is not used.
  if (auto kept = write_file_atomically(
          state_->profile.directory_bundle(),
          {reinterpret_cast<const char*>(plan.bytes.data()), plan.bytes.size()});
      !kept) {
    return kept.error();
  }
  return state_->commit_trust(std::move(*changed));
}

}  // namespace draaischijf::client
