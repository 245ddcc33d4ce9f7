#pragma once

// The rule set the hub enforces, loaded at startup and again on reload (SIGHUP): the
// operator-signed files named in
// [policy], or for the development deployment the rule set built into the binary, signed on
// first start with an operator key the deployment keeps in data_dir/dev-pki. Either way the
// hub only ever evaluates a rule set whose signature it verified, and it serves the same text
// and signature to clients (GET /v1/policy) so that their pre-check uses the same rules.

#include <memory>
#include <mutex>
#include <string>

#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server {

struct HubPolicy {
  std::shared_ptr<const policies::RuleSet> rules;
  std::string text;       // the rule file as signed
  std::string signature;  // its signature line (policies::format_signature)
  protocol::SigningPublicKey operator_key{};
};

/// Throws std::runtime_error (startup) naming the file and what is wrong: a missing or
/// half-configured [policy], an unreadable file, a signature that does not verify, a rule
/// file that does not parse.
[[nodiscard]] HubPolicy load_hub_policy(const HubConfig& config);

/// The rule set in force, replaced as a whole when the operator reloads it. Every reader takes
/// one snapshot for what it does, so a decision never mixes two rule sets and a reload never
/// waits for the requests in flight (they finish under the rule set they began with).
class PolicyInForce {
 public:
  explicit PolicyInForce(HubPolicy initial)
      : current_(std::make_shared<const HubPolicy>(std::move(initial))) {}

  [[nodiscard]] std::shared_ptr<const HubPolicy> get() const {
    const std::lock_guard lock(mutex_);
    return current_;
  }
  /// Only with a rule set whose signature load_hub_policy verified.
  void replace(HubPolicy verified) {
    auto fresh = std::make_shared<const HubPolicy>(std::move(verified));
    const std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const HubPolicy> current_;
};

}  // namespace draaischijf::server
