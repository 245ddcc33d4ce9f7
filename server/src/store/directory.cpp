#include <algorithm>

#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/operator_enrolment.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "store/directory_lookups.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using Db = sqlite::Database;
using Void = sqlite::Result<void>;
using detail::change_mailbox_in;
using detail::device_in;
using detail::is_good_name;
using detail::mailbox_in;
using detail::organisation_in;

const char* describe(int value) noexcept {
  switch (static_cast<directory_errc>(value)) {
    case directory_errc::not_found:
      return "no such object for this organisation";
    case directory_errc::organisation_exists:
      return "the organisation exists already";
    case directory_errc::device_exists:
      return "the device is known already with other keys";
    case directory_errc::not_pending:
      return "the device is not waiting for approval";
    case directory_errc::certificate_invalid:
      return "the certificate does not verify against the organisation key";
    case directory_errc::certificate_mismatch:
      return "the certificate does not certify what was asked";
    case directory_errc::mailbox_exists:
      return "the mailbox exists already";
    case directory_errc::epoch_not_next:
      return "the epoch does not follow the mailbox's current epoch";
    case directory_errc::members_mismatch:
      return "the members do not match the certificate's members hash";
    case directory_errc::member_not_enrolled:
      return "a member is not an enrolled device of the organisation";
    case directory_errc::seed_box_invalid:
      return "a seed box is missing or malformed";
    case directory_errc::name_invalid:
      return "the name is empty, longer than 200 bytes or not clean UTF-8";
    case directory_errc::epoch_outside_window:
      return "the epoch certificate is not valid now";
    case directory_errc::member_role_mismatch:
      return "a member's role does not fit the mailbox's function";
    case directory_errc::action_replayed:
      return "this signed admin action was used already";
    case directory_errc::offer_not_allowed:
      return "the organisation's type may not list this offer";
    case directory_errc::clb_invalid:
      return "only a school names a CLB, and only an organisation of type clb can be named";
    case directory_errc::municipality_invalid:
      return "the municipality is empty, longer than 100 bytes or not display-safe UTF-8";
    case directory_errc::person_role_conflict:
      return "this staff id is certified with another role on an enrolled device: one person "
             "has one role";
    case directory_errc::person_id_conflict:
      return "the device claims to be an enrolled person, but the certificate names another "
             "staff id: one person has one staff id";
    case directory_errc::organisation_removed:
      return "the organisation was removed from the hub; its id is never used again";
  }
  return "unknown directory error";
}

constexpr std::string_view kStates[] = {"pending", "enrolled", "removed"};

DeviceState state_from(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kStates); ++i) {
    if (kStates[i] == text) {
      return static_cast<DeviceState>(i);
    }
  }
  return DeviceState::removed;  // an unknown state grants nothing
}

std::vector<std::uint8_t> blob(const sqlite::Statement& row, int column) {
  const auto bytes = row.column_blob(column);
  return {bytes.begin(), bytes.end()};
}

Organisation organisation_from(const sqlite::Statement& row) {
  Organisation o{
      rows::fixed<16>(row.column_blob(0)),
      protocol::parse_name<protocol::OrgType>(row.column_text(1)).value_or(protocol::OrgType::clb),
      row.column_text(2), rows::fixed<32>(row.column_blob(3))};
  detail::read_profile(row, 4, o);
  if (!row.column_is_null(8)) {
    o.removed_at_ms = row.column_int64(8);
  }
  return o;
}
const std::string kOrganisationColumns =
    "org_id, org_type, name, signing_key, " + std::string(detail::kProfileColumns) +
    ", (SELECT r.removed_at_ms FROM organisation_removals r WHERE r.org_id = "
    "organisations.org_id)";

std::optional<Id> claim_from(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != Id{}.size()) {
    return std::nullopt;  // no claim (the column is NULL)
  }
  return rows::fixed<16>(bytes);
}

Device device_from(const sqlite::Statement& row) {
  return {rows::fixed<16>(row.column_blob(0)),
          rows::fixed<16>(row.column_blob(1)),
          row.column_text(2),
          state_from(row.column_text(3)),
          rows::fixed<32>(row.column_blob(4)),
          rows::fixed<32>(row.column_blob(5)),
          rows::fixed<16>(row.column_blob(6)),
          blob(row, 7),
          row.column_int64(8),
          claim_from(row.column_blob(9))};
}
constexpr std::string_view kDeviceColumns =
    "device_id, org_id, role, state, signing_key, encryption_key, staff_id, "
    "coalesce(certificate, x''), requested_at_ms, coalesce(claimed_staff_id, x'')";

Mailbox mailbox_from(const sqlite::Statement& row) {
  return {rows::fixed<16>(row.column_blob(0)),
          rows::fixed<16>(row.column_blob(1)),
          row.column_text(2),
          static_cast<std::uint32_t>(row.column_int64(3)),
          blob(row, 4),
          row.column_int64(5),
          row.column_int64(6) != 0};
}
constexpr std::string_view kMailboxColumns =
    "m.mailbox_id, m.org_id, m.name, m.current_epoch, e.certificate, m.queued_bytes, "
    "m.needs_rotation";
constexpr std::string_view kMailboxJoin =
    " FROM mailboxes m JOIN mailbox_epochs e ON e.mailbox_id = m.mailbox_id AND "
    "e.epoch = m.current_epoch";

// One row by key, or not_found.
template <class T, class Bind>
sqlite::Result<T> one(Db& db, const std::string& sql, Bind&& bind,
                      T (*from)(const sqlite::Statement&)) {
  auto select = db.prepare(sql);
  if (!select) {
    return select.error();
  }
  bind(*select);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return make_error_code(directory_errc::not_found);
  }
  return from(*select);
}

template <class T, class Bind>
sqlite::Result<std::vector<T>> all(Db& db, const std::string& sql, Bind&& bind,
                                   T (*from)(const sqlite::Statement&)) {
  return rows::select_all<T>(db, sql, std::forward<Bind>(bind), from);
}

// The roles of the organisation's enrolled devices certified for `staff_id`.
sqlite::Result<std::vector<std::string>> roles_of_person(Db& db, const Id& org_id,
                                                         const Id& staff_id) {
  auto select = db.prepare(
      "SELECT DISTINCT role FROM devices WHERE org_id = ? AND staff_id = ? AND "
      "state = 'enrolled'");
  if (!select) {
    return select.error();
  }
  select->bind(1, org_id).bind(2, staff_id);
  std::vector<std::string> roles;
  if (auto stepped = rows::for_each_row(
          *select, [&](const sqlite::Statement& r) { roles.push_back(r.column_text(0)); });
      !stepped) {
    return stepped.error();
  }
  return roles;
}

// One person, one staff id, one role (four-eyes and the audit log count persons by staff id):
// a staff id already certified on an enrolled device keeps its role, and a device that claimed
// to be an enrolled person is certified as that person or not at all (the admin may refuse the
// request; certifying it as someone new would give one human two ids).
Void check_one_person(Db& db, const Device& device,
                      const protocol::DeviceCertificate& certificate) {
  auto roles = roles_of_person(db, device.org_id, certificate.staff_id);
  if (!roles) {
    return roles.error();
  }
  const auto role = protocol::name_of(certificate.role);
  if (std::any_of(roles->begin(), roles->end(), [&](const auto& r) { return r != role; })) {
    return make_error_code(directory_errc::person_role_conflict);
  }
  if (!device.claimed_staff_id || *device.claimed_staff_id == certificate.staff_id) {
    return {};
  }
  auto claimed = roles_of_person(db, device.org_id, *device.claimed_staff_id);
  if (!claimed) {
    return claimed.error();
  }
  // A claim naming nobody enrolled binds nothing: the admin certifies a new person.
  return claimed->empty() ? Void() : make_error_code(directory_errc::person_id_conflict);
}

// `admin` approves a pending device with its end-to-end certificate; the hub operator (no
// device) is the admin for an organisation's first admin device, `event` says which.
Void approve_in(Db& db, const Actor& admin, const Id& device_id,
                const std::vector<std::uint8_t>& bytes, std::int64_t at_ms,
                std::string_view event = "device.enrolled") {
  auto device = device_in(db, device_id);
  if (!device || device->org_id != admin.org_id) {
    return device ? make_error_code(directory_errc::not_found) : device.error();
  }
  if (device->state != DeviceState::pending) {
    return make_error_code(directory_errc::not_pending);
  }
  auto organisation = organisation_in(db, admin.org_id);
  if (!organisation) {
    return organisation.error();
  }
  auto certificate = protocol::parse_device_certificate(bytes);
  const auto now_s = static_cast<std::uint64_t>(at_ms / 1000);
  if (!certificate || !protocol::verify(*certificate, organisation->signing_key, now_s)) {
    return make_error_code(directory_errc::certificate_invalid);
  }
  const bool matches =
      certificate->org_id == device->org_id && certificate->device_id == device->device_id &&
      certificate->org_type == organisation->type &&
      protocol::name_of(certificate->role) == device->role &&
      certificate->signing_key == device->signing_key &&
      certificate->encryption_key == device->encryption_key && certificate->staff_id != Id{};
  if (!matches) {
    return make_error_code(directory_errc::certificate_mismatch);
  }
  if (auto one_person = check_one_person(db, *device, *certificate); !one_person) {
    return one_person;
  }
  auto update = db.prepare(
      "UPDATE devices SET state = 'enrolled', certificate = ?, staff_id = ?, decided_at_ms = ?, "
      "decided_by = ? WHERE device_id = ?");
  if (!update) {
    return update.error();
  }
  // The person is the one the admin signed for: four-eyes compares these staff ids.
  update->bind(1, bytes)
      .bind(2, certificate->staff_id)
      .bind(3, at_ms)
      .bind(4, admin.device_id)
      .bind(5, device_id);
  if (auto updated = update->run(); !updated) {
    return updated;
  }
  // The certificate clients verify the device by, in the directory log in this transaction: a
  // monitor of the organisation sees every device it (or someone with its key) certified.
  if (auto logged =
          append_log_entry(db, LogId::directory, protocol::device_certificate_entry(bytes), at_ms);
      !logged) {
    return logged.error();
  }
  return rows::insert_audit(db, at_ms, event, admin.org_id, admin.device_id, device_id,
                            "role=" + device->role);
}

}  // namespace

namespace detail {

sqlite::Result<Organisation> organisation_in(sqlite::Database& db, const Id& org_id) {
  return one(
      db, "SELECT " + kOrganisationColumns + " FROM organisations WHERE org_id = ?",
      [&](sqlite::Statement& s) { s.bind(1, org_id); }, organisation_from);
}

sqlite::Result<std::vector<Organisation>> organisations_in(sqlite::Database& db) {
  return all(
      db,
      "SELECT " + kOrganisationColumns +
          " FROM organisations WHERE org_id NOT IN (SELECT org_id FROM organisation_removals) "
          "ORDER BY name",
      [](sqlite::Statement&) {}, organisation_from);
}

sqlite::Result<Device> device_in(sqlite::Database& db, const Id& device_id) {
  return one(
      db, "SELECT " + std::string(kDeviceColumns) + " FROM devices WHERE device_id = ?",
      [&](sqlite::Statement& s) { s.bind(1, device_id); }, device_from);
}

sqlite::Result<Mailbox> mailbox_in(sqlite::Database& db, const Id& mailbox_id) {
  return one(
      db,
      "SELECT " + std::string(kMailboxColumns) + std::string(kMailboxJoin) +
          " WHERE m.mailbox_id = ?",
      [&](sqlite::Statement& s) { s.bind(1, mailbox_id); }, mailbox_from);
}

}  // namespace detail

const boost::system::error_category& directory_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.directory", describe);
  return category;
}

std::string_view name_of(DeviceState state) { return kStates[static_cast<std::size_t>(state)]; }

sqlite::Result<Organisation> SqliteDirectory::organisation(const Id& org_id) {
  return storage_->read([&](Db& db) { return organisation_in(db, org_id); });
}

sqlite::Result<std::vector<Organisation>> SqliteDirectory::organisations() {
  return storage_->read([&](Db& db) { return detail::organisations_in(db); });
}

sqlite::Result<Device> SqliteDirectory::device(const Id& device_id) {
  return storage_->read([&](Db& db) { return device_in(db, device_id); });
}

sqlite::Result<std::vector<Device>> SqliteDirectory::devices(const Id& org_id, DeviceState state) {
  return storage_->read([&](Db& db) {
    return all(
        db,
        "SELECT " + std::string(kDeviceColumns) +
            " FROM devices WHERE org_id = ? AND state = ? ORDER BY requested_at_ms",
        [&](sqlite::Statement& s) { s.bind(1, org_id).bind(2, name_of(state)); }, device_from);
  });
}

sqlite::Result<Mailbox> SqliteDirectory::mailbox(const Id& mailbox_id) {
  return storage_->read([&](Db& db) { return mailbox_in(db, mailbox_id); });
}

sqlite::Result<std::vector<Mailbox>> SqliteDirectory::all_mailboxes() {
  return storage_->read([&](Db& db) {
    return all(
        db, "SELECT " + std::string(kMailboxColumns) + std::string(kMailboxJoin),
        [](sqlite::Statement&) {}, mailbox_from);
  });
}

sqlite::Result<std::vector<Mailbox>> SqliteDirectory::mailboxes(const Id& org_id) {
  return storage_->read([&](Db& db) {
    return all(
        db,
        "SELECT " + std::string(kMailboxColumns) + std::string(kMailboxJoin) +
            " WHERE m.org_id = ? ORDER BY m.name",
        [&](sqlite::Statement& s) { s.bind(1, org_id); }, mailbox_from);
  });
}

sqlite::Result<bool> SqliteDirectory::is_member(const Id& mailbox_id, const Id& device_id) {
  return storage_->read([&](Db& db) -> sqlite::Result<bool> {
    auto select = db.prepare(
        "SELECT 1 FROM mailboxes m JOIN mailbox_members k ON k.mailbox_id = m.mailbox_id AND "
        "k.epoch = m.current_epoch JOIN devices d ON d.device_id = k.device_id "
        "WHERE m.mailbox_id = ? AND k.device_id = ? AND d.state = 'enrolled'");
    if (!select) {
      return {boost::system::in_place_error, select.error()};
    }
    select->bind(1, mailbox_id).bind(2, device_id);
    return select->step();
  });
}

sqlite::Result<EpochKeys> SqliteDirectory::epoch_keys(const Id& mailbox_id, std::uint32_t epoch,
                                                      const Id& device_id) {
  return storage_->read([&](Db& db) -> sqlite::Result<EpochKeys> {
    auto select = db.prepare(
        "SELECT e.certificate, coalesce(e.previous_seed_box, x''), "
        "coalesce((SELECT seed_box FROM mailbox_members k WHERE k.mailbox_id = e.mailbox_id AND "
        "k.epoch = e.epoch AND k.device_id = ?), x'') "
        "FROM mailbox_epochs e WHERE e.mailbox_id = ? AND e.epoch = ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, device_id).bind(2, mailbox_id).bind(3, static_cast<std::int64_t>(epoch));
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return make_error_code(directory_errc::not_found);
    }
    EpochKeys keys{blob(*select, 0), blob(*select, 1), blob(*select, 2), {}};
    select->reset();
    // The members let an admin rotate without keeping its own list; a client checks them
    // against the certificate's members hash, so the hub cannot add or drop one unnoticed.
    auto members = db.prepare(
        "SELECT device_id FROM mailbox_members WHERE mailbox_id = ? AND epoch = ? "
        "ORDER BY device_id");
    if (!members) {
      return members.error();
    }
    members->bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(epoch));
    while (true) {
      auto member = members->step();
      if (!member) {
        return member.error();
      }
      if (!*member) {
        break;
      }
      keys.members.push_back(rows::fixed<16>(members->column_blob(0)));
    }
    return keys;
  });
}

bool SqliteDirectory::add_organisation(const Organisation& organisation, std::int64_t at_ms,
                                       Done done) {
  return storage_->writer().submit(
      [organisation, at_ms](Db& db) -> Void {
        if (!is_good_name(organisation.name)) {
          return make_error_code(directory_errc::name_invalid);
        }
        if (auto known = organisation_in(db, organisation.org_id)) {
          // Ids are never reused: a removed organisation's id stays taken, and says so.
          return make_error_code(known->removed_at_ms ? directory_errc::organisation_removed
                                                      : directory_errc::organisation_exists);
        }
        auto insert = db.prepare(
            "INSERT INTO organisations (org_id, org_type, name, signing_key, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, organisation.org_id)
            .bind(2, protocol::name_of(organisation.type))
            .bind(3, organisation.name)
            .bind(4, organisation.signing_key)
            .bind(5, at_ms);
        if (auto inserted = insert->run(); !inserted) {
          return inserted.error() == sqlite::errc::constraint_violation
                     ? make_error_code(directory_errc::organisation_exists)
                     : inserted.error();
        }
        // The key every certificate of the organisation is checked against: in the directory
        // log, in this transaction, so a client can demand its inclusion proof.
        if (auto logged = append_log_entry(
                db, LogId::directory,
                protocol::organisation_key_entry(organisation.org_id, organisation.type,
                                                 organisation.signing_key),
                at_ms);
            !logged) {
          return logged.error();
        }
        return rows::insert_audit(db, at_ms, "organisation.added", organisation.org_id, {}, {},
                                  "type=" + std::string(protocol::name_of(organisation.type)));
      },
      std::move(done));
}

namespace {

void bind_claim(sqlite::Statement& statement, int index, const std::optional<Id>& claim) {
  if (claim) {
    statement.bind(index, *claim);
  } else {
    statement.bind_null(index);
  }
}

Void set_claim(Db& db, const Id& device_id, const std::optional<Id>& claim) {
  auto update = db.prepare("UPDATE devices SET claimed_staff_id = ? WHERE device_id = ?");
  if (!update) {
    return update.error();
  }
  bind_claim(*update, 1, claim);
  update->bind(2, device_id);
  return update->run();
}

}  // namespace

bool SqliteDirectory::request_enrolment(const Device& request, Done done) {
  return storage_->writer().submit(
      [request](Db& db) -> Void {
        auto existing = device_in(db, request.device_id);
        if (existing) {
          // A retried request is fine; anything else about a known device id is not.
          const bool same = existing->org_id == request.org_id &&
                            existing->state == DeviceState::pending &&
                            existing->signing_key == request.signing_key &&
                            existing->encryption_key == request.encryption_key;
          if (!same) {
            return make_error_code(directory_errc::device_exists);
          }
          return existing->claimed_staff_id == request.claimed_staff_id
                     ? Void()
                     : set_claim(db, request.device_id, request.claimed_staff_id);
        }
        if (existing.error() != directory_errc::not_found) {
          return existing.error();
        }
        auto insert = db.prepare(
            "INSERT INTO devices (device_id, org_id, role, state, signing_key, encryption_key, "
            "staff_id, requested_at_ms, claimed_staff_id) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, "
            "?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, request.device_id)
            .bind(2, request.org_id)
            .bind(3, request.role)
            .bind(4, request.signing_key)
            .bind(5, request.encryption_key)
            .bind(6, request.staff_id)
            .bind(7, request.requested_at_ms);
        bind_claim(*insert, 8, request.claimed_staff_id);
        if (auto inserted = insert->run(); !inserted) {
          return inserted;
        }
        return rows::insert_audit(db, request.requested_at_ms, "device.requested", request.org_id,
                                  request.device_id, {}, "role=" + request.role);
      },
      std::move(done));
}

Directory::Done SqliteDirectory::counting(Done done) {
  return [generation = device_generation_, done = std::move(done)](sqlite::Result<void> result) {
    if (result) {
      generation->fetch_add(1, std::memory_order_release);
    }
    done(result);
  };
}

bool SqliteDirectory::claim_admin_nonce(const Id& org_id, const Id& nonce, std::int64_t expires_ms,
                                        std::int64_t now_ms, Done done) {
  return storage_->writer().submit(
      [org_id, nonce, expires_ms, now_ms](Db& db) -> Void {
        // Past its window an action is refused by its time, so its nonce may go.
        auto expire = db.prepare("DELETE FROM admin_nonces WHERE expires_ms < ?");
        auto insert =
            db.prepare("INSERT INTO admin_nonces (org_id, nonce, expires_ms) VALUES (?, ?, ?)");
        if (!expire || !insert) {
          return !expire ? expire.error() : insert.error();
        }
        expire->bind(1, now_ms);
        if (auto expired = expire->run(); !expired) {
          return expired;
        }
        insert->bind(1, org_id).bind(2, nonce).bind(3, expires_ms);
        auto inserted = insert->run();
        if (!inserted && inserted.error() == sqlite::errc::constraint_violation) {
          return make_error_code(directory_errc::action_replayed);
        }
        return inserted;
      },
      std::move(done));
}

bool SqliteDirectory::approve_enrolment(const Actor& admin, const Id& device_id,
                                        std::vector<std::uint8_t> certificate, std::int64_t at_ms,
                                        Done done) {
  return storage_->writer().submit(
      [admin, device_id, certificate = std::move(certificate), at_ms](Db& db) {
        return approve_in(db, admin, device_id, certificate, at_ms);
      },
      counting(std::move(done)));
}

bool SqliteDirectory::remove_device(const Actor& admin, const Id& device_id, std::int64_t at_ms,
                                    Done done) {
  return storage_->writer().submit(
      [admin, device_id, at_ms](Db& db) -> Void {
        auto device = device_in(db, device_id);
        if (!device || device->org_id != admin.org_id) {
          return device ? make_error_code(directory_errc::not_found) : device.error();
        }
        auto update = db.prepare(
            "UPDATE devices SET state = 'removed', decided_at_ms = ?, decided_by = ? "
            "WHERE device_id = ?");
        if (!update) {
          return update.error();
        }
        update->bind(1, at_ms).bind(2, admin.device_id).bind(3, device_id);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        // Logged once, when the device leaves; removing it again changes nothing to log.
        if (device->state != DeviceState::removed) {
          if (auto logged =
                  append_log_entry(db, LogId::directory,
                                   protocol::device_removed_entry(
                                       admin.org_id, device_id, static_cast<std::uint64_t>(at_ms)),
                                   at_ms);
              !logged) {
            return logged.error();
          }
        }
        // The device still holds the current seeds of its mailboxes: nothing new may be sealed
        // to them until the organisation rotates them to epochs without it.
        auto hold = db.prepare(
            "UPDATE mailboxes SET needs_rotation = 1 WHERE mailbox_id IN (SELECT m.mailbox_id "
            "FROM mailboxes m JOIN mailbox_members k ON k.mailbox_id = m.mailbox_id AND "
            "k.epoch = m.current_epoch WHERE k.device_id = ?)");
        if (!hold) {
          return hold.error();
        }
        hold->bind(1, device_id);
        if (auto held = hold->run(); !held) {
          return held;
        }
        return rows::insert_audit(db, at_ms, "device.removed", admin.org_id, admin.device_id,
                                  device_id, "mailboxes_held=" + std::to_string(db.changes()));
      },
      counting(std::move(done)));
}

bool SqliteDirectory::change_mailbox(const Actor& admin, EpochChange change, std::int64_t at_ms,
                                     Done done) {
  return storage_->writer().submit(
      [admin, change = std::move(change), at_ms](Db& db) {
        return change_mailbox_in(db, admin, change, at_ms);
      },
      std::move(done));
}

bool SqliteDirectory::rename_mailbox(const Actor& admin, const Id& mailbox_id, std::string name,
                                     std::int64_t at_ms, Done done) {
  return storage_->writer().submit(
      [admin, mailbox_id, name = std::move(name), at_ms](Db& db) -> Void {
        auto current = mailbox_in(db, mailbox_id);
        if (!current || current->org_id != admin.org_id) {
          // Another organisation's mailbox looks missing.
          return current ? make_error_code(directory_errc::not_found) : current.error();
        }
        if (!is_good_name(name)) {
          return make_error_code(directory_errc::name_invalid);
        }
        auto update = db.prepare("UPDATE mailboxes SET name = ? WHERE mailbox_id = ?");
        if (!update) {
          return update.error();
        }
        update->bind(1, name).bind(2, mailbox_id);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        // No name in the row (details are ids and counts): the audit log says who renamed
        // which mailbox when; the directory says what it is called now.
        return rows::insert_audit(db, at_ms, "mailbox.renamed", admin.org_id, admin.device_id,
                                  mailbox_id, "");
      },
      std::move(done));
}

bool enrol_admin_by_operator(Storage& storage, std::vector<std::uint8_t> certificate,
                             std::int64_t at_ms, Directory::Done done) {
  return storage.writer().submit(
      [certificate = std::move(certificate), at_ms](Db& db) -> Void {
        auto parsed = protocol::parse_device_certificate(certificate);
        if (!parsed) {
          return make_error_code(directory_errc::certificate_invalid);
        }
        if (parsed->role != protocol::StaffRole::organisation_admin) {
          return make_error_code(directory_errc::certificate_mismatch);
        }
        // The operator acts for the organisation the certificate names; approve_in checks the
        // rest as for an admin's approval: pending, signed by that organisation, as requested.
        return approve_in(db, Actor{parsed->org_id, {}}, parsed->device_id, certificate, at_ms,
                          "device.enrolled_by_operator");
      },
      std::move(done));
}

std::string_view held_reason(const Mailbox& m, std::int64_t now_ms) {
  if (m.needs_rotation) {
    return "rotation-needed";
  }
  auto certificate = protocol::parse_epoch_certificate(m.certificate);
  if (!certificate) {
    return "certificate-invalid";
  }
  auto window = protocol::check_window(*certificate, static_cast<std::uint64_t>(now_ms / 1000));
  if (!window) {
    return window.error() == protocol::errc::epoch_not_yet_valid ? "epoch-not-yet-valid"
                                                                 : "epoch-expired";
  }
  return {};
}

EpochEnds count_epoch_ends(const std::vector<Mailbox>& mailboxes, std::int64_t now_ms,
                           std::int64_t soon_ms) {
  EpochEnds ends;
  for (const Mailbox& m : mailboxes) {
    auto certificate = protocol::parse_epoch_certificate(m.certificate);
    if (!certificate) {
      continue;
    }
    const auto end_ms = static_cast<std::int64_t>(certificate->not_after) * 1000;
    if (end_ms < now_ms) {
      ++ends.expired;
    } else if (end_ms < now_ms + soon_ms) {
      ++ends.ending_soon;
    }
  }
  return ends;
}

}  // namespace draaischijf::server
