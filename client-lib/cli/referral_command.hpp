#pragma once

// The referral lifecycle (docs/WORKFLOW.md 3):
//   referral status MESSAGE_ID STATE [--reason R | --from DATE | --on DATE | --outcome O]
//   referral cancel MESSAGE_ID [--partner ORG]
//   referrals [--state S] [--partner ORG] [--overdue]
// Each statement is signed on this device; each listed history is checked on this device.

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

[[nodiscard]] int referral_status_command(client::Client& client, const Context& context,
                                          const Arguments& args);
[[nodiscard]] int referral_cancel_command(client::Client& client, const Context& context,
                                          const Arguments& args);
[[nodiscard]] int referrals_command(client::Client& client, const Context& context,
                                    const Arguments& args);

}  // namespace draaischijf::cli
