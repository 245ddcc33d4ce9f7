#pragma once

// Inside the SQLite directory: the lookups its two files share (directory.cpp, and
// mailbox_epochs.cpp for mailbox creation and rotation). Each runs on the connection it is
// given, so a writer transaction reads its own changes.

#include <string_view>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::detail {

[[nodiscard]] sqlite::Result<Organisation> organisation_in(sqlite::Database& db,
                                                           const protocol::Id& org_id);
/// Every organisation, by name.
[[nodiscard]] sqlite::Result<std::vector<Organisation>> organisations_in(sqlite::Database& db);
[[nodiscard]] sqlite::Result<Device> device_in(sqlite::Database& db, const protocol::Id& device_id);
[[nodiscard]] sqlite::Result<Mailbox> mailbox_in(sqlite::Database& db,
                                                 const protocol::Id& mailbox_id);

/// The organisation columns of region, offers and CLB (migration 13), and their reading from a
/// row where they start at `first` (organisation_profile.cpp).
inline constexpr std::string_view kProfileColumns =
    "coalesce(province, ''), coalesce(municipality, ''), offers, clb_org_id";
void read_profile(const sqlite::Statement& row, int first, Organisation& out);

/// Whether an organisation or mailbox name may be stored: 1..200 bytes, display safe.
[[nodiscard]] bool is_good_name(std::string_view name);

/// Creates a mailbox (change.name set) or rotates it to the next epoch, after checking the
/// epoch certificate, its place in the chain and every member; with its audit row.
[[nodiscard]] sqlite::Result<void> change_mailbox_in(sqlite::Database& db, const Actor& admin,
                                                     const EpochChange& change, std::int64_t at_ms);

}  // namespace draaischijf::server::detail
