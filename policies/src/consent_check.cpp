// validate_consent(): the hub's check when a consent record is registered, before any request
// relies on it. evaluate() re-derives the giver on every decision date anyway; this check
// refuses a record that is wrong from the start.

#include <draaischijf/policies/decision.hpp>

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
      check.problems.push_back(ConsentProblem{issue, text.rule_id, text.nl, text.en});
      return;
    }
  }
}

}  // namespace

ConsentCheck validate_consent(const RuleSet& rules, const ConsentRecord& record,
                              const PupilFacts& pupil, CivilDate date) {
  ConsentCheck check;
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
