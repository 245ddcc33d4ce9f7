#pragma once

// Internal to the protocol library and its tests: sealing with labels chosen by the caller. The
// public seal() always derives the category, pupil and attachment labels from the content and
// refuses pupil categories without a pupil; tests use this to play a sender that lies about its
// labels and check that the hub and recipients catch it.

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include <draaischijf/protocol/envelope.hpp>

namespace draaischijf::protocol::detail {

struct DeclaredLabels {
  CategorySet categories;
  Hash256 pupil_pseudonym{};
  std::vector<Id> attachments;  // written as given: unsorted or repeated ids too
};

/// The end of the signed inner region as the caller writes it (PROTOCOL.md 7.7).
struct DeclaredGossip {
  /// The gossiped checkpoints, written as given (any text, order or count that fits the wire).
  std::vector<std::string> checkpoints;
  /// 3; 2 plays a sender from before the gossip (no checkpoint block is written).
  std::uint8_t inner_version = 3;
};

[[nodiscard]] Result<void> seal_with_labels(const Draft& draft, const Sender& sender,
                                            std::span<const MailboxEpochCertificate> recipients,
                                            std::uint64_t created_at_ms,
                                            const DeclaredLabels& declared,
                                            std::vector<std::uint8_t>& out,
                                            const DeclaredGossip& gossip = {});

/// The two halves of the signed message of 7.8, as values: the outer digest over the outer part
/// and the age header (`envelope[0 .. B + H - 1]`), and the inner root over the signed region of
/// the inner part (`INNER[0 .. L - 1]`). Exposed so the known-answer vectors can compare them
/// with an independent implementation; seal and open use the same functions.
using Digest512 = std::array<std::uint8_t, 64>;
[[nodiscard]] Digest512 outer_digest_of(std::span<const std::uint8_t> outer_and_header);
[[nodiscard]] Digest512 inner_root_of(std::span<const std::uint8_t> signed_region);

}  // namespace draaischijf::protocol::detail
