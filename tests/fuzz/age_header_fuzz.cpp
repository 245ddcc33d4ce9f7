// age header parser, stanza unwrapping and payload decryption on arbitrary bytes.

#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "fuzz_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto identity = draaischijf::fuzzing::mailbox_key();
  const std::span<const std::uint8_t> input(data, size);
  const auto header = draaischijf::protocol::age::parse_header(input);
  if (header && header->length > size) {
    std::abort();
  }
  const auto in_memory = draaischijf::protocol::age::decrypt(input, {&identity, 1});
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  const auto streamed = draaischijf::protocol::age::decrypt_stream(in, {&identity, 1}, out);
  if (in_memory.has_value() != streamed.has_value()) {
    std::abort();  // the two readers must agree on every input
  }
  return 0;
}
