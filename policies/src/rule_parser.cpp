// Parses and compiles a rule file. The format (docs/POLICY.md has the full description):
//
//   [ruleset]            name, version, title
//   [settings]           the choices for the open questions
//   [groups]             "org|role|category|purpose NAME = a, b" (used as @NAME)
//   [rule ID]            title, source, stage, when..., require..., effect, otherwise,
//                        nl, en, otherwise_nl, otherwise_en
//
// Rules are listed in evaluation order (stage by stage); the parser refuses a rule whose stage
// comes before the previous rule's, so the file reads the way it is evaluated.

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "compiled.hpp"
#include "text_lines.hpp"

namespace draaischijf::policies {
namespace {

using detail::bit_of;
using detail::CompiledRule;
using detail::CompiledRules;
using detail::Conditions;
using detail::Effect;
using detail::EffectKind;
using detail::error_at;
using detail::Expect;
using detail::Line;

template <class Enum>
constexpr const char* kind_name() {
  if constexpr (std::is_same_v<Enum, protocol::OrgType>) {
    return "organisation type";
  } else if constexpr (std::is_same_v<Enum, protocol::StaffRole>) {
    return "staff role";
  } else if constexpr (std::is_same_v<Enum, protocol::DataCategory>) {
    return "data category";
  } else if constexpr (std::is_same_v<Enum, protocol::Purpose>) {
    return "purpose";
  } else if constexpr (std::is_same_v<Enum, protocol::MessageKind>) {
    return "message kind";
  } else if constexpr (std::is_same_v<Enum, Flag>) {
    return "flag";
  } else {
    return "recipient kind";
  }
}

using GroupMap = std::map<std::string, std::uint64_t, std::less<>>;

struct Groups {
  GroupMap orgs;
  GroupMap roles;
  GroupMap categories;
  GroupMap purposes;
};

template <class Enum>
const GroupMap* groups_for(const Groups& groups) {
  if constexpr (std::is_same_v<Enum, protocol::OrgType>) {
    return &groups.orgs;
  } else if constexpr (std::is_same_v<Enum, protocol::StaffRole>) {
    return &groups.roles;
  } else if constexpr (std::is_same_v<Enum, protocol::DataCategory>) {
    return &groups.categories;
  } else if constexpr (std::is_same_v<Enum, protocol::Purpose>) {
    return &groups.purposes;
  } else {
    return nullptr;
  }
}

/// "a, b, @group" -> a mask with one bit per value. Refuses an empty list or an unknown name.
template <class Enum>
TextResult<std::uint64_t> parse_mask(std::string_view list, const Groups& groups,
                                     std::size_t line) {
  const auto items = detail::split_list(list);
  if (items.empty()) {
    return error_at(errc::bad_value, line, std::string("empty list of ") + kind_name<Enum>());
  }
  std::uint64_t mask = 0;
  for (const auto item : items) {
    if (!item.empty() && item.front() == '@') {
      const GroupMap* map = groups_for<Enum>(groups);
      const auto found = map != nullptr ? map->find(item.substr(1)) : GroupMap::const_iterator{};
      if (map == nullptr || found == map->end()) {
        return error_at(errc::unknown_name, line,
                        std::string(kind_name<Enum>()) + " group '" + std::string(item) + "'");
      }
      mask |= found->second;
      continue;
    }
    const auto value = parse_name<Enum>(item);
    if (!value) {
      return error_at(errc::unknown_name, line,
                      std::string(kind_name<Enum>()) + " '" + std::string(item) + "'");
    }
    mask |= bit_of(*value);
  }
  return mask;
}

struct RuleDraft {
  RuleInfo info;
  CompiledRule rule;
  bool has_stage = false;
  bool has_effect = false;
  bool has_otherwise = false;
  std::set<std::string, std::less<>> keys;
};

class Parser {
 public:
  explicit Parser(std::vector<Line> lines) : lines_(std::move(lines)) {}

  TextResult<RuleSet> run() {
    if (lines_.empty() || lines_.front().kind != Line::Kind::section ||
        lines_.front().head != "ruleset") {
      return error_at(errc::missing_key, lines_.empty() ? 1 : lines_.front().number,
                      "the file must start with [ruleset]");
    }
    std::size_t i = 0;
    while (i < lines_.size()) {
      const Line& header = lines_[i];
      std::size_t end = i + 1;
      while (end < lines_.size() && lines_[end].kind != Line::Kind::section) {
        ++end;
      }
      auto done = section(header, std::span<const Line>(lines_).subspan(i + 1, end - i - 1));
      if (!done) {
        return done.error();
      }
      i = end;
    }
    if (out_->name == "none" || out_->version == "none") {
      return error_at(errc::missing_key, lines_.front().number,
                      "[ruleset] needs a name and a version");
    }
    if (out_->infos.empty()) {
      return error_at(errc::missing_key, lines_.back().number, "the rule set has no rules");
    }
    std::size_t notes = out_->additional.size() + 1;
    for (const auto& rule : out_->deciding) {
      notes += rule.effect.kind == EffectKind::pass ? 1 : 0;
    }
    if (2 * protocol::kDataCategoryCount + notes > detail::kMaxApplied) {
      return error_at(errc::bad_value, lines_.back().number,
                      "too many gate and additional rules for one decision");
    }
    return RuleSet(std::move(out_));
  }

 private:
  TextResult<bool> section(const Line& header, std::span<const Line> body) {
    const std::size_t n = header.number;
    if (header.head == "ruleset") {
      if (seen_ruleset_) {
        return error_at(errc::duplicate, n, "[ruleset]");
      }
      seen_ruleset_ = true;
      return ruleset(body);
    }
    if (header.head == "settings" || header.head == "groups") {
      if (!out_->infos.empty()) {
        return error_at(errc::misplaced, n, "[" + header.head + "] must come before the rules");
      }
      return header.head == "settings" ? settings(body) : groups(body);
    }
    if (header.head == "rule") {
      if (header.value.empty()) {
        return error_at(errc::syntax, n, "[rule] needs an id: [rule R01]");
      }
      return rule(header, body);
    }
    return error_at(errc::unknown_section, n, "[" + header.head + "]");
  }

  static TextResult<bool> expect_entry(const Line& line) {
    if (!line.has_equals) {
      return error_at(errc::syntax, line.number, "expected 'key = value' in '" + line.head + "'");
    }
    if (line.value.empty()) {
      return error_at(errc::bad_value, line.number, "'" + line.head + "' is empty");
    }
    return true;
  }

  TextResult<bool> ruleset(std::span<const Line> body) {
    for (const Line& line : body) {
      if (auto ok = expect_entry(line); !ok) {
        return ok;
      }
      if (line.head == "name") {
        out_->name = line.value;
      } else if (line.head == "version") {
        out_->version = line.value;
      } else if (line.head != "title") {
        return error_at(errc::unknown_key, line.number, "'" + line.head + "' in [ruleset]");
      }
    }
    return true;
  }

  TextResult<bool> settings(std::span<const Line> body) {
    Settings& s = out_->settings;
    for (const Line& line : body) {
      if (auto ok = expect_entry(line); !ok) {
        return ok;
      }
      const auto bad = [&](const char* what) {
        return error_at(errc::bad_value, line.number, line.head + " must be " + what);
      };
      if (line.head == "competency_age" || line.head == "adult_age" ||
          line.head == "objection_days") {
        const auto value = detail::parse_small_int(line.value);
        if (!value || *value > 120) {
          return bad("a whole number of at most 120");
        }
        (line.head == "competency_age" ? s.competency_age
         : line.head == "adult_age"    ? s.adult_age
                                       : s.objection_days) = *value;
      } else if (line.head == "elp_consent") {
        const auto value = parse_name<ConsentSource>(line.value);
        if (!value) {
          return bad("a consent source (ouders, ouders_en_giver, ...)");
        }
        s.elp_consent = *value;
      } else if (line.head == "danger_approval_role") {
        const auto value = parse_name<protocol::StaffRole>(line.value);
        if (!value) {
          return bad("a staff role");
        }
        s.danger_approval_role = *value;
      } else if (line.head == "signalen_roles") {
        auto mask = parse_mask<protocol::StaffRole>(line.value, groups_, line.number);
        if (!mask) {
          return mask.error();
        }
        s.signalen_roles = *mask;
      } else if (line.head == "consent_implies_identification") {
        const auto value = detail::parse_yes_no(line.value);
        if (!value) {
          return bad("yes or no");
        }
        s.consent_implies_identification = *value;
      } else if (line.head == "consent_covers_referral_answers") {
        const auto value = detail::parse_yes_no(line.value);
        if (!value) {
          return bad("yes or no");
        }
        s.consent_covers_referral_answers = *value;
      } else {
        return error_at(errc::unknown_key, line.number, "'" + line.head + "' in [settings]");
      }
    }
    if (s.competency_age >= s.adult_age) {
      return error_at(errc::bad_value, body.empty() ? 0 : body.front().number,
                      "competency_age must be below adult_age");
    }
    return true;
  }

  TextResult<bool> groups(std::span<const Line> body) {
    for (const Line& line : body) {
      // "org partner_geheim = caw, cgg": the reader sees the word "org" and the rest.
      const auto equals = line.value.find('=');
      const auto name = detail::trim(std::string_view(line.value).substr(0, equals));
      if (line.has_equals || equals == std::string::npos || name.empty() ||
          name.find(' ') != std::string_view::npos) {
        return error_at(errc::syntax, line.number,
                        "expected 'org|role|category|purpose NAME = a, b'");
      }
      const auto list = std::string_view(line.value).substr(equals + 1);
      TextResult<std::uint64_t> mask = std::uint64_t{0};
      GroupMap* target = nullptr;
      if (line.head == "org") {
        mask = parse_mask<protocol::OrgType>(list, groups_, line.number);
        target = &groups_.orgs;
      } else if (line.head == "role") {
        mask = parse_mask<protocol::StaffRole>(list, groups_, line.number);
        target = &groups_.roles;
      } else if (line.head == "category") {
        mask = parse_mask<protocol::DataCategory>(list, groups_, line.number);
        target = &groups_.categories;
      } else if (line.head == "purpose") {
        mask = parse_mask<protocol::Purpose>(list, groups_, line.number);
        target = &groups_.purposes;
      } else {
        return error_at(errc::unknown_key, line.number, "group kind '" + line.head + "'");
      }
      if (!mask) {
        return mask.error();
      }
      if (!target->emplace(std::string(name), *mask).second) {
        return error_at(errc::duplicate, line.number, "group '" + std::string(name) + "'");
      }
    }
    return true;
  }

  // --- rules ---

  TextResult<bool> condition(const Line& line, Conditions& c, bool is_require) {
    const auto words = detail::split_words(line.value);
    if (words.size() < 2) {
      return error_at(errc::syntax, line.number, "expected '" + line.head + " FIELD OP VALUES'");
    }
    const std::string_view field = words[0];
    const std::string_view op = words[1];
    const std::string_view rest = detail::after_words(line.value, 2);
    const std::size_t n = line.number;
    const auto bad_op = [&]() {
      return error_at(errc::syntax, n,
                      "operator '" + std::string(op) + "' for '" + std::string(field) + "'");
    };
    if (field != "categories") {
      c.constrains_request = true;
    }

    if (field == "between") {
      // between A and B
      const std::string_view pair = detail::after_words(line.value, 1);
      const auto and_at = pair.find(" and ");
      if (c.between || and_at == std::string_view::npos) {
        return error_at(errc::syntax, n, "expected 'between ORGS and ORGS' (once per rule part)");
      }
      auto a = parse_mask<protocol::OrgType>(pair.substr(0, and_at), groups_, n);
      auto b = parse_mask<protocol::OrgType>(pair.substr(and_at + 5), groups_, n);
      if (!a) {
        return a.error();
      }
      if (!b) {
        return b.error();
      }
      c.between = true;
      c.between_a = *a;
      c.between_b = *b;
      return true;
    }
    if (field == "same_organisation" || field == "competent") {
      const auto value = detail::parse_yes_no(rest);
      if (op != "is" || !value) {
        return error_at(errc::syntax, n, "expected '" + std::string(field) + " is yes|no'");
      }
      (field == "competent" ? c.competent : c.same_organisation) =
          *value ? Expect::yes : Expect::no;
      return true;
    }
    if (field == "age") {
      const auto value = detail::parse_small_int(rest);
      if (!value || (op != ">=" && op != "<")) {
        return error_at(errc::syntax, n, "expected 'age >= N' or 'age < N'");
      }
      (op == ">=" ? c.age_at_least : c.age_below) = *value;
      return true;
    }
    if (field == "flags") {
      auto mask = parse_mask<Flag>(rest, groups_, n);
      if (!mask) {
        return mask.error();
      }
      if (op == "has") {
        c.flags_all |= *mask;
      } else if (op == "has_any") {
        c.flags_any |= *mask;
      } else if (op == "lacks") {
        c.flags_none |= *mask;
      } else if (op == "lacks_any") {
        c.flags_not_all |= *mask;
      } else {
        return bad_op();
      }
      return true;
    }
    if (op != "in" && op != "not_in") {
      return bad_op();
    }
    const bool negate = op == "not_in";
    TextResult<std::uint64_t> mask = std::uint64_t{0};
    std::uint64_t* target = nullptr;
    if (field == "sender_org") {
      mask = parse_mask<protocol::OrgType>(rest, groups_, n);
      target = &c.sender_org;
    } else if (field == "recipient_org") {
      mask = parse_mask<protocol::OrgType>(rest, groups_, n);
      target = &c.recipient_org;
    } else if (field == "sender_role") {
      mask = parse_mask<protocol::StaffRole>(rest, groups_, n);
      target = &c.sender_role;
    } else if (field == "recipient_role") {
      mask = parse_mask<protocol::StaffRole>(rest, groups_, n);
      target = &c.recipient_role;
    } else if (field == "recipient_kind") {
      mask = parse_mask<RecipientKind>(rest, groups_, n);
      target = &c.recipient_kind;
    } else if (field == "kind") {
      mask = parse_mask<protocol::MessageKind>(rest, groups_, n);
      target = &c.kind;
    } else if (field == "purpose") {
      mask = parse_mask<protocol::Purpose>(rest, groups_, n);
      target = &c.purpose;
    } else if (field == "categories") {
      mask = parse_mask<protocol::DataCategory>(rest, groups_, n);
      if (!mask) {
        return mask.error();
      }
      const auto bits = static_cast<std::uint32_t>(*mask);
      c.categories &= negate ? (detail::kAllCategories & ~bits) : bits;
      if (c.categories == 0 && !is_require) {
        return error_at(errc::bad_value, n, "the rule's categories are empty");
      }
      return true;
    } else {
      return error_at(errc::unknown_key, n, "condition field '" + std::string(field) + "'");
    }
    if (!mask) {
      return mask.error();
    }
    // "not_in" refuses an unknown fact too: a condition never holds on what is not known.
    *target &= negate ? ~(*mask | detail::kUnknownBit) : *mask;
    return true;
  }

  TextResult<Effect> effect(const Line& line) {
    auto words = detail::split_words(line.value);
    const std::size_t n = line.number;
    // "$setting" takes the value from [settings].
    std::vector<std::string> resolved;
    for (const auto word : words) {
      if (word == "$elp_consent") {
        resolved.emplace_back(name_of(out_->settings.elp_consent));
      } else if (word == "$danger_approval_role") {
        resolved.emplace_back(name_of(out_->settings.danger_approval_role));
      } else if (!word.empty() && word.front() == '$') {
        return error_at(errc::unknown_name, n, "setting '" + std::string(word) + "'");
      } else {
        resolved.emplace_back(word);
      }
    }
    if (resolved.empty()) {
      return error_at(errc::bad_value, n, "'" + line.head + "' is empty");
    }
    Effect e = detail::kDenyEffect;
    const std::string& kind = resolved.front();
    const auto only = [&](EffectKind k) -> TextResult<Effect> {
      if (resolved.size() != 1) {
        return error_at(errc::syntax, n, "'" + kind + "' takes no arguments");
      }
      e.kind = k;
      return e;
    };
    if (kind == "allow") {
      return only(EffectKind::allow);
    }
    if (kind == "deny") {
      return only(EffectKind::deny);
    }
    if (kind == "pass") {
      return only(EffectKind::pass);
    }
    if (kind == "duty") {
      return only(EffectKind::duty);
    }
    if (kind == "default_deny") {
      return only(EffectKind::default_deny);
    }
    if (kind == "rederive_giver") {
      return only(EffectKind::rederive_giver);
    }
    if (kind == "school_view") {
      return only(EffectKind::school_view);
    }
    if (kind == "approval") {
      const auto role =
          resolved.size() == 2 ? parse_name<protocol::StaffRole>(resolved[1]) : std::nullopt;
      if (!role) {
        return error_at(errc::syntax, n, "expected 'approval ROLE'");
      }
      e.kind = EffectKind::approval;
      e.role = *role;
      return e;
    }
    if (kind == "consent") {
      const auto source =
          resolved.size() >= 2 ? parse_name<ConsentSource>(resolved[1]) : std::nullopt;
      if (!source) {
        return error_at(errc::syntax, n,
                        "expected 'consent giver|ouders|leerling|ouders_en_leerling|"
                        "ouders_en_giver [written] [specific]'");
      }
      e.kind = EffectKind::consent;
      e.source = *source;
      for (std::size_t k = 2; k < resolved.size(); ++k) {
        if (resolved[k] == "written") {
          e.written = true;
        } else if (resolved[k] == "specific") {
          e.specific = true;
        } else {
          return error_at(errc::unknown_name, n, "consent option '" + resolved[k] + "'");
        }
      }
      return e;
    }
    return error_at(errc::unknown_name, n, "effect '" + kind + "'");
  }

  TextResult<bool> rule_entry(const Line& line, RuleDraft& d) {
    if (line.head == "when" || line.head == "require") {
      if (line.has_equals) {
        return error_at(errc::syntax, line.number, "conditions have no '=': 'when FIELD OP X'");
      }
      const bool is_require = line.head == "require";
      if (is_require) {
        d.rule.has_require = true;
      }
      return condition(line, is_require ? d.rule.require : d.rule.when, is_require);
    }
    if (auto ok = expect_entry(line); !ok) {
      return ok;
    }
    if (!d.keys.insert(line.head).second) {
      return error_at(errc::duplicate, line.number, "key '" + line.head + "'");
    }
    if (line.head == "title") {
      d.info.title = line.value;
    } else if (line.head == "source") {
      d.info.source = line.value;
    } else if (line.head == "nl") {
      d.info.nl = line.value;
    } else if (line.head == "en") {
      d.info.en = line.value;
    } else if (line.head == "otherwise_nl") {
      d.info.otherwise_nl = line.value;
    } else if (line.head == "otherwise_en") {
      d.info.otherwise_en = line.value;
    } else if (line.head == "stage") {
      const auto stage = parse_name<Stage>(line.value);
      if (!stage) {
        return error_at(errc::unknown_name, line.number, "stage '" + line.value + "'");
      }
      d.rule.stage = *stage;
      d.has_stage = true;
    } else if (line.head == "effect" || line.head == "otherwise") {
      auto parsed = effect(line);
      if (!parsed) {
        return parsed.error();
      }
      if (line.head == "effect") {
        d.rule.effect = *parsed;
        d.info.effect = line.value;
        d.has_effect = true;
      } else {
        d.rule.otherwise = *parsed;
        d.info.otherwise = line.value;
        d.has_otherwise = true;
      }
    } else {
      return error_at(errc::unknown_key, line.number, "'" + line.head + "' in a rule");
    }
    return true;
  }

  static bool effect_fits_stage(EffectKind kind, Stage stage, bool is_otherwise) {
    switch (stage) {
      case Stage::refusal:
      case Stage::obligation:
      case Stage::exception:
      case Stage::consent:
        return kind == EffectKind::allow || kind == EffectKind::deny ||
               kind == EffectKind::consent || kind == EffectKind::approval ||
               (kind == EffectKind::pass && !is_otherwise);
      case Stage::additional:
        return kind == EffectKind::consent || kind == EffectKind::approval ||
               kind == EffectKind::deny;
      case Stage::duty:
        return kind == EffectKind::duty;
      case Stage::engine:
        return kind == EffectKind::default_deny || kind == EffectKind::rederive_giver ||
               kind == EffectKind::school_view;
    }
    return false;
  }

  static void add_outcomes(const Effect& e, std::vector<Outcome>& outcomes) {
    const auto add = [&](Outcome o) {
      if (std::find(outcomes.begin(), outcomes.end(), o) == outcomes.end()) {
        outcomes.push_back(o);
      }
    };
    switch (e.kind) {
      case EffectKind::allow:
      case EffectKind::pass:
      case EffectKind::duty:
        add(Outcome::allow);
        break;
      case EffectKind::deny:
      case EffectKind::default_deny:
        add(Outcome::deny);
        break;
      case EffectKind::consent:
        add(Outcome::allow);
        add(Outcome::needs_consent);
        break;
      case EffectKind::approval:
        add(Outcome::allow);
        add(Outcome::needs_second_approval);
        break;
      case EffectKind::rederive_giver:
        add(Outcome::needs_consent);
        break;
      case EffectKind::school_view:
        break;  // decides no message: the hub's signalen view reads [settings] signalen_roles
    }
  }

  TextResult<bool> rule(const Line& header, std::span<const Line> body) {
    RuleDraft d;
    d.info.id = header.value;
    d.info.line = header.number;
    const std::size_t n = header.number;
    for (const auto& existing : out_->infos) {
      if (existing.id == d.info.id) {
        return error_at(errc::duplicate, n, "rule id '" + d.info.id + "'");
      }
    }
    for (const Line& line : body) {
      if (auto ok = rule_entry(line, d); !ok) {
        return ok;
      }
    }
    const auto missing = [&](const char* key) {
      return error_at(errc::missing_key, n, std::string("rule ") + d.info.id + " has no " + key);
    };
    if (d.info.title.empty()) {
      return missing("title");
    }
    if (d.info.source.empty()) {
      return missing("source");
    }
    if (!d.has_stage) {
      return missing("stage");
    }
    if (!d.has_effect) {
      return missing("effect");
    }
    if (d.info.nl.empty()) {
      return missing("nl");
    }
    if (d.info.en.empty()) {
      return missing("en");
    }
    d.info.stage = d.rule.stage;
    if (!out_->infos.empty() && d.rule.stage < out_->infos.back().stage) {
      return error_at(errc::misplaced, n,
                      "rule " + d.info.id + " of stage " + std::string(name_of(d.rule.stage)) +
                          " comes after a rule of stage " +
                          std::string(name_of(out_->infos.back().stage)));
    }
    if (!effect_fits_stage(d.rule.effect.kind, d.rule.stage, false)) {
      return error_at(
          errc::misplaced, n,
          "effect '" + d.info.effect + "' in stage " + std::string(name_of(d.rule.stage)));
    }
    const bool deciding = d.rule.stage <= Stage::consent;
    if (d.rule.has_require) {
      if (!deciding) {
        return error_at(errc::misplaced, n,
                        "only refusal, obligation, exception and consent rules have 'require'");
      }
      if (!d.has_otherwise) {
        d.rule.otherwise.kind = EffectKind::deny;
        d.info.otherwise = "deny";
      }
      if (!effect_fits_stage(d.rule.otherwise.kind, d.rule.stage, true)) {
        return error_at(errc::misplaced, n, "otherwise '" + d.info.otherwise + "'");
      }
      if (d.info.otherwise_nl.empty() || d.info.otherwise_en.empty()) {
        return missing("otherwise_nl and otherwise_en (it has requirements)");
      }
    } else if (d.has_otherwise || !d.info.otherwise_nl.empty() || !d.info.otherwise_en.empty()) {
      return error_at(errc::misplaced, n,
                      "rule " + d.info.id + " has an otherwise but no 'require'");
    }
    if (d.rule.effect.kind == EffectKind::pass && !d.rule.has_require) {
      return error_at(errc::misplaced, n, "a 'pass' gate needs requirements");
    }
    if (d.rule.stage == Stage::engine &&
        (d.rule.when.constrains_request || d.rule.when.categories != detail::kAllCategories)) {
      return error_at(errc::misplaced, n, "engine rules have no conditions");
    }

    add_outcomes(d.rule.effect, d.info.outcomes);
    if (d.rule.effect.kind == EffectKind::pass) {
      d.info.outcomes.clear();  // a gate decides nothing itself when it passes
      d.info.outcomes.push_back(Outcome::allow);
    }
    if (d.rule.has_require) {
      add_outcomes(d.rule.otherwise, d.info.outcomes);
    }
    if (out_->infos.size() >= 0xFFFF) {
      return error_at(errc::bad_value, n, "too many rules");
    }
    d.rule.info = static_cast<std::uint16_t>(out_->infos.size());
    if (d.rule.stage == Stage::engine) {
      int& slot = d.rule.effect.kind == EffectKind::default_deny  ? out_->default_rule
                  : d.rule.effect.kind == EffectKind::school_view ? out_->school_view_rule
                                                                  : out_->rederive_rule;
      if (slot >= 0) {
        return error_at(errc::duplicate, n, "a second '" + d.info.effect + "' rule");
      }
      slot = d.rule.info;
    } else if (deciding) {
      out_->deciding.push_back(d.rule);
    } else if (d.rule.stage == Stage::additional) {
      out_->additional.push_back(d.rule);
    } else {
      out_->duties.push_back(d.rule);
    }
    out_->infos.push_back(std::move(d.info));
    return true;
  }

  std::vector<Line> lines_;
  std::shared_ptr<CompiledRules> out_ = std::make_shared<CompiledRules>();
  Groups groups_;
  bool seen_ruleset_ = false;
};

}  // namespace

TextResult<RuleSet> parse_rule_set(std::string_view text) {
  auto lines = detail::read_lines(text);
  if (!lines) {
    return lines.error();
  }
  return Parser(std::move(*lines)).run();
}

}  // namespace draaischijf::policies
