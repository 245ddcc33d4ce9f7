// Certificate, receipt (and its decisions) and second-approval parsers: never crash, and whatever
// parses re-encodes to exactly the input (one canonical encoding).

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "fuzz_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto key = draaischijf::fuzzing::organisation_key();
  const std::span<const std::uint8_t> input(data, size);
  if (const auto device = draaischijf::protocol::parse_device_certificate(input)) {
    const auto again = draaischijf::protocol::encode(*device);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) {
      std::abort();
    }
    (void)draaischijf::protocol::verify(*device, key.public_key(), device->not_before);
  }
  if (const auto epoch = draaischijf::protocol::parse_epoch_certificate(input)) {
    const auto again = draaischijf::protocol::encode(*epoch);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) {
      std::abort();
    }
    (void)draaischijf::protocol::verify(*epoch, key.public_key());
  }
  if (const auto receipt = draaischijf::protocol::parse_receipt(input)) {
    const auto again = draaischijf::protocol::encode(*receipt);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) {
      std::abort();
    }
    (void)draaischijf::protocol::verify(*receipt, key.public_key());
  }
  // The decisions on their own: the form the hub stores with the envelope.
  if (const auto decided = draaischijf::protocol::parse_decisions(input)) {
    const auto again = draaischijf::protocol::encode_decisions(*decided);
    if (!again || !std::equal(again->begin(), again->end(), input.begin(), input.end())) {
      std::abort();
    }
  }
  if (const auto approval = draaischijf::protocol::parse_approval(input)) {
    const auto again = draaischijf::protocol::encode(*approval);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) {
      std::abort();
    }
    (void)draaischijf::protocol::verify_approval_signature(*approval);
  }
  return 0;
}
