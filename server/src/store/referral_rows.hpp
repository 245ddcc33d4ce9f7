#pragma once

// The message store's hook into the referral lifecycle (store/referral_store.hpp): called in
// the transaction that stores a doorverwijzing or consultatie, so a stored referral always has
// its `sent` record and a refused one never does.

#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/referral_store.hpp>

namespace draaischijf::server::referral_rows {

/// One referral in state `sent` per recipient organisation of `s` (from its decisions).
[[nodiscard]] sqlite::Result<void> record_new(sqlite::Database& db, const Submission& s,
                                              const ReferralDue& due);

}  // namespace draaischijf::server::referral_rows
