#pragma once

// A rule set: the Flemish CLB rules as data (policies/rules/flemish-clb.rules), parsed into a
// compiled form of bitmasks, signed by the hub operator. A RuleSet is an immutable value that
// is cheap to copy (it shares its compiled rules), so a hub can swap in a new version while
// decisions under the old one finish.
//
//   auto rules = load_rule_set(text, signature, operator_key);   // refuses a bad signature
//   if (!rules) { log(rules.error().message()); return; }
//   Decision d = evaluate(*rules, request);
//
// The file format is described in docs/POLICY.md and at the top of the Flemish rule file.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/policies/errors.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::policies {

/// The [settings] section: the choices made for the open questions of POLICY-RULES.
struct Settings {
  int competency_age = 12;  // presumed competent from this birthday (DRM art. 4 §2)
  int adult_age = 18;       // the giver is re-derived again on this birthday
  ConsentSource elp_consent = ConsentSource::ouders_en_giver;                     // Q4
  protocol::StaffRole danger_approval_role = protocol::StaffRole::clb_directeur;  // Q13
  /// A consent that names categories also covers the identification data needed to send them
  /// (not for rules that ask a specific consent).
  bool consent_implies_identification = true;
  /// A consent the CLB referred a pupil under (its purposes name doorverwijzing or consultatie)
  /// also covers the partner's status answer and feedback (terugkoppeling) to that CLB on that
  /// referral (R06 in both directions); only with Request::answers_referral, which the hub sets
  /// from its referral record, never the sender.
  bool consent_covers_referral_answers = true;
  int objection_days = 10;  // Q3: R14's waiting period, computed by the hub (calendar days)
  /// SIG01: the school roles that see what became of the school's signalen (bit n = StaffRole
  /// n; none unless the rule set names them).
  std::uint64_t signalen_roles = 0;

  [[nodiscard]] bool sees_signalen(protocol::StaffRole role) const noexcept {
    return (signalen_roles >> static_cast<unsigned>(role) & 1U) != 0;
  }
};

/// One rule as people read it. `outcomes` are the outcomes the rule can lead to, which the
/// case-table coverage check asks every case table to show.
struct RuleInfo {
  std::string id;
  std::string title;
  std::string source;
  Stage stage = Stage::refusal;
  std::string effect;     // as written: "allow", "consent giver written", "approval clb_arts"
  std::string otherwise;  // empty when the rule has no requirements
  std::string nl;
  std::string en;
  std::string otherwise_nl;
  std::string otherwise_en;
  std::size_t line = 0;
  std::vector<Outcome> outcomes;
};

namespace detail {
struct CompiledRules;
}

class RuleSet {
 public:
  /// The empty rule set: every request is denied by the built-in default rule R00.
  RuleSet();

  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] const std::string& version() const noexcept;
  [[nodiscard]] bool empty() const noexcept;
  [[nodiscard]] const Settings& settings() const noexcept;
  [[nodiscard]] std::span<const RuleInfo> rules() const noexcept;
  [[nodiscard]] const RuleInfo* find(std::string_view rule_id) const noexcept;

  /// For the engine's own translation units.
  [[nodiscard]] const detail::CompiledRules& compiled() const noexcept { return *compiled_; }
  explicit RuleSet(std::shared_ptr<const detail::CompiledRules> compiled)
      : compiled_(std::move(compiled)) {}

 private:
  std::shared_ptr<const detail::CompiledRules> compiled_;
};

/// Parses and compiles a rule file without checking a signature (tests and tools). Refuses a
/// malformed file with the line and the reason.
[[nodiscard]] TextResult<RuleSet> parse_rule_set(std::string_view text);

/// The signing domain: the signature covers this string, a zero byte, then the exact file
/// bytes, so a rule-set signature can never be taken for any other signed object.
inline constexpr std::string_view kRuleSetSignatureDomain = "draaischijf/policies/rule-set/v1";

/// The hub operator's detached signature over the exact file bytes.
[[nodiscard]] protocol::Signature sign_rule_set(std::string_view text,
                                                const protocol::SigningKey& operator_key);

/// Verifies the signature first (errc::signature_invalid, line 0), then parses.
[[nodiscard]] TextResult<RuleSet> load_rule_set(std::string_view text,
                                                const protocol::Signature& signature,
                                                const protocol::SigningPublicKey& operator_key);
/// The same with the signature file's text (see format_signature).
[[nodiscard]] TextResult<RuleSet> load_rule_set(std::string_view text,
                                                std::string_view signature_text,
                                                const protocol::SigningPublicKey& operator_key);

/// A signature file: "draaischijf-rule-set-signature ed25519 <base64>\n".
[[nodiscard]] std::string format_signature(const protocol::Signature& signature);
[[nodiscard]] TextResult<protocol::Signature> parse_signature(std::string_view text);

/// The operator's public key as text, as `draaischijf-hub policy keygen` writes it and the CLI
/// and hub read it: the key's base64 (43 characters) on one line, the form the hub's receipt
/// key already has in hub-signing.pub. One definition, so writer and readers cannot drift.
[[nodiscard]] std::string format_operator_key(const protocol::SigningPublicKey& key);
/// That line, with or without its newline; anything else is errc::bad_value (line 1).
[[nodiscard]] TextResult<protocol::SigningPublicKey> parse_operator_key(std::string_view text);

/// The text of policies/rules/flemish-clb.rules as this program was built with it (unsigned:
/// whoever uses it signs it, as the development deployment does with its own operator key).
[[nodiscard]] std::string_view bundled_rule_text() noexcept;

}  // namespace draaischijf::policies
