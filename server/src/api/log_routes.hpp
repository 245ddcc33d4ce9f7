#pragma once

// The transparency logs' routes (log_routes.cpp); router.cpp lists them.

#include "api/call.hpp"

namespace draaischijf::server::log_routes {

using api_call::Call;

[[nodiscard]] Task<Reply> get_checkpoint(Call& call);
[[nodiscard]] Task<Reply> get_inclusion_proof(Call& call);
[[nodiscard]] Task<Reply> get_consistency_proof(Call& call);
[[nodiscard]] Task<Reply> get_proof_by_hash(Call& call);
[[nodiscard]] Task<Reply> get_entry(Call& call);

}  // namespace draaischijf::server::log_routes
