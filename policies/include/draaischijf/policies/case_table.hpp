#pragma once

// Case tables: requests written as text with the decision they must get, run against a rule
// set. The project's table is policies/rules/flemish-clb.cases; the CLI's `draaischijf policy
// test FILE` runs run_case_table() and prints report.text(), and `draaischijf policy explain`
// parses one request in the same syntax (entries may be separated by ';') and prints
// explain(evaluate(rules, request)).
//
//   [case clb-caw-doorverwijzing-met-toestemming]
//   date       = 2026-03-10
//   born       = 2012-05-01
//   sender     = clb/clb_psycholoog
//   recipient  = caw/partner_intake
//   purpose    = doorverwijzing
//   categories = psychisch_sociaal, doorverwijzing
//   consent    = id=c1 giver=leerling to=caw categories=psychisch_sociaal,doorverwijzing
//                purposes=doorverwijzing from=2026-01-01
//   expect     = allow
//   rules      = R06
//
// Request keys: date, born | age, competency, adult_incompetent, pupil, sender (ORG/ROLE),
// sender_org_id, sender_staff, recipient (ORG[/ROLE] | leerling | ouders), recipient_org_id,
// kind, purpose, categories, flags, consent (repeatable), approval (repeatable: ROLE [by=ID]).
// Case keys: expect, rules, consent_from, approval_role, consent_ids, duties, consent_notes,
// contrast, note.
// Organisation ids are 32 hex digits or any label (a label always names the same id).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/policies/decision.hpp>

namespace draaischijf::policies {

struct Expectation {
  Outcome outcome = Outcome::deny;
  std::vector<std::string> rule_ids;  // compared as a set with the decision's rule ids
  std::optional<ConsentGiver> consent_from;
  std::optional<protocol::StaffRole> approval_role;
  std::optional<std::vector<std::string>> consent_ids;
  std::optional<std::vector<std::string>> duties;  // duty rule ids, as a set
  /// The consents on record that did not count, as "ID:mismatch" (e.g. "c7:expired"), as a set.
  std::optional<std::vector<std::string>> consent_notes;
  /// Rules whose other side this case shows: they must not be among the decision's rules,
  /// and the outcome must not be allow.
  std::vector<std::string> contrast;
};

struct TestCase {
  std::string name;
  std::size_t line = 0;
  Request request;
  Expectation expect;
};

/// The text of policies/rules/flemish-clb.cases as this program was built with it: the case
/// table of bundled_rule_text(), so `draaischijf policy test` runs from any folder.
[[nodiscard]] std::string_view bundled_case_text() noexcept;

/// One request in case syntax (no section header, no expectation keys).
[[nodiscard]] TextResult<Request> parse_request(std::string_view text);
[[nodiscard]] TextResult<std::vector<TestCase>> parse_case_table(std::string_view text);

struct CaseResult {
  std::string name;
  std::size_t line = 0;
  bool passed = false;
  std::string diff;  // what differs, one line per field; empty when passed
  Decision decision;
};

struct CaseReport {
  std::string policy_version;
  std::vector<CaseResult> results;
  [[nodiscard]] std::size_t passed() const noexcept;
  [[nodiscard]] std::size_t failed() const noexcept;
  [[nodiscard]] bool ok() const noexcept { return failed() == 0 && !results.empty(); }
  /// One line per case (PASS/FAIL), the diff under each failure, and a summary line.
  [[nodiscard]] std::string text() const;
};

[[nodiscard]] CaseReport run_cases(const RuleSet& rules, std::span<const TestCase> cases);
[[nodiscard]] TextResult<CaseReport> run_case_table(const RuleSet& rules, std::string_view text);

/// Whether the cases show every rule with each outcome it can lead to (allow and its deny,
/// consent or approval side), every duty, and a contrast case for rules that only allow.
struct CoverageReport {
  std::vector<std::string> gaps;  // "R03: no case expects deny with R03"
  [[nodiscard]] bool complete() const noexcept { return gaps.empty(); }
  [[nodiscard]] std::string text() const;
};

[[nodiscard]] CoverageReport check_coverage(const RuleSet& rules, std::span<const TestCase> cases);

}  // namespace draaischijf::policies
