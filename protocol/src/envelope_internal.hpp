#pragma once

// Internal to the protocol library and its tests: sealing with labels chosen by the caller. The
// public seal() always derives the category, pupil and attachment labels from the content and
// refuses pupil categories without a pupil; tests use this to play a sender that lies about its
// labels and check that the hub and recipients catch it.

#include <draaischijf/protocol/envelope.hpp>

namespace draaischijf::protocol::detail {

struct DeclaredLabels {
  CategorySet categories;
  Hash256 pupil_pseudonym{};
  std::vector<Id> attachments;  // written as given: unsorted or repeated ids too
};

[[nodiscard]] Result<void> seal_with_labels(const Draft& draft, const Sender& sender,
                                            std::span<const MailboxEpochCertificate> recipients,
                                            std::uint64_t created_at_ms,
                                            const DeclaredLabels& declared,
                                            std::vector<std::uint8_t>& out);

}  // namespace draaischijf::protocol::detail
