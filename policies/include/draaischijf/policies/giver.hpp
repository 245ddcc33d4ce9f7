#pragma once

// Who gives consent for a pupil on a date (docs/POLICY.md 2), for a person registering a
// consent: the same derivation validate_consent() and evaluate() apply (R32), so a form can
// offer the giver the hub will accept instead of a guess of its own.

#include <optional>

#include <draaischijf/policies/request.hpp>
#include <draaischijf/policies/rule_set.hpp>

namespace draaischijf::policies {

/// The pupil as the engine sees them on one date, and the giver that follows.
struct GiverOnDate {
  /// ouders, leerling, or beiden when the age is unknown (both must consent then).
  ConsentGiver giver = ConsentGiver::beiden;
  int age = -1;  // completed years on the date; -1 when neither birth date nor age is known
  bool adult = false;
  /// Whether the pupil counts as competent: 1 yes, 0 no, -1 unknown (no age known).
  int competent = -1;
};

/// The giver for `pupil` on `date` under `settings` (competency_age, adult_age).
[[nodiscard]] GiverOnDate consent_giver_on(const PupilFacts& pupil, CivilDate date,
                                           const Settings& settings) noexcept;

}  // namespace draaischijf::policies
