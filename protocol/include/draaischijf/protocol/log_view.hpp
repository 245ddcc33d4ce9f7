#pragma once

// What a party that follows a transparency log checks before it moves on from the checkpoint it
// holds (a client, a witness, a monitor): the same log, not smaller (no rollback), the same root
// at the same size and a verified consistency proof to a larger one (no fork). Pure: the caller
// fetches the proof and keeps the accepted checkpoint.

#include <span>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::protocol {

/// Whether `next` may replace `seen`: checkpoint_wrong_origin (another log), log_rollback
/// (smaller), log_fork (same size and another root, a proof that does not verify, or an empty
/// tree with a root that is not the empty tree's). `proof` is the consistency proof from
/// seen.size to next.size (empty when the sizes are equal or seen is empty).
[[nodiscard]] Result<void> check_extends(const note::Checkpoint& seen, const note::Checkpoint& next,
                                         std::span<const merkle::Hash> proof);

/// Whether the entry `entry` is leaf `index` of the checkpoint's tree (proof_malformed,
/// proof_mismatch).
[[nodiscard]] Result<void> check_included(const note::Checkpoint& checkpoint,
                                          std::span<const std::uint8_t> entry, std::uint64_t index,
                                          std::span<const merkle::Hash> proof);

}  // namespace draaischijf::protocol
