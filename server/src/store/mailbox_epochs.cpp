// Mailbox creation and rotation: the epoch certificate checked against the organisation's key
// and the chain, the members checked against the directory, then stored with the audit row.

#include <algorithm>

#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "store/directory_lookups.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server::detail {
namespace {

using protocol::Id;
using Db = sqlite::Database;
using Void = sqlite::Result<void>;

// The organisation's signature, the window (an epoch is stored only while it may be sealed
// to) and the epoch's place in the chain.
sqlite::Result<protocol::MailboxEpochCertificate> check_certificate(Db& db, const Actor& admin,
                                                                    const EpochChange& change,
                                                                    const Mailbox* current,
                                                                    std::int64_t at_ms) {
  auto certificate = protocol::parse_epoch_certificate(change.certificate);
  auto organisation = organisation_in(db, admin.org_id);
  if (!organisation) {
    return organisation.error();
  }
  if (!certificate || !protocol::verify(*certificate, organisation->signing_key)) {
    return make_error_code(directory_errc::certificate_invalid);
  }
  if (!protocol::check_window(*certificate, static_cast<std::uint64_t>(at_ms / 1000))) {
    return make_error_code(directory_errc::epoch_outside_window);
  }
  if (certificate->org_id != admin.org_id || certificate->mailbox_id != change.mailbox_id) {
    return make_error_code(directory_errc::certificate_mismatch);
  }
  if (current == nullptr) {
    if (certificate->previous_certificate != protocol::Hash256{}) {
      return make_error_code(directory_errc::epoch_not_next);
    }
  } else {
    auto previous = protocol::parse_epoch_certificate(current->certificate);
    if (!previous || !protocol::verify_succession(*previous, *certificate)) {
      return make_error_code(directory_errc::epoch_not_next);
    }
    if (change.previous_seed_box.size() != protocol::kPreviousSeedBoxSize) {
      return make_error_code(directory_errc::seed_box_invalid);
    }
  }
  return *certificate;
}

// One member: an enrolled device of the organisation whose certified role fits the mailbox's
// function (docs/PROTOCOL.md 5.1), so a name cannot make onthaal devices a psychologist's box.
Void check_member(Db& db, const Actor& admin, const protocol::MailboxFunction& function,
                  const MemberSeedBox& member) {
  if (member.seed_box.size() != protocol::kSeedBoxSize) {
    return make_error_code(directory_errc::seed_box_invalid);
  }
  auto device = device_in(db, member.device_id);
  if (!device && device.error() != directory_errc::not_found) {
    return device.error();
  }
  if (!device || device->org_id != admin.org_id || device->state != DeviceState::enrolled) {
    return make_error_code(directory_errc::member_not_enrolled);
  }
  // The role an enrolled device has is the one its approved certificate certifies.
  const auto role = protocol::parse_name<protocol::StaffRole>(device->role);
  if (!role || !protocol::fits_function(function, *role)) {
    return make_error_code(directory_errc::member_role_mismatch);
  }
  return {};
}

// The certificate, then the members: each listed once with a seed box and fitting the
// function, hashing to the certificate.
sqlite::Result<protocol::MailboxEpochCertificate> check_epoch(Db& db, const Actor& admin,
                                                              const EpochChange& change,
                                                              const Mailbox* current,
                                                              std::int64_t at_ms) {
  auto certificate = check_certificate(db, admin, change, current, at_ms);
  if (!certificate) {
    return certificate.error();
  }
  std::vector<Id> ids;
  for (const MemberSeedBox& member : change.members) {
    if (std::find(ids.begin(), ids.end(), member.device_id) != ids.end()) {
      return make_error_code(directory_errc::members_mismatch);
    }
    if (auto fits = check_member(db, admin, certificate->function, member); !fits) {
      return fits.error();
    }
    ids.push_back(member.device_id);
  }
  if (ids.empty() || protocol::members_hash(ids) != certificate->members_hash) {
    return make_error_code(directory_errc::members_mismatch);
  }
  return certificate;
}

Void store_epoch(Db& db, const EpochChange& change, std::uint32_t epoch, std::int64_t at_ms) {
  auto insert = db.prepare(
      "INSERT INTO mailbox_epochs (mailbox_id, epoch, certificate, previous_seed_box, "
      "created_at_ms) VALUES (?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  insert->bind(1, change.mailbox_id)
      .bind(2, static_cast<std::int64_t>(epoch))
      .bind(3, change.certificate)
      .bind(4, change.previous_seed_box)
      .bind(5, at_ms);
  if (auto inserted = insert->run(); !inserted) {
    return inserted;
  }
  // Every epoch certificate the hub hands out is in the directory log (same transaction).
  if (auto logged = append_log_entry(db, LogId::directory,
                                     protocol::epoch_certificate_entry(change.certificate), at_ms);
      !logged) {
    return logged.error();
  }
  auto member = db.prepare(
      "INSERT INTO mailbox_members (mailbox_id, epoch, device_id, seed_box) VALUES (?, ?, ?, ?)");
  if (!member) {
    return member.error();
  }
  for (const MemberSeedBox& m : change.members) {
    member->bind(1, change.mailbox_id)
        .bind(2, static_cast<std::int64_t>(epoch))
        .bind(3, m.device_id)
        .bind(4, m.seed_box);
    if (auto inserted = member->run(); !inserted) {
      return inserted;
    }
    member->reset();
  }
  return {};
}

}  // namespace

// Names are shown to people in other organisations and written into their trust files: valid
// UTF-8 without control, C1, bidi or line-separator characters (protocol/display_text.hpp).
bool is_good_name(std::string_view name) {
  return !name.empty() && name.size() <= 200 && protocol::is_display_safe(name);
}

Void change_mailbox_in(Db& db, const Actor& admin, const EpochChange& change, std::int64_t at_ms) {
  auto current = mailbox_in(db, change.mailbox_id);
  if (!current && current.error() != directory_errc::not_found) {
    return current.error();
  }
  const bool creating = !change.name.empty();
  if (creating && current) {
    return make_error_code(directory_errc::mailbox_exists);
  }
  if (!creating && (!current || current->org_id != admin.org_id)) {
    return make_error_code(directory_errc::not_found);  // another organisation's looks missing
  }
  if (creating && !is_good_name(change.name)) {
    return make_error_code(directory_errc::name_invalid);
  }
  auto certificate = check_epoch(db, admin, change, creating ? nullptr : &*current, at_ms);
  if (!certificate) {
    return certificate.error();
  }
  if (creating) {
    auto insert = db.prepare(
        "INSERT INTO mailboxes (mailbox_id, org_id, name, current_epoch, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert) {
      return insert.error();
    }
    insert->bind(1, change.mailbox_id)
        .bind(2, admin.org_id)
        .bind(3, change.name)
        .bind(4, static_cast<std::int64_t>(certificate->epoch))
        .bind(5, at_ms);
    if (auto inserted = insert->run(); !inserted) {
      return inserted;
    }
  }
  if (auto stored = store_epoch(db, change, certificate->epoch, at_ms); !stored) {
    return stored;
  }
  if (!creating) {
    auto update = db.prepare(
        "UPDATE mailboxes SET current_epoch = ?, needs_rotation = 0 WHERE mailbox_id = ?");
    if (!update) {
      return update.error();
    }
    update->bind(1, static_cast<std::int64_t>(certificate->epoch)).bind(2, change.mailbox_id);
    if (auto updated = update->run(); !updated) {
      return updated;
    }
  }
  return rows::insert_audit(db, at_ms, creating ? "mailbox.created" : "mailbox.rotated",
                            admin.org_id, admin.device_id, change.mailbox_id,
                            "epoch=" + std::to_string(certificate->epoch) +
                                " members=" + std::to_string(change.members.size()));
}

}  // namespace draaischijf::server::detail
