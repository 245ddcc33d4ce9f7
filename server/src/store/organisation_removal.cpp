#include <string>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/store/organisation_removal.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "store/directory_lookups.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using Db = sqlite::Database;
using Void = sqlite::Result<void>;

Void remove_in(Db& db, const protocol::Id& org_id, protocol::RemovalReason reason,
               std::int64_t at_ms) {
  auto organisation = detail::organisation_in(db, org_id);
  if (!organisation) {
    return organisation.error();
  }
  if (organisation->removed_at_ms) {
    return make_error_code(directory_errc::organisation_removed);
  }
  auto insert = db.prepare(
      "INSERT INTO organisation_removals (org_id, removed_at_ms, reason) VALUES (?, ?, ?)");
  auto devices = db.prepare(
      "UPDATE devices SET state = 'removed', decided_at_ms = ? WHERE org_id = ? AND "
      "state != 'removed'");
  if (!insert || !devices) {
    return !insert ? insert.error() : devices.error();
  }
  insert->bind(1, org_id).bind(2, at_ms).bind(3, static_cast<std::int64_t>(reason));
  if (auto inserted = insert->run(); !inserted) {
    return inserted;
  }
  devices->bind(1, at_ms).bind(2, org_id);
  if (auto updated = devices->run(); !updated) {
    return updated;
  }
  const auto removed_devices = db.changes();
  // The same statement the bundle's removal list signs, in the directory log in this
  // transaction: a monitor sees the removal, and a hub cannot quietly drop it.
  if (auto logged = append_log_entry(
          db, LogId::directory,
          protocol::organisation_removed_entry(org_id, static_cast<std::uint64_t>(at_ms),
                                               static_cast<std::uint8_t>(reason)),
          at_ms);
      !logged) {
    return logged.error();
  }
  return rows::insert_audit(db, at_ms, "organisation.removed", org_id, {}, {},
                            "reason=" + std::string(protocol::name_of(reason)) +
                                " devices=" + std::to_string(removed_devices));
}

protocol::BundleRemoval removal_from(const sqlite::Statement& row) {
  return {rows::fixed<16>(row.column_blob(0)), static_cast<std::uint64_t>(row.column_int64(1)),
          static_cast<protocol::RemovalReason>(row.column_int64(2))};
}

}  // namespace

bool remove_organisation_by_operator(Storage& storage, const protocol::Id& org_id,
                                     protocol::RemovalReason reason, std::int64_t at_ms,
                                     Directory::Done done) {
  return storage.writer().submit(
      [org_id, reason, at_ms](Db& db) { return remove_in(db, org_id, reason, at_ms); },
      std::move(done));
}

namespace detail {

sqlite::Result<std::vector<protocol::BundleRemoval>> organisation_removals_in(Db& db) {
  return rows::select_all<protocol::BundleRemoval>(
      db, "SELECT org_id, removed_at_ms, reason FROM organisation_removals ORDER BY org_id",
      [](sqlite::Statement&) {}, removal_from);
}

}  // namespace detail

}  // namespace draaischijf::server
