#pragma once

// The client's side of the hub's transparency logs (docs/TRANSPARENCY.md, docs/PROTOCOL.md 13):
// the latest checkpoint of each log, kept in the local state and moved on only to a checkpoint
// signed by the pinned hub key that extends it (a consistency proof; no rollback, no fork), and
// the inclusion in the directory log of what the client relies on (an organisation's key, a
// mailbox epoch certificate), verified once against an accepted checkpoint and then remembered,
// so steady-state sends ask the directory log nothing (a version 3 receipt asks the record log
// for one consistency proof).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/note.hpp>

#include "session_state.hpp"

namespace draaischijf::client {

inline constexpr std::string_view kDirectoryLog = "directory";
inline constexpr std::string_view kRecordLog = "record";

/// The origin of the hub's log `log` under the pinned hub key ("draaischijf-hub/<first 8 bytes
/// of its key id, hex>/<log>"); log_checkpoint_invalid when no hub key is pinned.
[[nodiscard]] protocol::Result<std::string> log_origin(const detail::SessionState& s,
                                                       std::string_view log);

/// `note` as a checkpoint of the log `log` signed by the pinned hub key under the origin it
/// derives (log_checkpoint_invalid otherwise). Witness cosignatures are not checked here.
[[nodiscard]] protocol::Result<protocol::note::OpenedCheckpoint> open_hub_checkpoint(
    const detail::SessionState& s, std::string_view log, std::string_view note);

/// The profile's witness quorum (witnesses.txt) on `note`: witness_quorum_not_met otherwise.
[[nodiscard]] protocol::Result<void> check_profile_quorum(const detail::SessionState& s,
                                                          const protocol::note::SignedNote& note);

/// That `next` extends `seen` (both of log `log`): for a larger `next` the hub's consistency
/// proof from seen.size (none from 0) is fetched and verified. log_rollback for a smaller one,
/// log_fork for another root or a proof that does not verify; the hub's own refusal or a
/// malformed answer is returned as it is.
[[nodiscard]] protocol::Result<void> check_consistent(detail::SessionState& s, std::string_view log,
                                                      const protocol::note::Checkpoint& seen,
                                                      const protocol::note::Checkpoint& next);

/// The `proof` array of a hub answer as hashes (hub_answer_invalid for anything else).
[[nodiscard]] protocol::Result<std::vector<protocol::merkle::Hash>> proof_of(
    const boost::json::object& body);

/// Whether a checkpoint without the profile's witness quorum is refused (one fetched from the
/// log) or checked but not kept (one a receipt brings, signed for its group commit before any
/// witness saw it).
enum class QuorumOnNote { required, kept_only_with };

/// `note`, a checkpoint of log `log` from the hub, verified under the pinned hub key and, when
/// newer than the one accepted before, by its consistency proof (fetched); then kept (local state
/// and session) when the profile's witness quorum cosigned it. The first one is taken on trust.
/// Refusals leave the stored checkpoint as it was: log_checkpoint_invalid, log_rollback,
/// log_fork (witness_quorum_not_met with QuorumOnNote::required).
[[nodiscard]] protocol::Result<protocol::note::Checkpoint> adopt_checkpoint(detail::SessionState& s,
                                                                            std::string_view log,
                                                                            const std::string& note,
                                                                            QuorumOnNote quorum);

/// Fetches the log's checkpoint, verifies it under the pinned hub key and, when it is newer
/// than the one accepted before, its consistency proof; then keeps it (local state, and the
/// session). The first one is taken on trust (nothing to compare it with). Refusals leave the
/// stored checkpoint as it was: log_checkpoint_invalid, log_rollback, log_fork.
[[nodiscard]] protocol::Result<protocol::note::Checkpoint> refresh_checkpoint(
    detail::SessionState& s, std::string_view log);

/// That `entry` is in the directory log under an accepted checkpoint (RFC 6962 proof by leaf
/// hash); not_in_log when the hub cannot prove it. Remembered once proved.
[[nodiscard]] protocol::Result<void> require_logged_entry(detail::SessionState& s,
                                                          std::span<const std::uint8_t> entry);

/// That the organisation's key is in the directory log (kind 1). `type` when the caller knows
/// it from the same answer; else the hub's directory says it (a wrong type is simply not found).
[[nodiscard]] protocol::Result<void> require_logged_organisation(
    detail::SessionState& s, const protocol::Id& org_id, const protocol::SigningPublicKey& key,
    std::optional<protocol::OrgType> type = std::nullopt);

/// That `entry` is leaf `index` of `checkpoint`'s tree (the monitor's replay): the proof is
/// fetched and verified; not_in_log if it does not verify.
[[nodiscard]] protocol::Result<void> check_entry_at(detail::SessionState& s,
                                                    const protocol::note::Checkpoint& checkpoint,
                                                    std::span<const std::uint8_t> entry,
                                                    std::uint64_t index);

/// Entry `index` of the directory log as the hub serves it.
[[nodiscard]] protocol::Result<std::vector<std::uint8_t>> fetch_entry(detail::SessionState& s,
                                                                      std::uint64_t index);

}  // namespace draaischijf::client
