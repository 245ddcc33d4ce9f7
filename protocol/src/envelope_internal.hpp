#pragma once

// Internal to the protocol library and its tests: sealing with labels chosen by the caller. The
// public seal() always derives the category label from the fragments; tests use this to play a
// sender that lies about its labels and check that recipients catch it.

#include <draaischijf/protocol/envelope.hpp>

namespace draaischijf::protocol::detail {

[[nodiscard]] Result<void> seal_with_labels(const Draft& draft, const Sender& sender,
                                            std::span<const MailboxEpochCertificate> recipients,
                                            std::uint64_t created_at_ms,
                                            CategorySet declared_categories,
                                            std::vector<std::uint8_t>& out);

}  // namespace draaischijf::protocol::detail
