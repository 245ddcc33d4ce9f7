#pragma once

// What a client demands of a log checkpoint before it accepts it: cosignatures by at least
// `quorum` of the witnesses it knows (c2sp.org/tlog-cosignature; docs/TRANSPARENCY.md). A hub
// that shows a forked view to one client then needs that many witnesses to have cosigned the
// fork, and an honest witness never cosigns two views of one log. The checkpoint-keeping code
// calls check_witness_quorum() on each checkpoint it fetches, after the hub's own signature.

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::client {

/// The witnesses a profile knows and how many of them must have cosigned.
struct WitnessPolicy {
  std::vector<protocol::note::VerifierKey> witnesses;
  std::size_t quorum = 0;  // 0 until configured: checkpoints are taken on the hub's word
};

/// The profile's `witnesses.txt`: lines "witness <vkey>" (type 0x04, as draaischijf-witness
/// prints it) and one "quorum <N>", '#' comments. No file: quorum 0. client_errc::profile_invalid
/// for another line, a key that is not a cosignature vkey, or a quorum above the keys listed.
[[nodiscard]] protocol::Result<WitnessPolicy> read_witness_policy(
    const std::filesystem::path& file);

/// Whether `checkpoint` carries valid cosignatures by at least `quorum` distinct keys of
/// `witnesses` (each key counts once; signatures by other keys are ignored, a known key's that
/// does not verify counts for nothing). tlog_errc::witness_quorum_not_met otherwise.
[[nodiscard]] protocol::Result<void> check_witness_quorum(
    const protocol::note::SignedNote& checkpoint,
    std::span<const protocol::note::VerifierKey> witnesses, std::size_t quorum);

}  // namespace draaischijf::client
