#pragma once

// The hub operator's removal of an organisation (`draaischijf-hub org remove`, docs/OPERATIONS.md
// "Removing an organisation"). The organisation's row stays, so its id is never registered
// again; its devices are set to removed (the TLS mapping refuses them with 403
// organisation-removed), its mailboxes refuse new envelopes (410 recipient-removed), and what
// waits in them stays until retention expires it with a notice to each sender: no member can
// fetch it any more and no one else ever could.

#include <cstdint>
#include <vector>

#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

/// In one writer transaction: the removal row, every device of the organisation set to removed,
/// the directory log's kind 3 entry (docs/PROTOCOL.md 13.4) and the audit row
/// `organisation.removed` (reason and device count). directory_errc::not_found for an unknown
/// organisation, organisation_removed when it was removed before; either appends nothing.
/// `done` runs after COMMIT; false when the writer's queue is full.
[[nodiscard]] bool remove_organisation_by_operator(Storage& storage, const protocol::Id& org_id,
                                                   protocol::RemovalReason reason,
                                                   std::int64_t at_ms, Directory::Done done);

namespace detail {
/// Every removal on record, in ascending id order (the directory bundle's removal list).
[[nodiscard]] sqlite::Result<std::vector<protocol::BundleRemoval>> organisation_removals_in(
    sqlite::Database& db);
}  // namespace detail

}  // namespace draaischijf::server
