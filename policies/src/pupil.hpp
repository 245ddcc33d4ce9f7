#pragma once

// The pupil's age and competency on the decision date, and who must consent under a rule.
// Shared by evaluate() and validate_consent() so both derive the giver the same way.

#include <cstdint>

#include <draaischijf/policies/request.hpp>
#include <draaischijf/policies/rule_set.hpp>

namespace draaischijf::policies::detail {

struct PupilStatus {
  int age = -1;                // -1: unknown
  std::int8_t competent = -1;  // -1: unknown
  bool adult = false;
};

[[nodiscard]] PupilStatus pupil_status(const PupilFacts& pupil, CivilDate date,
                                       const Settings& settings) noexcept;

struct Parties {
  bool ouders = false;
  bool leerling = false;
  [[nodiscard]] bool any() const noexcept { return ouders || leerling; }
};

/// Who must consent. G(age, competency) is the pupil when competent and the parents (or voogd)
/// otherwise; when competency is unknown both must consent. A competent adult has no parental
/// consent: a rule that asks the parents asks the adult pupil instead.
[[nodiscard]] Parties parties_for(ConsentSource source, const PupilStatus& status) noexcept;

[[nodiscard]] std::optional<ConsentGiver> giver_of(const Parties& parties) noexcept;

}  // namespace draaischijf::policies::detail
