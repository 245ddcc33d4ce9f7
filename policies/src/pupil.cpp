#include "pupil.hpp"

#include <draaischijf/policies/giver.hpp>

namespace draaischijf::policies::detail {

PupilStatus pupil_status(const PupilFacts& pupil, CivilDate date,
                         const Settings& settings) noexcept {
  PupilStatus status;
  if (pupil.birth_date) {
    const int age = age_on(*pupil.birth_date, date);
    status.age = age >= 0 ? age : -1;  // born after the decision date: not a known age
  } else if (pupil.age && *pupil.age >= 0) {
    status.age = *pupil.age;
  }
  status.adult = status.age >= settings.adult_age;
  if (status.adult) {
    // Re-derived at 18: the team's assessment of a minor no longer applies.
    status.competent = pupil.adult_incompetent ? 0 : 1;
  } else if (pupil.competency == Competency::bekwaam) {
    status.competent = 1;
  } else if (pupil.competency == Competency::onbekwaam) {
    status.competent = 0;
  } else if (status.age >= 0) {
    status.competent = status.age >= settings.competency_age ? 1 : 0;
  }
  return status;
}

Parties parties_for(ConsentSource source, const PupilStatus& status) noexcept {
  Parties p;
  switch (source) {
    case ConsentSource::giver:
      p.leerling = status.competent != 0;
      p.ouders = status.competent != 1;
      break;
    case ConsentSource::ouders:
      p.ouders = true;
      break;
    case ConsentSource::leerling:
      p.leerling = true;
      break;
    case ConsentSource::ouders_en_leerling:
      p.ouders = true;
      p.leerling = true;
      break;
    case ConsentSource::ouders_en_giver:
      p.ouders = true;
      p.leerling = status.competent != 0;
      break;
  }
  if (status.adult && status.competent == 1 && p.ouders) {
    p.ouders = false;
    p.leerling = true;
  }
  return p;
}

std::optional<ConsentGiver> giver_of(const Parties& parties) noexcept {
  if (parties.ouders && parties.leerling) {
    return ConsentGiver::beiden;
  }
  if (parties.ouders) {
    return ConsentGiver::ouders;
  }
  if (parties.leerling) {
    return ConsentGiver::leerling;
  }
  return std::nullopt;
}

}  // namespace draaischijf::policies::detail

namespace draaischijf::policies {

GiverOnDate consent_giver_on(const PupilFacts& pupil, CivilDate date,
                             const Settings& settings) noexcept {
  const auto status = detail::pupil_status(pupil, date, settings);
  GiverOnDate out;
  out.age = status.age;
  out.adult = status.adult;
  out.competent = status.competent;
  // G(age, competency) always names someone: with the competency unknown, both.
  out.giver = detail::giver_of(detail::parties_for(ConsentSource::giver, status))
                  .value_or(ConsentGiver::beiden);
  return out;
}

}  // namespace draaischijf::policies
