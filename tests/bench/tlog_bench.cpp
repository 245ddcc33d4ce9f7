// The client's cost of checking that an entry is in a log of 10 million entries: verifying one
// RFC 6962 inclusion proof (24 hashes) against a checkpoint, next to a baseline measured in the
// same run, one SHA-256 of 64 bytes. The tree is real (every leaf and node hashed once, subtrees
// of 4096 leaves and more kept), the proofs come from protocol::merkle as the hub makes them.
//
//   build/bench/bin/tlog_bench [ENTRIES]

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

#include <sodium.h>

#include <draaischijf/protocol/log_view.hpp>

namespace {

namespace merkle = draaischijf::protocol::merkle;
using Clock = std::chrono::steady_clock;

std::vector<std::uint8_t> entry(std::uint64_t i) {
  std::vector<std::uint8_t> out(8);
  for (int b = 0; b < 8; ++b) {
    out[static_cast<std::size_t>(b)] =
        static_cast<std::uint8_t>(i >> (56U - 8U * static_cast<unsigned>(b)));
  }
  return out;
}

// Subtree hashes computed on demand from the leaves, the large ones remembered, so the head and
// the proofs of a 10-million-entry log cost about one pass over it.
class ComputedTree final : public merkle::HashSource {
 public:
  explicit ComputedTree(std::uint64_t size) : size_(size) {}
  [[nodiscard]] draaischijf::protocol::Result<merkle::Hash> subtree(
      unsigned level, std::uint64_t index) const override {
    if (((index + 1) << level) > size_) {
      return draaischijf::protocol::tlog_errc::hash_missing;
    }
    return compute(level, index);
  }

 private:
  merkle::Hash compute(unsigned level, std::uint64_t index) const {
    if (level == 0) {
      return merkle::leaf_hash(entry(index));
    }
    const auto key = std::make_pair(level, index);
    if (const auto found = memo_.find(key); found != memo_.end()) {
      return found->second;
    }
    const merkle::Hash h =
        merkle::node_hash(compute(level - 1, 2 * index), compute(level - 1, 2 * index + 1));
    if (level >= 12) {
      memo_[key] = h;
    }
    return h;
  }
  std::uint64_t size_;
  mutable std::map<std::pair<unsigned, std::uint64_t>, merkle::Hash> memo_;
};

template <class F>
double nanoseconds_each(std::size_t rounds, F&& f) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < rounds; ++i) {
    f(i);
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
         static_cast<double>(rounds);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    return 1;
  }
  const std::uint64_t size = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  const auto built = Clock::now();
  const ComputedTree tree(size);
  const draaischijf::protocol::note::Checkpoint checkpoint{
      "bench", size, merkle::tree_head(tree, size).value(), {}};
  // Proofs for entries spread over the log (the first, the last, the middle and between).
  constexpr std::size_t kProofs = 64;
  std::vector<std::uint64_t> indexes;
  std::vector<std::vector<merkle::Hash>> proofs;
  for (std::size_t k = 0; k < kProofs; ++k) {
    const std::uint64_t index = k == 0 ? 0 : (k == 1 ? size - 1 : (size / kProofs) * k + 7 * k);
    indexes.push_back(index);
    proofs.push_back(merkle::inclusion_proof(tree, index, size).value());
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - built).count();

  constexpr std::size_t kRounds = 200'000;
  std::size_t failures = 0;
  const double verify_ns = nanoseconds_each(kRounds, [&](std::size_t i) {
    const std::size_t k = i % kProofs;
    if (!draaischijf::protocol::check_included(checkpoint, entry(indexes[k]), indexes[k],
                                               proofs[k])) {
      ++failures;
    }
  });
  std::array<std::uint8_t, 64> block{};
  std::array<std::uint8_t, 32> digest{};
  const double sha_ns = nanoseconds_each(kRounds, [&](std::size_t i) {
    block[0] = static_cast<std::uint8_t>(i);
    crypto_hash_sha256(digest.data(), block.data(), block.size());
    block[1] ^= digest[0];
  });
  std::printf("log of %llu entries (tree and %zu proofs made in %.1f s), proof length %zu\n",
              static_cast<unsigned long long>(size), kProofs, build_s, proofs[2].size());
  std::printf("inclusion proof verified: %.2f us each (%zu failures)\n", verify_ns / 1000.0,
              failures);
  std::printf("baseline SHA-256 of 64 bytes: %.3f us each\n", sha_ns / 1000.0);
  std::printf("ratio: %.1f SHA-256s per verification\n", verify_ns / sha_ns);
  return failures == 0 ? 0 : 1;
}
