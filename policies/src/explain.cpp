#include <draaischijf/policies/decision.hpp>

namespace draaischijf::policies {
namespace {

std::string_view outcome_nl(Outcome outcome) {
  switch (outcome) {
    case Outcome::allow:
      return "toegelaten";
    case Outcome::deny:
      return "geweigerd";
    case Outcome::needs_consent:
      return "toestemming nodig";
    case Outcome::needs_second_approval:
      return "tweede akkoord nodig";
  }
  return "geweigerd";
}

std::string_view outcome_en(Outcome outcome) {
  switch (outcome) {
    case Outcome::allow:
      return "allowed";
    case Outcome::deny:
      return "denied";
    case Outcome::needs_consent:
      return "consent needed";
    case Outcome::needs_second_approval:
      return "second approval needed";
  }
  return "denied";
}

std::string_view giver_nl(ConsentGiver giver) {
  switch (giver) {
    case ConsentGiver::ouders:
      return "de ouders of de voogd";
    case ConsentGiver::leerling:
      return "de leerling";
    case ConsentGiver::beiden:
      return "de ouders (of de voogd) en de leerling";
  }
  return "de ouders en de leerling";
}

std::string_view giver_en(ConsentGiver giver) {
  switch (giver) {
    case ConsentGiver::ouders:
      return "the parents or guardian";
    case ConsentGiver::leerling:
      return "the pupil";
    case ConsentGiver::beiden:
      return "the parents (or guardian) and the pupil";
  }
  return "the parents and the pupil";
}

void append_reasons(std::string& out, const char* heading, const std::vector<Reason>& reasons) {
  if (reasons.empty()) {
    return;
  }
  out += heading;
  for (const Reason& reason : reasons) {
    out += "  [" + reason.rule_id + "] " + reason.nl + "\n";
    out += "        " + reason.en + "\n";
    out += "        bron/source: " + reason.source + "\n";
  }
}

}  // namespace

std::string explain(const Decision& decision) {
  std::string out;
  out += "Beslissing / decision: " + std::string(to_string(decision.outcome)) + " (" +
         std::string(outcome_nl(decision.outcome)) + " / " +
         std::string(outcome_en(decision.outcome)) + ")\n";
  if (decision.approval_role) {
    const std::string role(name_of(*decision.approval_role));
    out += "Tweede akkoord nodig van / second approval needed from: " + role + "\n";
  }
  if (decision.consent_from) {
    out += "Toestemming nodig van " + std::string(giver_nl(*decision.consent_from)) +
           " / consent needed from " + std::string(giver_en(*decision.consent_from)) + "\n";
  }
  append_reasons(out, "Redenen / reasons:\n", decision.reasons);
  if (!decision.consent_notes.empty()) {
    out += "Toestemmingen die niet tellen / consents on record that do not count:\n";
    for (const ConsentNote& note : decision.consent_notes) {
      out += "  " + note.record_id + " (" + std::string(name_of(note.mismatch)) + ", " +
             note.rule_id + "): " + note.nl + "\n";
      out += "        " + note.en + "\n";
    }
  }
  if (!decision.consent_record_ids.empty()) {
    out += "Rechtsgrond: toestemming / legal basis: consent";
    for (const auto& id : decision.consent_record_ids) {
      out += " " + id;
    }
    out += "\n";
  }
  append_reasons(out, "Plichten / duties:\n", decision.duties);
  out += "Regelset / policy version: " + decision.policy_version + "\n";
  return out;
}

}  // namespace draaischijf::policies
