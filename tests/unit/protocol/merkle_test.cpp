// The Merkle core against the definition: tree heads equal RFC 6962's recursive MTH computed
// from the leaves here, every proof the core makes verifies, and every change to a proof, an
// index, a size or a root is refused. Edge sizes: 0, 1, 2^k and 2^k +- 1.

#include <bit>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/merkle.hpp>

namespace draaischijf::protocol::merkle {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes entry(std::uint64_t i) {
  const std::string text = "entry " + std::to_string(i);
  return {text.begin(), text.end()};
}

// RFC 6962 2.1, written as the RFC states it: the reference the stored-subtree code must match.
Hash reference_head(const std::vector<Bytes>& leaves, std::size_t begin, std::size_t end) {
  if (end == begin) {
    return empty_root();
  }
  if (end - begin == 1) {
    return leaf_hash(leaves[begin]);
  }
  std::size_t k = 1;
  while (k * 2 < end - begin) {
    k *= 2;
  }
  return node_hash(reference_head(leaves, begin, begin + k),
                   reference_head(leaves, begin + k, end));
}

struct Log {
  std::vector<Bytes> leaves;
  MemoryTree tree;
  explicit Log(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      leaves.push_back(entry(i));
      tree.append(leaf_hash(leaves.back()));
    }
  }
};

constexpr std::uint64_t kSizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};

TEST(Merkle, TheEmptyTreeHeadIsTheHashOfNothing) {
  EXPECT_EQ(hex_encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const MemoryTree tree;
  EXPECT_EQ(tree_head(tree, 0).value(), empty_root());
  EXPECT_EQ(inclusion_proof(tree, 0, 0).error(), tlog_errc::proof_malformed);
}

// RFC 6962's own test tree (the eight leaves of its reference implementation's tests): a known
// answer computed outside this code base.
TEST(Merkle, TheRfc6962ReferenceTreeHasItsPublishedHead) {
  const std::vector<std::string> data = {"",
                                         "00",
                                         "10",
                                         "2021",
                                         "3031",
                                         "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
  MemoryTree tree;
  for (const std::string& hex : data) {
    tree.append(leaf_hash(hex_decode(hex).value()));
  }
  EXPECT_EQ(hex_encode(tree.subtree(0, 0).value()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(hex_encode(tree_head(tree, 8).value()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(Merkle, HeadsOfEveryPrefixMatchTheDefinition) {
  const Log log(65);
  for (std::uint64_t n = 0; n <= 65; ++n) {
    EXPECT_EQ(tree_head(log.tree, n).value(), reference_head(log.leaves, 0, n)) << n;
  }
}

TEST(Merkle, EveryInclusionProofVerifiesAndNoAlteredOneDoes) {
  const Log log(65);
  for (const std::uint64_t n : kSizes) {
    const Hash root = tree_head(log.tree, n).value();
    for (std::uint64_t i = 0; i < n; ++i) {
      SCOPED_TRACE("index " + std::to_string(i) + " of " + std::to_string(n));
      std::vector<Hash> proof = inclusion_proof(log.tree, i, n).value();
      EXPECT_LE(proof.size(), static_cast<std::size_t>(std::bit_width(n)));
      const Hash leaf = leaf_hash(log.leaves[i]);
      EXPECT_TRUE(verify_inclusion(leaf, i, n, proof, root).has_value());
      EXPECT_FALSE(verify_inclusion(leaf_hash(entry(i + 1000)), i, n, proof, root).has_value());
      EXPECT_EQ(verify_inclusion(leaf, i, i, proof, root).error(), tlog_errc::proof_malformed);
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(leaf, (i + 1) % n, n, proof, root).has_value());
        proof.back()[0] ^= 1U;
        EXPECT_EQ(verify_inclusion(leaf, i, n, proof, root).error(), tlog_errc::proof_mismatch);
        proof.back()[0] ^= 1U;
        proof.push_back(root);
        EXPECT_EQ(verify_inclusion(leaf, i, n, proof, root).error(), tlog_errc::proof_malformed);
        proof.pop_back();
        proof.pop_back();
        EXPECT_FALSE(verify_inclusion(leaf, i, n, proof, root).has_value());
      }
    }
  }
}

TEST(Merkle, EveryConsistencyProofVerifiesAndNoAlteredOneDoes) {
  const Log log(65);
  for (const std::uint64_t n : kSizes) {
    const Hash root2 = tree_head(log.tree, n).value();
    for (std::uint64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE(std::to_string(m) + " -> " + std::to_string(n));
      const Hash root1 = tree_head(log.tree, m).value();
      std::vector<Hash> proof = consistency_proof(log.tree, m, n).value();
      EXPECT_TRUE(verify_consistency(m, n, proof, root1, root2).has_value());
      // Another old head: the log rewrote its past (a fork).
      const Hash forked = leaf_hash(entry(m + 5000));
      EXPECT_FALSE(verify_consistency(m, n, proof, forked, root2).has_value());
      if (m < n) {
        EXPECT_FALSE(verify_consistency(m, n, proof, root1, forked).has_value());
        proof.front()[31] ^= 1U;
        EXPECT_FALSE(verify_consistency(m, n, proof, root1, root2).has_value());
        proof.front()[31] ^= 1U;
        // The proof does not prove the reverse (a rollback).
        EXPECT_FALSE(verify_consistency(n, m, proof, root2, root1).has_value());
      }
    }
  }
}

TEST(Merkle, ConsistencyFromTheEmptyTreeIsRefused) {
  const Log log(4);
  EXPECT_EQ(consistency_proof(log.tree, 0, 4).error(), tlog_errc::proof_malformed);
  EXPECT_EQ(verify_consistency(0, 4, {}, empty_root(), tree_head(log.tree, 4).value()).error(),
            tlog_errc::proof_malformed);
}

// What the hub stores: appending leaf i stores the leaf and each subtree it completes.
TEST(Merkle, AppendingCompletesTheSubtreesItCloses) {
  MemoryTree tree;
  for (std::uint64_t i = 0; i < 7; ++i) {
    tree.append(leaf_hash(entry(i)));
  }
  const auto done = complete_with(tree, 7, leaf_hash(entry(7))).value();
  ASSERT_EQ(done.size(), 4U);  // the leaf, then levels 1, 2 and 3 (the whole tree of 8)
  EXPECT_EQ(done[3].level, 3U);
  EXPECT_EQ(done[3].index, 0U);
  tree.append(leaf_hash(entry(7)));
  EXPECT_EQ(done[3].hash, tree_head(tree, 8).value());
  EXPECT_EQ(complete_with(tree, 8, leaf_hash(entry(8))).value().size(), 1U);
  // A source without the left sibling cannot complete the parent.
  const MemoryTree empty;
  EXPECT_EQ(complete_with(empty, 1, leaf_hash(entry(1))).error(), tlog_errc::hash_missing);
}

}  // namespace
}  // namespace draaischijf::protocol::merkle
