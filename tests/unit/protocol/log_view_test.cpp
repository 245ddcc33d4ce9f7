// A follower's step from one checkpoint to the next: growth with a good proof is taken; a
// smaller checkpoint (rollback), another root at the same size or a rewritten past (fork) and
// another log's checkpoint are refused, each with its own error.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_view.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::string_view kOrigin = "hub.example/draaischijf/directory";

std::vector<std::uint8_t> entry(std::uint64_t i, std::string_view variant = "") {
  const std::string text = std::string(variant) + "entry " + std::to_string(i);
  return {text.begin(), text.end()};
}

struct Log {
  merkle::MemoryTree tree;
  explicit Log(std::uint64_t n, std::uint64_t forked_from = UINT64_MAX) {
    for (std::uint64_t i = 0; i < n; ++i) {
      tree.append(merkle::leaf_hash(entry(i, i >= forked_from ? "forked " : "")));
    }
  }
  [[nodiscard]] note::Checkpoint at(std::uint64_t size) const {
    return {std::string(kOrigin), size, merkle::tree_head(tree, size).value(), {}};
  }
  [[nodiscard]] std::vector<merkle::Hash> proof(std::uint64_t from, std::uint64_t to) const {
    return merkle::consistency_proof(tree, from, to).value();
  }
};

TEST(LogView, GrowthWithAConsistencyProofIsTaken) {
  const Log log(20);
  for (std::uint64_t from = 1; from <= 20; ++from) {
    for (const std::uint64_t to : {from, from + 1, std::uint64_t{20}}) {
      if (to <= 20) {
        EXPECT_TRUE(check_extends(log.at(from), log.at(to), log.proof(from, to)).has_value())
            << from << " -> " << to;
      }
    }
  }
  EXPECT_TRUE(check_extends(log.at(0), log.at(20), {}).has_value());
}

TEST(LogView, ARollbackIsRefused) {
  const Log log(20);
  EXPECT_EQ(check_extends(log.at(12), log.at(11), {}).error(), tlog_errc::log_rollback);
  EXPECT_EQ(check_extends(log.at(12), log.at(0), {}).error(), tlog_errc::log_rollback);
}

TEST(LogView, AForkIsRefused) {
  const Log honest(20);
  const Log forked(20, 7);  // the same first 7 entries, then others
  // Same size, another root.
  EXPECT_EQ(check_extends(honest.at(12), forked.at(12), {}).error(), tlog_errc::log_fork);
  // A larger tree whose past differs, with the forked log's own (self-consistent) proof.
  EXPECT_EQ(check_extends(honest.at(12), forked.at(20), forked.proof(12, 20)).error(),
            tlog_errc::log_fork);
  // Up to the fork point the two agree: that step is honest.
  EXPECT_TRUE(check_extends(honest.at(7), forked.at(20), forked.proof(7, 20)).has_value());
  // An empty tree with another head.
  note::Checkpoint fake_empty = honest.at(0);
  fake_empty.root[0] ^= 1U;
  EXPECT_EQ(check_extends(fake_empty, honest.at(3), {}).error(), tlog_errc::log_fork);
}

TEST(LogView, AnotherLogsCheckpointIsRefused) {
  const Log log(5);
  note::Checkpoint other = log.at(5);
  other.origin = "hub.example/draaischijf/record";
  EXPECT_EQ(check_extends(log.at(3), other, log.proof(3, 5)).error(),
            tlog_errc::checkpoint_wrong_origin);
}

TEST(LogView, AnEntryIsIncludedOnlyAtItsIndexWithItsBytes) {
  const Log log(9);
  const auto proof = merkle::inclusion_proof(log.tree, 4, 9).value();
  EXPECT_TRUE(check_included(log.at(9), entry(4), 4, proof).has_value());
  EXPECT_EQ(check_included(log.at(9), entry(4, "edited "), 4, proof).error(),
            tlog_errc::proof_mismatch);
  EXPECT_FALSE(check_included(log.at(9), entry(4), 5, proof).has_value());
  EXPECT_EQ(check_included(log.at(4), entry(4), 4, proof).error(), tlog_errc::proof_malformed);
}

}  // namespace
}  // namespace draaischijf::protocol
