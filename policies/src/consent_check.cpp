// validate_consent(): the hub's check when a consent record is registered, before any request
// relies on it. evaluate() re-derives the giver on every decision date anyway; this check
// refuses a record that is wrong from the start.

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/protocol/display_text.hpp>

#include "compiled.hpp"
#include "pupil.hpp"

namespace draaischijf::policies {
namespace {

struct IssueText {
  ConsentIssue issue;
  const char* rule_id;  // the table rule the issue comes from ("" for structural issues)
  const char* nl;
  const char* en;
};

constexpr IssueText kIssueTexts[] = {
    {ConsentIssue::giver_should_be_pupil, "R32",
     "De leerling is op deze datum bekwaam (vanaf 12 jaar of na beoordeling): de leerling geeft "
     "zelf toestemming.",
     "The pupil is competent on this date (from 12, or as assessed): the pupil consents."},
    {ConsentIssue::giver_should_be_parents, "R32",
     "De leerling is op deze datum niet bekwaam: de ouders of de voogd geven toestemming.",
     "The pupil is not competent on this date: the parents or the guardian consent."},
    {ConsentIssue::parents_required, "R22",
     "Een traject bij een eerstelijnspsycholoog vraagt de toestemming van de ouders, ook vanaf "
     "12 jaar.",
     "A route with a first-line psychologist needs the parents' consent, also from 12."},
    {ConsentIssue::pupil_required, "R22",
     "Een traject bij een eerstelijnspsycholoog vraagt ook de toestemming van de bekwame "
     "leerling.",
     "A route with a first-line psychologist also needs the competent pupil's consent."},
    {ConsentIssue::age_unknown, "R32",
     "Geboortedatum en leeftijd ontbreken: wie toestemming geeft, kan niet bepaald worden.",
     "Birth date and age are missing: who consents cannot be derived."},
    {ConsentIssue::blank_scope, "",
     "Een toestemming noemt ontvangers, gegevenscategorieen en doelen: er bestaat geen "
     "algemene toestemming.",
     "A consent names recipients, data categories and purposes: there is no blanket consent."},
    {ConsentIssue::dates_reversed, "", "De einddatum ligt voor de begindatum.",
     "The end date lies before the start date."},
    {ConsentIssue::already_revoked, "", "Deze toestemming is al ingetrokken.",
     "This consent has already been revoked."},
    {ConsentIssue::not_valid_on_date, "", "Deze toestemming geldt niet op deze datum.",
     "This consent is not valid on this date."},
};

void add(ConsentCheck& check, ConsentIssue issue) {
  for (const IssueText& text : kIssueTexts) {
    if (text.issue == issue) {
      check.problems.push_back(ConsentProblem{issue, text.rule_id, text.nl, text.en, {}});
      return;
    }
  }
}

// Free text is stored in the registry and printed by every client that lists consents: it
// must fit on one line of a terminal and not take it over (no CR, LF, ESC, bidi, ...).
void check_text(ConsentCheck& check, std::string_view field, std::string_view text,
                std::size_t max) {
  if (text.size() > max) {
    check.problems.push_back(
        {ConsentIssue::field_invalid, "",
         "Het veld " + std::string(field) + " is langer dan " + std::to_string(max) + " bytes.",
         "The field " + std::string(field) + " is longer than " + std::to_string(max) + " bytes.",
         std::string(field)});
  } else if (!protocol::is_display_safe(text)) {
    check.problems.push_back(
        {ConsentIssue::field_invalid, "",
         "Het veld " + std::string(field) +
             " bevat tekens die niet afdrukbaar zijn (regeleinde, escape, bidi-teken, ...).",
         "The field " + std::string(field) +
             " holds characters that are not printable (line break, escape, bidi mark, ...).",
         std::string(field)});
  }
}

ConsentCheck check_fields(const ConsentRecord& record) {
  ConsentCheck check;
  check_text(check, "consent_id", record.id, kConsentTextMax);
  check_text(check, "pupil", record.pupil, kConsentTextMax);
  check_text(check, "capacity", record.capacity, kConsentTextMax);
  check_text(check, "competency_basis", record.competency_basis, kConsentBasisMax);
  check_text(check, "recorded_by", record.recorded_by, kConsentTextMax);
  if (record.recipient_org_ids.size() > kConsentOrganisationsMax) {
    check.problems.push_back(
        {ConsentIssue::field_invalid, "",
         "Een toestemming noemt hoogstens " + std::to_string(kConsentOrganisationsMax) +
             " organisaties.",
         "A consent names at most " + std::to_string(kConsentOrganisationsMax) + " organisations.",
         "scope.organisations"});
  }
  return check;
}

}  // namespace

ConsentCheck validate_consent(const RuleSet& rules, const ConsentRecord& record,
                              const PupilFacts& pupil, CivilDate date) {
  ConsentCheck check = check_fields(record);
  if (!check.valid()) {
    return check;
  }
  const Settings& settings = rules.settings();
  const bool no_recipient = record.recipient_org_ids.empty() &&
                            record.recipient_org_types.empty() && record.recipient_kinds.empty();
  if (no_recipient || record.categories.empty() || record.purposes.empty()) {
    add(check, ConsentIssue::blank_scope);
  }
  if (record.valid_until && *record.valid_until < record.valid_from) {
    add(check, ConsentIssue::dates_reversed);
  }
  if (record.revoked && (!record.revoked_on || *record.revoked_on <= date)) {
    add(check, ConsentIssue::already_revoked);
  } else if (date < record.valid_from || (record.valid_until && *record.valid_until < date)) {
    add(check, ConsentIssue::not_valid_on_date);
  }

  const detail::PupilStatus status = detail::pupil_status(pupil, date, settings);
  if (status.competent < 0) {
    add(check, ConsentIssue::age_unknown);
    return check;
  }
  const bool by_parents = record.giver != ConsentGiver::leerling;
  const bool by_pupil = record.giver != ConsentGiver::ouders;
  const bool elp = record.recipient_org_types.contains(protocol::OrgType::eerstelijnspsycholoog);
  if (elp) {
    const detail::Parties needed = detail::parties_for(settings.elp_consent, status);
    if (needed.ouders && !by_parents) {
      add(check, ConsentIssue::parents_required);
    }
    if (needed.leerling && !by_pupil) {
      add(check, ConsentIssue::pupil_required);
    }
    return check;
  }
  // Everywhere else the giver is G(age, competency); "beiden" is always enough.
  if (status.competent == 1 && !by_pupil) {
    add(check, ConsentIssue::giver_should_be_pupil);
  } else if (status.competent == 0 && !by_parents) {
    add(check, ConsentIssue::giver_should_be_parents);
  }
  return check;
}

}  // namespace draaischijf::policies
