#pragma once

// The policy engine's contract: evaluate(rules, request) -> Decision. A decision is a value,
// never an error: allow, deny, needs_consent (from whom) or needs_second_approval (by which
// role), with the ids of the rules that decided, the reasons in Dutch and English with their
// sources, and the rule set's version. Default deny: with no rule that allows, the answer is
// deny (R00), so an empty or missing rule set can never let a fragment out.
//
// evaluate() is pure and deterministic: no I/O, no clock (the decision date is in the request),
// no global state. The same rules and request give the same decision, byte for byte.
//
//   Request r;  // CLB psycholoog -> CAW intake, a referral with psychosocial data
//   r.sender_org_type = OrgType::clb;  r.sender_role = StaffRole::clb_psycholoog;
//   r.recipient_org_type = OrgType::caw;  r.purpose = Purpose::doorverwijzing;
//   r.categories.add(DataCategory::psychisch_sociaal);
//   r.pupil.birth_date = parse_date("2012-05-01");  r.date = *parse_date("2026-03-10");
//   Decision d = evaluate(rules, r);   // needs_consent, consent_from = leerling, R06

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/policies/request.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/policies/vocabulary.hpp>

namespace draaischijf::policies {

struct Reason {
  std::string rule_id;
  std::string nl;
  std::string en;
  std::string source;
  bool operator==(const Reason&) const = default;
};

/// Why a consent record on file for the pupil did not count for the consent a rule asked for
/// (stable names, append only). Checked in this order: first whether the record is about
/// this exchange at all, then whether it holds on the date, then its form.
enum class ConsentMismatch : std::uint8_t {
  recipient_not_named = 0,  // names neither this organisation nor its type (or not this person)
  organisation_not_named,   // names only the type, where a specific consent must name it (R07)
  purpose_not_covered,
  category_not_covered,
  not_yet_valid,  // valid_from after the decision date
  expired,        // valid_until before the decision date
  revoked,        // revoked on or before the decision date
  not_written,    // given orally where the rule requires writing
  other_giver,    // given by the party who no longer (or not yet) decides (R32)
};

/// A consent on record that did not count, and why, for the people who must fix it.
struct ConsentNote {
  std::string record_id;
  ConsentMismatch mismatch = ConsentMismatch::recipient_not_named;
  std::string rule_id;  // the rule that asked for the consent
  std::string nl;
  std::string en;
  bool operator==(const ConsentNote&) const = default;
};

struct Decision {
  Outcome outcome = Outcome::deny;
  /// Who must still consent (needs_consent; also filled under needs_second_approval when a
  /// consent will be needed after the approval).
  std::optional<ConsentGiver> consent_from;
  /// The role whose second approval is missing (needs_second_approval).
  std::optional<protocol::StaffRole> approval_role;
  /// The rules that decided, in rule-file order.
  std::vector<Reason> reasons;
  /// What an allow obliges the sender to do (R05: note the disclosure in the MDD; R08: plan
  /// the follow-up of a referral). Empty unless the outcome is allow.
  std::vector<Reason> duties;
  std::string policy_version;
  /// The consent records that satisfied the rules (the legal basis for the audit log).
  std::vector<std::string> consent_record_ids;
  /// Under needs_consent: each consent on record for this pupil that a rule could have used
  /// but that does not count, with the first reason (in the order of ConsentMismatch).
  std::vector<ConsentNote> consent_notes;

  [[nodiscard]] std::vector<std::string> rule_ids() const;
  bool operator==(const Decision&) const = default;
};

/// Pure and deterministic.
[[nodiscard]] Decision evaluate(const RuleSet& rules, const Request& request);

/// The same, reusing `out`'s buffers (the hub's hot path keeps one Decision per worker).
void evaluate_into(const RuleSet& rules, const Request& request, Decision& out);

[[nodiscard]] std::string_view to_string(Outcome outcome) noexcept;

/// What is wrong with a consent record on its own, for the hub to refuse it at registration.
enum class ConsentIssue : std::uint8_t {
  giver_should_be_pupil = 0,  // the pupil is competent on that date: the pupil decides (R32)
  giver_should_be_parents,    // the pupil is not competent: the parents or voogd decide (R32)
  parents_required,           // an ELP route needs the parents too, also from 12 (R22)
  pupil_required,             // ... and the competent pupil as well (setting elp_consent)
  age_unknown,                // neither birth date nor age: the giver cannot be derived
  blank_scope,                // no recipient, category or purpose: there is no blanket consent
  dates_reversed,             // valid_until before valid_from
  already_revoked,
  not_valid_on_date,  // expired, or not yet valid, on the registration date
  field_invalid,      // a free-text field or list too long, or not display safe (`field`)
};

/// The bounds on a consent record's free text and lists (kept in the registry, printed by
/// clients): longer text, or text that is not protocol::is_display_safe(), is refused.
inline constexpr std::size_t kConsentTextMax = 200;          // ids, capacity, recorded_by
inline constexpr std::size_t kConsentBasisMax = 1000;        // competency_basis
inline constexpr std::size_t kConsentOrganisationsMax = 64;  // scope.organisations

struct ConsentProblem {
  ConsentIssue issue;
  std::string rule_id;  // the rule the problem comes from, or empty for a structural one
  std::string nl;
  std::string en;
  std::string field;  // for field_invalid: the field's wire name (`capacity`, ...)
};

struct ConsentCheck {
  std::vector<ConsentProblem> problems;
  [[nodiscard]] bool valid() const noexcept { return problems.empty(); }
};

/// Whether the record's giver is the right one for this pupil on `date` (re-derived at the
/// competency age and at 18), the ELP rule, and the record's own consistency; first of all,
/// that every free-text field and list is within its bound and display safe (field_invalid,
/// one problem per field, and then nothing else is judged).
[[nodiscard]] ConsentCheck validate_consent(const RuleSet& rules, const ConsentRecord& record,
                                            const PupilFacts& pupil, CivilDate date);

/// For people: the outcome, who must consent or approve, each reason in Dutch and English with
/// its rule id and source, the consent records used, the duties and the policy version.
[[nodiscard]] std::string explain(const Decision& decision);

}  // namespace draaischijf::policies

namespace draaischijf::protocol {
[[nodiscard]] std::span<const VocabularyEntry<policies::ConsentIssue>> consent_issues();
[[nodiscard]] std::span<const VocabularyEntry<policies::ConsentMismatch>> consent_mismatches();
template <>
inline std::span<const VocabularyEntry<policies::ConsentMismatch>>
vocabulary<policies::ConsentMismatch>() {
  return consent_mismatches();
}
template <>
inline std::span<const VocabularyEntry<policies::ConsentIssue>>
vocabulary<policies::ConsentIssue>() {
  return consent_issues();
}
}  // namespace draaischijf::protocol
