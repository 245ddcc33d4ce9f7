// Signed notes, checkpoints, cosignatures, vkeys and Merkle proof verification on untrusted
// bytes: never crash, and whatever parses re-encodes to exactly the input (one encoding).

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/note.hpp>

#include "fuzz_keys.hpp"

namespace {

namespace note = draaischijf::protocol::note;
namespace merkle = draaischijf::protocol::merkle;

void must(bool condition) {
  if (!condition) {
    std::abort();
  }
}

// The input read as two sizes and a proof: the verifiers' loops on arbitrary sizes.
void verify_as_proof(std::span<const std::uint8_t> input) {
  if (input.size() < 16) {
    return;
  }
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    a = (a << 8U) | input[i];
    b = (b << 8U) | input[8 + i];
  }
  std::vector<merkle::Hash> proof((input.size() - 16) / 32);
  for (std::size_t i = 0; i < proof.size(); ++i) {
    std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(16 + 32 * i), 32, proof[i].begin());
  }
  const merkle::Hash root = proof.empty() ? merkle::empty_root() : proof.front();
  (void)merkle::verify_inclusion(root, a, b, proof, root);
  (void)merkle::verify_consistency(a, b, proof, root, root);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto log_key = draaischijf::fuzzing::organisation_key();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = note::parse(text)) {
    must(note::encode(*parsed) == text);
    const note::VerifierKey key{"hub.example/draaischijf/directory", note::kEd25519,
                                log_key.public_key()};
    (void)note::verify(*parsed, key);
    (void)note::verify_cosignature(
        *parsed, {"witness.example/w1", note::kCosignatureV1, log_key.public_key()});
    if (const auto opened = note::open_checkpoint(text, key, key.name)) {
      must(note::checkpoint_text(opened->checkpoint) == parsed->text);
    }
  }
  if (const auto checkpoint = note::parse_checkpoint_text(text)) {
    must(note::checkpoint_text(*checkpoint) == text);
  }
  if (const auto vkey = note::parse_vkey(text)) {
    must(note::encode_vkey(*vkey) == text);
  }
  verify_as_proof({data, size});
  return 0;
}
