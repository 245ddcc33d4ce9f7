#pragma once

// `draaischijf policy test|explain`: runs the policy rule set against its case table, or decides
// one request and explains why, so a data-protection officer can check a change to the rules
// before the hub operator signs it. Needs no profile, no key store and no hub.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::cli {

/// `words` are the command line after the global options, starting with "policy";
/// `json_output` is the global --json. Returns the process exit code (draaischijf --help).
[[nodiscard]] int policy_command(const std::vector<std::string_view>& words, bool json_output,
                                 std::ostream& out, std::ostream& err);

/// The operator's policy key: a policy-signing.pub file as `draaischijf-hub policy keygen`
/// writes it, or its base64 line given directly.
[[nodiscard]] std::optional<protocol::SigningPublicKey> operator_key(const std::string& given);

}  // namespace draaischijf::cli
