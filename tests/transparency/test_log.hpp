#pragma once

// A transparency log kept in memory for the witness tests, as the hub keeps one: entries, a
// key, signed checkpoints and the add-checkpoint body with its consistency proof.

#include <string>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>

#include "test_support.hpp"

namespace draaischijf::testing {

namespace merkle = protocol::merkle;
namespace note = protocol::note;

// A log as the hub keeps one: entries, a key, signed checkpoints and consistency proofs.
struct TestLog {
  std::string origin = "draaischijf-hub/00112233aabbccdd/record";
  protocol::SigningKey key = protocol::SigningKey::generate();
  merkle::MemoryTree tree;

  TestLog() = default;
  // The same log (origin, key, entries) as `other` now; its entries are all grow()'s "entry".
  TestLog(const TestLog& other)
      : origin(other.origin), key(protocol::SigningKey::from_seed(other.key.expose_seed())) {
    grow(other.tree.size());
  }
  TestLog& operator=(const TestLog&) = delete;

  [[nodiscard]] note::VerifierKey vkey() const {
    return {origin, note::kEd25519, key.public_key()};
  }
  void grow(std::size_t n, std::string_view tag = "entry") {
    for (std::size_t i = 0; i < n; ++i) {
      const std::string entry = std::string(tag) + std::to_string(tree.size());
      tree.append(merkle::leaf_hash(view_of(entry)));
    }
  }
  [[nodiscard]] note::Checkpoint head() const {
    return {origin, tree.size(), merkle::tree_head(tree, tree.size()).value(), {}};
  }
  [[nodiscard]] std::string checkpoint() const { return note::sign_checkpoint(key, head()); }
  // The add-checkpoint body from `old`, written out as tlog-witness shows it.
  [[nodiscard]] std::string request(std::uint64_t old) const {
    std::string body = "old " + std::to_string(old) + "\n";
    if (old != 0 && old != tree.size()) {
      for (const auto& hash : merkle::consistency_proof(tree, old, tree.size()).value()) {
        body += note::encode_base64_padded(hash) + "\n";
      }
    }
    return body + "\n" + checkpoint();
  }
};

}  // namespace draaischijf::testing
