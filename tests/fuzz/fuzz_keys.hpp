#pragma once

// Fixed keys for the fuzz targets and the seed generator, derived from constant seeds so that
// seeds written once keep reaching the decryption paths. Fuzzing material only: these keys
// protect nothing.

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>

// The libFuzzer entry point every target defines.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace draaischijf::fuzzing {

inline protocol::EpochSeed fixed_seed(std::uint8_t label) {
  std::array<std::uint8_t, 32> bytes{};
  bytes.fill(label);
  return protocol::EpochSeed::copy_of(bytes);
}

inline protocol::Id fixed_id(std::uint8_t label) {
  protocol::Id id{};
  id.fill(label);
  return id;
}

inline protocol::SigningKey organisation_key() {
  return protocol::SigningKey::from_seed(fixed_seed(1));
}

inline protocol::Id organisation_id() { return fixed_id(2); }
inline protocol::Id mailbox_id() { return fixed_id(3); }

inline protocol::age::X25519Identity mailbox_key() {
  return protocol::mailbox_identity(fixed_seed(4));
}

}  // namespace draaischijf::fuzzing
