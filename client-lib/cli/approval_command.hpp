#pragma once

// The second-approval queue (docs/PROTOCOL.md 7.19), beside `approval request` (compose.hpp):
//   approval list                      requests waiting for this device's approval, with exactly
//                                      their content, and the answers to this team's requests
//   approval approve SEQ               signs the approval of the request's draft, answers
//   approval decline SEQ --reason TEXT answers that it is not approved, and why

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

[[nodiscard]] int approval_list_command(client::Client& client, const Context& context,
                                        const Arguments& args);
[[nodiscard]] int approval_answer_command(client::Client& client, const Context& context,
                                          const Arguments& args);

}  // namespace draaischijf::cli
