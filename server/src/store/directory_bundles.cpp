#include <memory>

#include <draaischijf/server/store/directory_bundles.hpp>
#include <draaischijf/server/store/organisation_removal.hpp>

#include "store/directory_lookups.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {

bool publish_directory_bundle(Storage& storage, BundleSigner sign, std::int64_t at_ms,
                              std::function<void(sqlite::Result<std::vector<std::uint8_t>>)> done) {
  auto bytes = std::make_shared<std::vector<std::uint8_t>>();
  return storage.writer().submit(
      [sign = std::move(sign), at_ms, bytes](sqlite::Database& db) -> sqlite::Result<void> {
        auto organisations = detail::organisations_in(db);
        auto removals = detail::organisation_removals_in(db);
        auto last = db.prepare("SELECT coalesce(max(sequence), 0) FROM directory_bundles");
        if (!organisations || !removals || !last) {
          return !organisations ? organisations.error()
                                : (!removals ? removals.error() : last.error());
        }
        auto row = last->step();
        if (!row) {
          return row.error();
        }
        const auto sequence = static_cast<std::uint64_t>(last->column_int64(0)) + 1;
        last->reset();
        auto signed_bundle = sign(sequence, *organisations, *removals);
        if (!signed_bundle) {
          return signed_bundle.error();
        }
        auto insert = db.prepare(
            "INSERT INTO directory_bundles (sequence, created_at_ms, organisations, bundle_hash) "
            "VALUES (?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, static_cast<std::int64_t>(sequence))
            .bind(2, at_ms)
            .bind(3, static_cast<std::int64_t>(organisations->size()))
            .bind(4, protocol::hash256("draaischijf/directory-bundle-record/v1", {*signed_bundle}));
        if (auto inserted = insert->run(); !inserted) {
          return inserted;
        }
        *bytes = std::move(*signed_bundle);
        return rows::insert_audit(db, at_ms, "directory.bundle", {}, {}, {},
                                  "sequence=" + std::to_string(sequence) +
                                      " organisations=" + std::to_string(organisations->size()) +
                                      " removals=" + std::to_string(removals->size()));
      },
      [bytes, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          done(result.error());
          return;
        }
        done(std::move(*bytes));
      });
}

}  // namespace draaischijf::server
