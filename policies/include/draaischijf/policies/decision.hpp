#pragma once

// The policy engine's contract: evaluate(request) -> Decision. A decision is a value, never an
// error: allow, deny, needs_consent or needs_second_approval, with the ids of the rules that
// decided and the reasons in Dutch and English. Default deny: with no rule that allows, the
// answer is deny, so an empty or missing rule set can never let a fragment out.

#include <string>
#include <vector>

#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::policies {

enum class Outcome { allow, deny, needs_consent, needs_second_approval };

struct Reason {
  std::string rule_id;
  std::string nl;
  std::string en;
};

struct Decision {
  Outcome outcome = Outcome::deny;
  std::vector<Reason> reasons;
  std::string policy_version;
};

struct Request {
  protocol::OrgType sender_org_type = protocol::OrgType::clb;
  protocol::StaffRole sender_role = protocol::StaffRole::clb_onthaal;
  protocol::OrgType recipient_org_type = protocol::OrgType::clb;
  protocol::MessageKind kind = protocol::MessageKind::signaal;
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  protocol::CategorySet categories;
};

/// A loaded rule set. Until the Flemish CLB rule set is loaded it holds no rules.
class RuleSet {
 public:
  [[nodiscard]] const std::string& version() const noexcept { return version_; }
  [[nodiscard]] bool empty() const noexcept { return true; }

 private:
  std::string version_ = "none";
};

/// Pure and deterministic.
[[nodiscard]] Decision evaluate(const RuleSet& rules, const Request& request);

[[nodiscard]] std::string_view to_string(Outcome outcome) noexcept;

}  // namespace draaischijf::policies
