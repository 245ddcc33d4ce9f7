#include "policy_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include <boost/json.hpp>

#include <draaischijf/client/profile.hpp>
#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/rule_set.hpp>

#include "options.hpp"

namespace draaischijf::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The codes of draaischijf --help.
enum Exit { kOk = 0, kFailed = 1, kUsageError = 2, kSecurity = 4 };

constexpr std::string_view kPolicyHelp =
    R"(draaischijf policy - test and explain the policy rule set

Needs no profile and no hub.

  policy test [CASES] [--rules RULES] [--signature SIG --key KEY] [--no-coverage]
      Runs every case of the case table CASES (without it, the case table built into this
      program): PASS or FAIL per case, what differs for each failure, then which rules still
      lack a case (the coverage check; --no-coverage skips it). With --json, each case with
      its decision.
  policy explain "REQUEST" [--rules RULES] [--signature SIG --key KEY]
      Decides one request, written as case entries separated by ';' (quote it), and explains
      the decision in Dutch and English, and which consents on record do not count and why;
      with --json, the decision as JSON. For example:
      "date = 2026-03-10; born = 2013-01-15; sender = clb/clb_psycholoog;
       recipient = caw/partner_intake; purpose = doorverwijzing; categories = psychisch_sociaal"

The rules: --rules RULES, else $DRAAISCHIJF_RULES, else the Flemish rule set built into this
program (so both commands work from any folder). With --signature SIG --key KEY (the
operator's public key: the policy-signing.pub file, or its base64 line), the rules are used only
when the operator's signature verifies; without, they are an unsigned draft, and a note on
stderr says which rules were used.
Exit codes: 0 done (test: every case passes and every rule is covered); 1 a case fails, a rule
lacks a case, or a file does not parse; 2 usage error (also a malformed request); 4 the
signature does not verify. docs/POLICY.md describes the rules, the cases and the requests.
)";

int usage_error(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\nrun draaischijf policy --help for the commands and options\n";
  return kUsageError;
}

std::optional<std::string> read_input(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  return client::read_small_file(path);
}

// The option, then the environment; nullopt: the rule set built into the program (its text,
// not a path: an installed CLI must not point into the build machine's source tree).
std::optional<fs::path> rule_file_path(const Arguments& args) {
  if (const auto given = args.value("rules")) {
    return fs::path(*given);
  }
  if (const char* env = std::getenv("DRAAISCHIJF_RULES"); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  return std::nullopt;
}

constexpr std::string_view kBuiltIn = "the rule set built into this program";

// How a message names the rules: the file, or the built-in set (an empty path).
std::string shown(const fs::path& rules) {
  return rules.empty() ? std::string(kBuiltIn) : rules.string();
}

int refuse_rules(std::ostream& err, const policies::TextError& error, const fs::path& rules,
                 const std::string& signature, const std::string& key) {
  if (error.code == policies::errc::signature_invalid) {
    err << "error: " << (rules.empty() ? std::string(kBuiltIn) : "the rule file " + rules.string())
        << " does not verify against the signature " << signature << " under the operator key "
        << key
        << "\n  it changed after it was signed, the signature is for another version, or another "
           "key signed it: use the rule file and signature the operator published, or test a "
           "change as an unsigned draft (without --signature and --key)\n";
    return kSecurity;
  }
  if (error.code == policies::errc::signature_malformed) {
    err << "error: " << signature << " is not a rule-set signature: " << error.message()
        << "\n  give the .sig file that draaischijf-hub policy sign wrote\n";
    return kSecurity;
  }
  err << "error: " << shown(rules) << ": " << error.message()
      << "\n  fix the rule file at that line (docs/POLICY.md, section 8, describes the format)\n";
  return kFailed;
}

// Without --signature/--key: the DPO's draft (or the built-in rules), parsed as it is, and said
// to be one.
std::optional<policies::RuleSet> load_draft(const fs::path& path, const std::string& text,
                                            std::ostream& err, int& exit) {
  if (path.empty()) {
    err << "note: using " << kBuiltIn << " (unsigned); --rules FILE tests another rule file\n";
  } else {
    err << "note: " << path.string() << " is an unsigned draft (no --signature/--key): fine for "
        << "testing a change; a hub uses it only once the operator signs it\n";
  }
  auto rules = policies::parse_rule_set(text);
  if (!rules) {
    exit = refuse_rules(err, rules.error(), path, {}, {});
    return std::nullopt;
  }
  return *rules;
}

// With them: nothing is parsed unless the operator's signature over the exact bytes verifies.
std::optional<policies::RuleSet> load_signed(const fs::path& path, const std::string& text,
                                             const std::string& signature_path,
                                             const std::string& key_text, std::ostream& err,
                                             int& exit) {
  const auto key = operator_key(key_text);
  if (!key) {
    exit = usage_error(err,
                       "--key takes the operator's public key: the policy-signing.pub file "
                       "the operator published, or its base64 line; '" +
                           key_text + "' is neither");
    return std::nullopt;
  }
  const auto signature = read_input(signature_path);
  if (!signature) {
    exit =
        usage_error(err, "cannot read the signature file " + signature_path + "; check the path");
    return std::nullopt;
  }
  auto rules = policies::load_rule_set(text, *signature, *key);
  if (!rules) {
    exit = refuse_rules(err, rules.error(), path, signature_path, key_text);
    return std::nullopt;
  }
  return *rules;
}

// The rule set, signed when --signature and --key are given; prints why not and sets `exit`.
std::optional<policies::RuleSet> load_rules(const Arguments& args, std::ostream& err, int& exit) {
  const auto given = rule_file_path(args);
  const auto text =
      given ? read_input(*given) : std::optional<std::string>(policies::bundled_rule_text());
  if (!text) {
    exit = usage_error(err, "cannot read the rule file " + given->string() +
                                "; check the path (without --rules and $DRAAISCHIJF_RULES, " +
                                std::string(kBuiltIn) + " is used)");
    return std::nullopt;
  }
  const fs::path path = given.value_or(fs::path());
  const auto signature_path = args.value("signature");
  const auto key_text = args.value("key");
  if (signature_path.has_value() != key_text.has_value()) {
    exit = usage_error(err,
                       "--signature SIG and --key KEY go together: the rule set's signature file "
                       "and the operator's public key");
    return std::nullopt;
  }
  return signature_path ? load_signed(path, *text, *signature_path, *key_text, err, exit)
                        : load_draft(path, *text, err, exit);
}

json::array reasons_json(const std::vector<policies::Reason>& reasons) {
  json::array out;
  for (const auto& reason : reasons) {
    out.push_back({{"rule_id", reason.rule_id},
                   {"nl", reason.nl},
                   {"en", reason.en},
                   {"source", reason.source}});
  }
  return out;
}

template <class Enum>
json::value name_or_null(const std::optional<Enum>& value) {
  return value ? json::value(std::string(protocol::name_of(*value))) : json::value(nullptr);
}

json::object decision_json(const policies::Decision& decision) {
  json::array consent_ids;
  for (const auto& id : decision.consent_record_ids) {
    consent_ids.push_back(json::value(id));
  }
  json::array notes;
  for (const auto& note : decision.consent_notes) {
    notes.push_back({{"consent_id", note.record_id},
                     {"reason", std::string(protocol::name_of(note.mismatch))},
                     {"rule_id", note.rule_id},
                     {"nl", note.nl},
                     {"en", note.en}});
  }
  return {{"outcome", std::string(policies::to_string(decision.outcome))},
          {"consent_from", name_or_null(decision.consent_from)},
          {"approval_role", name_or_null(decision.approval_role)},
          {"reasons", reasons_json(decision.reasons)},
          {"duties", reasons_json(decision.duties)},
          {"consent_record_ids", std::move(consent_ids)},
          {"consent_notes", std::move(notes)},
          {"policy_version", decision.policy_version}};
}

json::object report_json(const policies::CaseReport& report,
                         const std::optional<policies::CoverageReport>& coverage, bool ok) {
  json::array cases;
  for (const auto& result : report.results) {
    cases.push_back({{"name", result.name},
                     {"line", result.line},
                     {"passed", result.passed},
                     {"diff", result.diff},
                     {"decision", decision_json(result.decision)}});
  }
  json::value gaps = nullptr;  // null: not checked (--no-coverage)
  if (coverage) {
    json::array list;
    for (const auto& gap : coverage->gaps) {
      list.push_back(json::value(gap));
    }
    gaps = std::move(list);
  }
  return {{"ok", ok},
          {"policy_version", report.policy_version},
          {"passed", report.passed()},
          {"failed", report.failed()},
          {"cases", std::move(cases)},
          {"coverage_gaps", std::move(gaps)}};
}

// What failed, on stderr, after the report on stdout.
void explain_failure(std::ostream& err, const policies::CaseReport& report,
                     const std::optional<policies::CoverageReport>& coverage) {
  if (report.failed() != 0) {
    err << "error: " << report.failed() << " of " << report.results.size()
        << " cases fail (the FAIL lines say what differs):";
    for (const auto& result : report.results) {
      if (!result.passed) {
        err << " " << result.name;
      }
    }
    err << "\n  fix the rule or, if the rule is right, the case's expectation\n";
  }
  if (coverage && !coverage->complete()) {
    err << "error: " << coverage->gaps.size() << " rule outcome(s) have no case: add a case for "
        << "each gap listed, or run with --no-coverage while drafting\n";
  }
}

// The case table (the built-in one for an empty path), parsed; prints why not and sets `exit`.
std::optional<std::vector<policies::TestCase>> load_cases(const fs::path& path, std::ostream& err,
                                                          int& exit) {
  const auto text =
      path.empty() ? std::optional<std::string>(policies::bundled_case_text()) : read_input(path);
  if (!text) {
    exit = usage_error(err, "cannot read the case table " + path.string() + "; check the path");
    return std::nullopt;
  }
  const std::string name = path.empty() ? "the built-in case table" : path.string();
  auto cases = policies::parse_case_table(*text);
  exit = kFailed;
  if (!cases) {
    err << "error: " << name << ": " << cases.error().message()
        << "\n  fix the case table at that line (docs/POLICY.md, section 7, lists the keys)\n";
    return std::nullopt;
  }
  if (cases->empty()) {  // every rule would be a coverage gap: say what is really wrong
    err << "error: " << name << " holds no cases; write [case NAME] sections "
        << "(docs/POLICY.md, section 7)\n";
    return std::nullopt;
  }
  exit = kOk;
  return std::move(*cases);
}

int policy_test(const Arguments& args, bool json_output, std::ostream& out, std::ostream& err) {
  if (auto bad = args.unknown({"rules", "signature", "key", "no-coverage", "json"}); !bad.empty()) {
    return usage_error(err, bad);
  }
  if (args.positional().size() > 3) {
    return usage_error(err,
                       "policy test [CASES] [--rules RULES] [--signature SIG --key KEY] "
                       "[--no-coverage]: one case table at most (none: the built-in one)");
  }
  int exit = kOk;
  const auto rules = load_rules(args, err, exit);
  const fs::path cases_path = args.positional().size() == 3 ? args.positional()[2] : "";
  const auto cases = rules ? load_cases(cases_path, err, exit) : std::nullopt;
  if (!cases) {
    return exit;
  }
  const auto report = policies::run_cases(*rules, *cases);
  std::optional<policies::CoverageReport> coverage;
  if (!args.flag("no-coverage")) {
    coverage = policies::check_coverage(*rules, *cases);
  }
  const bool ok = report.ok() && (!coverage || coverage->complete());
  if (json_output) {
    out << json::serialize(report_json(report, coverage, ok)) << "\n";
  } else {
    out << report.text() << (coverage ? "coverage: " + coverage->text() : "");
  }
  if (!ok) {
    explain_failure(err, report, coverage);
  }
  return ok ? kOk : kFailed;
}

int policy_explain(const Arguments& args, bool json_output, std::ostream& out, std::ostream& err) {
  if (auto bad = args.unknown({"rules", "signature", "key", "json"}); !bad.empty()) {
    return usage_error(err, bad);
  }
  if (args.positional().size() != 3) {
    return usage_error(err,
                       "policy explain \"REQUEST\": one request, its entries separated by "
                       "';' and the whole in quotes");
  }
  const std::string& text = args.positional()[2];
  const auto request = policies::parse_request(text);
  if (!request) {
    auto error = request.error();
    if (text.find('\n') == std::string::npos) {
      error.line = 0;  // every entry of a one-line request is on line 1: say nothing
    }
    return usage_error(err, "the request: " + error.message() +
                                "\nwrite it as 'key = value' entries separated by ';', with at "
                                "least date, sender and recipient (docs/POLICY.md, section 7)");
  }
  int exit = kOk;
  const auto rules = load_rules(args, err, exit);
  if (!rules) {
    return exit;
  }
  const auto decision = policies::evaluate(*rules, *request);
  if (json_output) {
    out << json::serialize(decision_json(decision)) << "\n";
  } else {
    out << policies::explain(decision);
  }
  return kOk;
}

}  // namespace

// The key file as policy keygen writes it, or the same base64 line pasted on the command line.
std::optional<protocol::SigningPublicKey> operator_key(const std::string& given) {
  auto key = policies::parse_operator_key(given);
  if (!key) {
    if (const auto text = read_input(given)) {
      key = policies::parse_operator_key(*text);
    }
  }
  return key ? std::optional(*key) : std::nullopt;
}

int policy_command(const std::vector<std::string_view>& words, bool json_output, std::ostream& out,
                   std::ostream& err) {
  const Arguments args(words, {"no-coverage", "json", "help"});
  const auto& positional = args.positional();
  const std::string sub = positional.size() >= 2 ? positional[1] : "";
  if (args.flag("help") || sub == "help") {
    out << kPolicyHelp;
    return kOk;
  }
  json_output = json_output || args.flag("json");
  if (sub == "test") {
    return policy_test(args, json_output, out, err);
  }
  if (sub == "explain") {
    return policy_explain(args, json_output, out, err);
  }
  if (sub.empty()) {
    err << kPolicyHelp;
    return kUsageError;
  }
  return usage_error(err, "unknown policy command '" + sub + "' (test or explain)");
}

}  // namespace draaischijf::cli
