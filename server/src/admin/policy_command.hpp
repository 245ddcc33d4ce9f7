#pragma once

// The operator's signing tool for the policy rule set (`draaischijf-hub policy ...`):
//
//   policy keygen --out DIR                      policy-signing.key (0600) and .pub in DIR
//   policy sign --key PRIVATE_KEY RULES [--out SIG]
//   policy verify --key PUBLIC_KEY RULES [SIG]
//
// The private key file holds the raw 32-byte Ed25519 seed, like the hub's hub-signing.key; the
// public key is one base64 line (policies::format_operator_key), like hub-signing.pub. The seed
// lives only in protocol::SecretKey / SigningKey and is never printed.
// Exit codes: 0 done, 1 refused or failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

namespace draaischijf::server {

/// `args` are the words after "policy".
[[nodiscard]] int policy_command(const std::vector<std::string_view>& args, std::ostream& out,
                                 std::ostream& err);

}  // namespace draaischijf::server
