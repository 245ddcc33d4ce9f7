#pragma once

// The witness's HTTPS front: TLS 1.3 only (the hub's settings), one thread, so requests are
// answered one at a time and the state is never raced. POST /add-checkpoint goes to the
// Witness; everything else is 404 or 405.

#include <draaischijf/witness/config.hpp>
#include <draaischijf/witness/witness.hpp>

namespace draaischijf::witness {

/// Serves until SIGTERM or SIGINT; logs "listening" with the port as a JSON line first. Throws
/// std::runtime_error at startup (TLS files, address).
void serve(const WitnessConfig& config, Witness& witness);

}  // namespace draaischijf::witness
