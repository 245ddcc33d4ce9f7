// Envelope parser and opener on arbitrary bytes: never crash, never throw, and an envelope that
// parses keeps its body inside the input and lists a bounded, ascending set of attachment blobs
// (the hub grants each one it lists); one that opens gossips at most one checkpoint per log.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>

#include "fuzz_keys.hpp"

namespace {

struct Keys {
  draaischijf::protocol::MailboxKeyring keyring;
  draaischijf::protocol::TrustStore trust;
  Keys() {
    keyring.add(draaischijf::fuzzing::mailbox_id(), 0, draaischijf::fuzzing::mailbox_key());
    trust.add(draaischijf::fuzzing::organisation_id(),
              draaischijf::fuzzing::organisation_key().public_key());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Keys keys;
  const std::span<const std::uint8_t> input(data, size);
  const auto parsed = draaischijf::protocol::parse_envelope(input);
  if (parsed &&
      (parsed->outer_bytes.size() + parsed->body.size() != size ||
       parsed->outer.recipients.empty() ||
       parsed->outer.attachments.size() > draaischijf::protocol::kMaxAttachments ||
       std::adjacent_find(parsed->outer.attachments.begin(), parsed->outer.attachments.end(),
                          std::greater_equal<>()) != parsed->outer.attachments.end())) {
    std::abort();
  }
  // What opens carries at most one gossiped checkpoint per log, in origin order.
  const auto opened = draaischijf::protocol::open(input, keys.keyring, keys.trust);
  if (opened && (opened->checkpoints.size() > draaischijf::protocol::kMaxGossipedCheckpoints ||
                 !std::is_sorted(opened->checkpoints.begin(), opened->checkpoints.end()))) {
    std::abort();
  }
  return 0;
}
