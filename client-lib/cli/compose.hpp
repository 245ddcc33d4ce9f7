#pragma once

// `draaischijf send` and `draaischijf approve`: one composition from the same arguments, so
// the colleague who approves signs exactly the message the sender will send.

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

/// send KIND --to MAILBOX ... : the policy pre-check, then seal, submit and verify the receipt.
[[nodiscard]] int send_command(client::Client& client, const Context& context,
                               const Arguments& args);

/// approve KIND --to MAILBOX ... --message-id HEX [--thread-id HEX]: shows what is approved,
/// signs it with this device's key and hands it to the hub; prints the approval id.
[[nodiscard]] int approve_command(client::Client& client, const Context& context,
                                  const Arguments& args);

/// approval request KIND --to MAILBOX ... [--approver ROLE]: sends the draft to the mailbox of
/// the role whose second approval the pre-check asks (or --approver), as a request the approver
/// opens and answers (approval list|approve|decline); prints the ids the send keeps.
[[nodiscard]] int approval_request_command(client::Client& client, const Context& context,
                                           const Arguments& args);

}  // namespace draaischijf::cli
