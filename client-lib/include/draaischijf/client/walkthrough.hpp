#pragma once

// A self-contained run of the protocol between a CLB and a CAW, for newcomers and for the
// README's first command: organisations, devices, mailbox epochs, a sealed doorverwijzing, what
// the hub sees, how the CAW opens and verifies it, and a mailbox rotation.

#include <iosfwd>

#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::client {

/// Prints each step to `out`; returns 0 when every check held, 1 otherwise.
/// `clock` dates the certificates and the envelope.
[[nodiscard]] int run_walkthrough(std::ostream& out,
                                  const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::client
