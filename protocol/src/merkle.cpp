#include <algorithm>
#include <bit>

#include <sodium.h>

#include <draaischijf/protocol/merkle.hpp>

namespace draaischijf::protocol::merkle {
namespace {

Hash sha256_prefixed(std::uint8_t prefix, std::span<const std::uint8_t> a,
                     std::span<const std::uint8_t> b) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, a.data(), a.size());
  crypto_hash_sha256_update(&state, b.data(), b.size());
  Hash out{};
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

// The largest power of two strictly smaller than n (n >= 2): RFC 6962's split point k.
std::uint64_t split_point(std::uint64_t n) noexcept { return std::bit_floor(n - 1); }

// The hash of leaves [begin, end) when begin starts a subtree of the tree being proved (every
// range the RFC 6962 recursion meets does): the range is complete subtrees of decreasing size,
// and its hash folds them from the right.
Result<Hash> range_hash(const HashSource& source, std::uint64_t begin, std::uint64_t end) {
  std::vector<Hash> parts;
  while (begin < end) {
    std::uint64_t width = std::bit_floor(end - begin);
    // Aligned: a stored subtree starts at a multiple of its width.
    while (begin % width != 0) {
      width >>= 1U;
    }
    const auto level = static_cast<unsigned>(std::countr_zero(width));
    auto hash = source.subtree(level, begin >> level);
    if (!hash) {
      return hash.error();
    }
    parts.push_back(*hash);
    begin += width;
  }
  if (parts.empty()) {
    return empty_root();
  }
  Hash folded = parts.back();
  for (auto it = parts.rbegin() + 1; it != parts.rend(); ++it) {
    folded = node_hash(*it, folded);
  }
  return folded;
}

// RFC 9162 2.1.3.1 PATH(m, D[begin:end]), appended to `out` leaf-first.
Result<void> path(const HashSource& source, std::uint64_t m, std::uint64_t begin, std::uint64_t end,
                  std::vector<Hash>& out) {
  if (end - begin == 1) {
    return {};
  }
  const std::uint64_t k = split_point(end - begin);
  const bool left = m < begin + k;
  auto inner = left ? path(source, m, begin, begin + k, out) : path(source, m, begin + k, end, out);
  if (!inner) {
    return inner;
  }
  auto sibling = left ? range_hash(source, begin + k, end) : range_hash(source, begin, begin + k);
  if (!sibling) {
    return sibling.error();
  }
  out.push_back(*sibling);
  return {};
}

// RFC 9162 2.1.4.1 SUBPROOF(m, D[begin:end], b), appended to `out`.
Result<void> subproof(const HashSource& source, std::uint64_t m, std::uint64_t begin,
                      std::uint64_t end, bool whole, std::vector<Hash>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (whole) {
      return {};
    }
    auto hash = range_hash(source, begin, end);
    if (!hash) {
      return hash.error();
    }
    out.push_back(*hash);
    return {};
  }
  const std::uint64_t k = split_point(n);
  const bool left = m <= k;
  auto inner = left ? subproof(source, m, begin, begin + k, whole, out)
                    : subproof(source, m - k, begin + k, end, false, out);
  if (!inner) {
    return inner;
  }
  auto sibling = left ? range_hash(source, begin + k, end) : range_hash(source, begin, begin + k);
  if (!sibling) {
    return sibling.error();
  }
  out.push_back(*sibling);
  return {};
}

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Shifts fn and sn right together until fn's lowest bit is set or fn is zero.
void shift_while_even(std::uint64_t& fn, std::uint64_t& sn) noexcept {
  while (fn != 0 && (fn & 1U) == 0) {
    fn >>= 1U;
    sn >>= 1U;
  }
}

}  // namespace

Hash leaf_hash(std::span<const std::uint8_t> data) { return sha256_prefixed(0x00, data, {}); }

Hash node_hash(const Hash& left, const Hash& right) { return sha256_prefixed(0x01, left, right); }

Hash empty_root() {
  Hash out{};
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

Result<Hash> tree_head(const HashSource& source, std::uint64_t size) {
  return range_hash(source, 0, size);
}

Result<std::vector<Hash>> inclusion_proof(const HashSource& source, std::uint64_t index,
                                          std::uint64_t size) {
  if (index >= size) {
    return tlog_errc::proof_malformed;
  }
  std::vector<Hash> out;
  if (auto made = path(source, index, 0, size, out); !made) {
    return made.error();
  }
  return out;
}

Result<std::vector<Hash>> consistency_proof(const HashSource& source, std::uint64_t size1,
                                            std::uint64_t size2) {
  if (size1 == 0 || size1 > size2) {
    return tlog_errc::proof_malformed;
  }
  std::vector<Hash> out;
  if (size1 == size2) {
    return out;
  }
  if (auto made = subproof(source, size1, 0, size2, true, out); !made) {
    return made.error();
  }
  return out;
}

Result<void> verify_inclusion(std::span<const std::uint8_t> leaf, std::uint64_t index,
                              std::uint64_t size, std::span<const Hash> proof,
                              std::span<const std::uint8_t> root) {
  if (index >= size || leaf.size() != Hash{}.size()) {
    return tlog_errc::proof_malformed;
  }
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r{};
  std::copy(leaf.begin(), leaf.end(), r.begin());
  for (const Hash& p : proof) {
    if (sn == 0) {
      return tlog_errc::proof_malformed;  // more proof than the tree has levels
    }
    if ((fn & 1U) != 0 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1U) == 0) {
        shift_while_even(fn, sn);
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0) {
    return tlog_errc::proof_malformed;  // the proof stops below the root
  }
  if (!equal(r, root)) {
    return tlog_errc::proof_mismatch;
  }
  return {};
}

Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2,
                                std::span<const Hash> proof, std::span<const std::uint8_t> root1,
                                std::span<const std::uint8_t> root2) {
  if (size1 == 0 || size1 > size2) {
    return tlog_errc::proof_malformed;
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return tlog_errc::proof_malformed;
    }
    if (!equal(root1, root2)) {
      return tlog_errc::proof_mismatch;
    }
    return {};
  }
  if (proof.empty()) {
    return tlog_errc::proof_malformed;
  }
  // When size1 is a power of two, the old tree is itself a node of the new one and its head is
  // the first element of the path the verifier walks.
  std::vector<Hash> walk;
  walk.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) {
    if (root1.size() != Hash{}.size()) {
      return tlog_errc::proof_mismatch;
    }
    Hash first{};
    std::copy(root1.begin(), root1.end(), first.begin());
    walk.push_back(first);
  }
  walk.insert(walk.end(), proof.begin(), proof.end());
  std::uint64_t fn = size1 - 1;
  std::uint64_t sn = size2 - 1;
  while ((fn & 1U) != 0) {
    fn >>= 1U;
    sn >>= 1U;
  }
  Hash fr = walk.front();
  Hash sr = walk.front();
  for (auto it = walk.begin() + 1; it != walk.end(); ++it) {
    if (sn == 0) {
      return tlog_errc::proof_malformed;
    }
    if ((fn & 1U) != 0 || fn == sn) {
      fr = node_hash(*it, fr);
      sr = node_hash(*it, sr);
      if ((fn & 1U) == 0) {
        shift_while_even(fn, sn);
      }
    } else {
      sr = node_hash(sr, *it);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0) {
    return tlog_errc::proof_malformed;
  }
  if (!equal(fr, root1) || !equal(sr, root2)) {
    return tlog_errc::proof_mismatch;
  }
  return {};
}

Result<std::vector<CompletedSubtree>> complete_with(const HashSource& source, std::uint64_t index,
                                                    const Hash& leaf) {
  std::vector<CompletedSubtree> out{{0, index, leaf}};
  unsigned level = 0;
  std::uint64_t position = index;
  // A right child (odd position) completes its parent, whose left child is already stored.
  while ((position & 1U) != 0) {
    auto left = source.subtree(level, position - 1);
    if (!left) {
      return left.error();
    }
    const Hash parent = node_hash(*left, out.back().hash);
    ++level;
    position >>= 1U;
    out.push_back({level, position, parent});
  }
  return out;
}

std::uint64_t MemoryTree::append(const Hash& leaf) {
  const std::uint64_t index = size();
  // The source holds every subtree a new leaf can need: this cannot fail.
  for (const CompletedSubtree& done : complete_with(*this, index, leaf).value()) {
    if (levels_.size() <= done.level) {
      levels_.resize(done.level + 1);
    }
    levels_[done.level].push_back(done.hash);
  }
  return index;
}

Result<Hash> MemoryTree::subtree(unsigned level, std::uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return tlog_errc::hash_missing;
  }
  return levels_[level][index];
}

}  // namespace draaischijf::protocol::merkle
