#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/vocabulary.hpp>

namespace draaischijf::protocol {
namespace {

using F = policies::Flag;
constexpr VocabularyEntry<F> kFlags[] = {
    {F::spijbelen, "spijbelen"},
    {F::spijbeldossier_zorgwekkend, "spijbeldossier_zorgwekkend"},
    {F::systematisch_contact, "systematisch_contact"},
    {F::vaccinatie, "vaccinatie"},
    {F::profylaxe, "profylaxe"},
    {F::verontrusting, "verontrusting"},
    {F::gerechtelijk_bevel, "gerechtelijk_bevel"},
    {F::dijh_verzoek, "dijh_verzoek"},
    {F::casusoverleg, "casusoverleg"},
    {F::casusoverleg_rechtsgrond, "casusoverleg_rechtsgrond"},
    {F::schoolverandering, "schoolverandering"},
    {F::verzet, "verzet"},
    {F::wachttermijn_verstreken, "wachttermijn_verstreken"},
    {F::schoolvraag, "schoolvraag"},
    {F::begeleidingsakkoord, "begeleidingsakkoord"},
    {F::inschrijvingsschool, "inschrijvingsschool"},
    {F::gc_verslag, "gc_verslag"},
    {F::gc_participatieprobleem, "gc_participatieprobleem"},
    {F::gc_zorgmaatregelen_geevalueerd, "gc_zorgmaatregelen_geevalueerd"},
    {F::gc_compenserend_dispenserend, "gc_compenserend_dispenserend"},
    {F::gc_uitbreiding_zorg, "gc_uitbreiding_zorg"},
    {F::gc_leervraag_leerkracht, "gc_leervraag_leerkracht"},
    {F::gc_leersteun_nodig, "gc_leersteun_nodig"},
    {F::gc_specifieke_deskundigheid, "gc_specifieke_deskundigheid"},
    {F::gc_teamoverleg, "gc_teamoverleg"},
};
static_assert(std::size(kFlags) == policies::kFlagCount);
static_assert(kAttestationCount == policies::kFlagCount,
              "the envelope carries exactly the attestation flags the policy knows");

constexpr VocabularyEntry<policies::RecipientKind> kRecipientKinds[] = {
    {policies::RecipientKind::organisation, "organisation"},
    {policies::RecipientKind::leerling, "leerling"},
    {policies::RecipientKind::ouders, "ouders"},
    {policies::RecipientKind::eigen_team, "eigen_team"},
};

constexpr VocabularyEntry<policies::ConsentGiver> kConsentGivers[] = {
    {policies::ConsentGiver::ouders, "ouders"},
    {policies::ConsentGiver::leerling, "leerling"},
    {policies::ConsentGiver::beiden, "beiden"},
};

constexpr VocabularyEntry<policies::ConsentChannel> kConsentChannels[] = {
    {policies::ConsentChannel::schriftelijk, "schriftelijk"},
    {policies::ConsentChannel::digitaal, "digitaal"},
    {policies::ConsentChannel::mondeling, "mondeling"},
};

constexpr VocabularyEntry<policies::Competency> kCompetencies[] = {
    {policies::Competency::vermoed, "vermoed"},
    {policies::Competency::bekwaam, "bekwaam"},
    {policies::Competency::onbekwaam, "onbekwaam"},
};

using S = policies::ConsentSource;
constexpr VocabularyEntry<S> kConsentSources[] = {
    {S::giver, "giver"},
    {S::ouders, "ouders"},
    {S::leerling, "leerling"},
    {S::ouders_en_leerling, "ouders_en_leerling"},
    {S::ouders_en_giver, "ouders_en_giver"},
};

using St = policies::Stage;
constexpr VocabularyEntry<St> kStages[] = {
    {St::refusal, "refusal"}, {St::obligation, "obligation"}, {St::exception, "exception"},
    {St::consent, "consent"}, {St::additional, "additional"}, {St::duty, "duty"},
    {St::engine, "engine"},
};

using O = policies::Outcome;
constexpr VocabularyEntry<O> kOutcomes[] = {
    {O::allow, "allow"},
    {O::deny, "deny"},
    {O::needs_consent, "needs_consent"},
    {O::needs_second_approval, "needs_second_approval"},
};

using I = policies::ConsentIssue;
constexpr VocabularyEntry<I> kConsentIssues[] = {
    {I::giver_should_be_pupil, "giver_should_be_pupil"},
    {I::giver_should_be_parents, "giver_should_be_parents"},
    {I::parents_required, "parents_required"},
    {I::pupil_required, "pupil_required"},
    {I::age_unknown, "age_unknown"},
    {I::blank_scope, "blank_scope"},
    {I::dates_reversed, "dates_reversed"},
    {I::already_revoked, "already_revoked"},
    {I::not_valid_on_date, "not_valid_on_date"},
    {I::field_invalid, "field_invalid"},
};

using M = policies::ConsentMismatch;
constexpr VocabularyEntry<policies::ConsentMismatch> kConsentMismatches[] = {
    {M::recipient_not_named, "recipient_not_named"},
    {M::organisation_not_named, "organisation_not_named"},
    {M::purpose_not_covered, "purpose_not_covered"},
    {M::category_not_covered, "category_not_covered"},
    {M::not_yet_valid, "not_yet_valid"},
    {M::expired, "expired"},
    {M::revoked, "revoked"},
    {M::not_written, "not_written"},
    {M::other_giver, "other_giver"},
};

}  // namespace

std::span<const VocabularyEntry<policies::Flag>> policy_flags() { return kFlags; }
std::span<const VocabularyEntry<policies::RecipientKind>> recipient_kinds() {
  return kRecipientKinds;
}
std::span<const VocabularyEntry<policies::ConsentGiver>> consent_givers() { return kConsentGivers; }
std::span<const VocabularyEntry<policies::ConsentChannel>> consent_channels() {
  return kConsentChannels;
}
std::span<const VocabularyEntry<policies::Competency>> competencies() { return kCompetencies; }
std::span<const VocabularyEntry<policies::ConsentSource>> consent_sources() {
  return kConsentSources;
}
std::span<const VocabularyEntry<policies::Stage>> stages() { return kStages; }
std::span<const VocabularyEntry<policies::Outcome>> outcomes() { return kOutcomes; }
std::span<const VocabularyEntry<policies::ConsentIssue>> consent_issues() { return kConsentIssues; }
std::span<const VocabularyEntry<policies::ConsentMismatch>> consent_mismatches() {
  return kConsentMismatches;
}

}  // namespace draaischijf::protocol
