#include <draaischijf/policies/decision.hpp>

namespace draaischijf::policies {

Decision evaluate(const RuleSet& rules, const Request& /*request*/) {
  // No rule allows anything yet: the default-deny rule answers every request.
  Decision decision;
  decision.outcome = Outcome::deny;
  decision.policy_version = rules.version();
  decision.reasons.push_back(
      {"R00",
       "Geen regel laat deze uitwisseling toe; zonder uitdrukkelijke toelating verlaat niets het "
       "CLB.",
       "No rule allows this exchange; without an explicit permission nothing leaves the CLB."});
  return decision;
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::allow:
      return "allow";
    case Outcome::deny:
      return "deny";
    case Outcome::needs_consent:
      return "needs_consent";
    case Outcome::needs_second_approval:
      return "needs_second_approval";
  }
  return "deny";
}

}  // namespace draaischijf::policies
