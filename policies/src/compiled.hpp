#pragma once

// The compiled form of a rule set. Every condition is a bitmask over a request's facts, so
// matching a rule is a handful of AND operations, and a request is judged in one pass over the
// rules (see evaluate.cpp for the order).

#include <cstdint>
#include <string>
#include <vector>

#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/policies/vocabulary.hpp>

namespace draaischijf::policies::detail {

/// Set in a fact mask when the fact is unknown (a recipient without a role): only an
/// unconstrained condition accepts it, both "in" and "not_in" refuse it.
inline constexpr std::uint64_t kUnknownBit = std::uint64_t{1} << 63;
inline constexpr std::uint64_t kAny = ~std::uint64_t{0};
inline constexpr std::uint32_t kAllCategories = (1U << protocol::kDataCategoryCount) - 1U;

/// A value's bit; 0 for a code outside the masks (a code no rule can name matches no rule).
template <class Enum>
constexpr std::uint64_t bit_of(Enum value) noexcept {
  const auto code = static_cast<unsigned>(value);
  return code < 63 ? std::uint64_t{1} << code : 0;
}

/// Decisions are assembled in a fixed buffer (no allocation before the reasons): at most two
/// entries per category from the deciding rules, one per gate and per additional rule, and
/// the default rule. The parser refuses a rule set that could overflow it.
inline constexpr std::size_t kMaxApplied = 128;

/// A request reduced to bits, computed once per evaluation.
struct Facts {
  std::uint64_t sender_org = 0;
  std::uint64_t recipient_org = 0;
  std::uint64_t sender_role = 0;
  std::uint64_t recipient_role = 0;
  std::uint64_t recipient_kind = 0;
  std::uint64_t kind = 0;
  std::uint64_t purpose = 0;
  std::uint64_t flags = 0;
  std::int8_t same_organisation = 0;  // 1 only when both ids are known and equal
  std::int8_t competent = -1;         // -1: unknown (no age, no assessment)
  int age = -1;                       // -1: unknown
};

/// Tri-state for "is yes/no" conditions.
enum class Expect : std::int8_t { any = -1, no = 0, yes = 1 };

/// A conjunction of conditions. Unconstrained fields accept everything, unknown included.
struct Conditions {
  std::uint64_t sender_org = kAny;
  std::uint64_t recipient_org = kAny;
  std::uint64_t sender_role = kAny;
  std::uint64_t recipient_role = kAny;
  std::uint64_t recipient_kind = kAny;
  std::uint64_t kind = kAny;
  std::uint64_t purpose = kAny;
  std::uint64_t flags_all = 0;      // has: every one present
  std::uint64_t flags_any = 0;      // has_any: at least one present
  std::uint64_t flags_none = 0;     // lacks: none present
  std::uint64_t flags_not_all = 0;  // lacks_any: at least one absent
  bool between = false;             // between A and B, in either direction
  std::uint64_t between_a = 0;
  std::uint64_t between_b = 0;
  Expect same_organisation = Expect::any;
  Expect competent = Expect::any;
  int age_at_least = -1;
  int age_below = -1;
  /// In `when`: the categories the rule decides. In `require`: the categories that get the
  /// effect; the rest of the rule's categories get the otherwise-effect.
  std::uint32_t categories = kAllCategories;
  bool constrains_request = false;  // any condition besides categories

  [[nodiscard]] bool matches(const Facts& f) const noexcept {
    if (!constrains_request) {
      return true;
    }
    if ((sender_org & f.sender_org) == 0 || (recipient_org & f.recipient_org) == 0 ||
        (sender_role & f.sender_role) == 0 || (recipient_role & f.recipient_role) == 0 ||
        (recipient_kind & f.recipient_kind) == 0 || (kind & f.kind) == 0 ||
        (purpose & f.purpose) == 0) {
      return false;
    }
    if ((f.flags & flags_all) != flags_all || (flags_any != 0 && (f.flags & flags_any) == 0) ||
        (f.flags & flags_none) != 0 ||
        (flags_not_all != 0 && (f.flags & flags_not_all) == flags_not_all)) {
      return false;
    }
    if (between && !(((between_a & f.sender_org) != 0 && (between_b & f.recipient_org) != 0) ||
                     ((between_b & f.sender_org) != 0 && (between_a & f.recipient_org) != 0))) {
      return false;
    }
    if (same_organisation != Expect::any &&
        f.same_organisation != static_cast<std::int8_t>(same_organisation)) {
      return false;
    }
    if (competent != Expect::any && f.competent != static_cast<std::int8_t>(competent)) {
      return false;
    }
    if (age_at_least >= 0 && (f.age < 0 || f.age < age_at_least)) {
      return false;
    }
    if (age_below >= 0 && (f.age < 0 || f.age >= age_below)) {
      return false;
    }
    return true;
  }
};

enum class EffectKind : std::uint8_t {
  allow,
  deny,
  consent,
  approval,
  pass,  // a gate: noted when its requirements hold, the categories stay for later rules
  duty,
  default_deny,
  rederive_giver,
  school_view,  // SIG01's text: which school roles follow their signalen ([settings])
};

struct Effect {
  EffectKind kind;
  ConsentSource source;
  bool written;              // consent: only a written or digitally signed record counts
  bool specific;             // consent: the record must name the recipient organisation by id and
                             // every category explicitly
  protocol::StaffRole role;  // approval
};
inline constexpr Effect kDenyEffect{EffectKind::deny, ConsentSource::giver, false, false,
                                    protocol::StaffRole::clb_arts};

struct CompiledRule {
  std::uint16_t info = 0;  // index into CompiledRules::infos (also the rule-file order)
  Stage stage = Stage::refusal;
  Conditions when;
  Conditions require;
  bool has_require = false;
  Effect effect = kDenyEffect;
  Effect otherwise = kDenyEffect;
};

struct CompiledRules {
  std::string name = "none";
  std::string version = "none";
  Settings settings;
  std::vector<RuleInfo> infos;
  std::vector<CompiledRule> deciding;  // refusal, obligation, exception, consent
  std::vector<CompiledRule> additional;
  std::vector<CompiledRule> duties;
  int default_rule = -1;      // index into infos of the default_deny rule, -1: built-in text
  int rederive_rule = -1;     // index into infos of the rederive_giver rule, -1: none
  int school_view_rule = -1;  // index into infos of the school_view rule, -1: none
};

}  // namespace draaischijf::policies::detail
