#pragma once

// RFC 6962 / RFC 9162 Merkle trees, as the hub's transparency logs use them (docs/TRANSPARENCY.md,
// docs/PROTOCOL.md 13): leaf and node hashing (SHA-256 with the 0x00 and 0x01 prefixes), the tree
// head of the first n leaves, inclusion and consistency proofs made from a source of subtree
// hashes, and their verification (RFC 9162 2.1.3.2 and 2.1.4.2). Pure: no I/O; the caller's
// HashSource decides where the hashes live (memory, the hub's database).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>

namespace draaischijf::protocol::merkle {

using Hash = std::array<std::uint8_t, 32>;

/// SHA-256(0x00 || data): the hash of one log entry.
[[nodiscard]] Hash leaf_hash(std::span<const std::uint8_t> data);
/// SHA-256(0x01 || left || right).
[[nodiscard]] Hash node_hash(const Hash& left, const Hash& right);
/// The tree head of the empty tree, SHA-256 of the empty string (RFC 9162 2.1.1).
[[nodiscard]] Hash empty_root();

/// The hashes a tree is made of: the complete subtree of 2^level leaves that starts at leaf
/// index << level (level 0 is a leaf hash). These never change once the log has grown past them,
/// so they can be stored as they complete; every tree head and proof of any size is a function
/// of them (RFC 6962's "MTH of a range" decomposes into complete subtrees).
class HashSource {
 public:
  HashSource() = default;
  HashSource(const HashSource&) = delete;
  HashSource& operator=(const HashSource&) = delete;
  virtual ~HashSource() = default;
  /// tlog_errc::hash_missing when the source does not hold that subtree.
  [[nodiscard]] virtual Result<Hash> subtree(unsigned level, std::uint64_t index) const = 0;
};

/// The tree head of the first `size` leaves.
[[nodiscard]] Result<Hash> tree_head(const HashSource& source, std::uint64_t size);
/// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 2.1.3.1).
[[nodiscard]] Result<std::vector<Hash>> inclusion_proof(const HashSource& source,
                                                        std::uint64_t index, std::uint64_t size);
/// The proof that the tree of `size1` leaves is a prefix of the tree of `size2` (RFC 9162
/// 2.1.4.1); empty when size1 == size2. size1 must be at least 1 (a consistency proof from the
/// empty tree proves nothing and is refused by the verifier).
[[nodiscard]] Result<std::vector<Hash>> consistency_proof(const HashSource& source,
                                                          std::uint64_t size1, std::uint64_t size2);

/// RFC 9162 2.1.3.2. `leaf` must be 32 bytes. Refusals: proof_malformed (index >= size, a proof
/// of the wrong length for that position), proof_mismatch (the recomputed head is not `root`).
/// Roots are compared byte for byte, so a root of another length never matches.
[[nodiscard]] Result<void> verify_inclusion(std::span<const std::uint8_t> leaf, std::uint64_t index,
                                            std::uint64_t size, std::span<const Hash> proof,
                                            std::span<const std::uint8_t> root);
/// RFC 9162 2.1.4.2, with size1 == 0 refused (proof_malformed: nothing to prove consistent) and
/// size1 == size2 accepted only with an empty proof and equal roots.
[[nodiscard]] Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                              std::span<const Hash> proof,
                                              std::span<const std::uint8_t> root1,
                                              std::span<const std::uint8_t> root2);

/// A subtree that became complete when a leaf was appended: what a store keeps.
struct CompletedSubtree {
  unsigned level = 0;
  std::uint64_t index = 0;
  Hash hash{};
  bool operator==(const CompletedSubtree&) const = default;
};

/// The subtrees that appending leaf number `index` (0-based, the log held `index` leaves
/// before) completes: the leaf itself, then each parent whose right child it completes. Their
/// left siblings come from `source` (which holds the log as it was before this leaf).
[[nodiscard]] Result<std::vector<CompletedSubtree>> complete_with(const HashSource& source,
                                                                  std::uint64_t index,
                                                                  const Hash& leaf);

/// A log kept in memory: every complete subtree, level by level. For clients and tests that
/// replay a log, and the model the hub's stored tree follows.
class MemoryTree final : public HashSource {
 public:
  /// Appends a leaf hash; returns its index.
  std::uint64_t append(const Hash& leaf);
  [[nodiscard]] std::uint64_t size() const noexcept {
    return levels_.empty() ? 0 : levels_.front().size();
  }
  [[nodiscard]] Result<Hash> subtree(unsigned level, std::uint64_t index) const override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace draaischijf::protocol::merkle
