// evaluate(): one pass over the rules, stage by stage (POLICY-RULES section 3: refusals, legal
// obligations, exceptions, consent, default deny).
//
// A request is judged per data category. Each deciding rule takes the categories it names that
// no earlier rule took (first match per category) and gives them its effect, or its otherwise
// when a requirement fails. Categories no rule took are denied by the default rule. Then:
//   - any category denied: the decision is deny, with the rules that denied;
//   - otherwise the additional rules add their requirements (a CLB-arts approval for medical
//     data, consent for school-initiated guidance), then every approval and consent asked for
//     is looked up in the request: a missing approval gives needs_second_approval, a missing
//     consent needs_consent, and with everything present the decision is allow.

#include <algorithm>
#include <array>

#include <draaischijf/policies/decision.hpp>

#include "compiled.hpp"
#include "consent_match.hpp"
#include "pupil.hpp"

namespace draaischijf::policies {
namespace {

using detail::bit_of;
using detail::CompiledRule;
using detail::Effect;
using detail::EffectKind;
using detail::Facts;

constexpr std::uint32_t kIdentification =
    1U << static_cast<unsigned>(protocol::DataCategory::identificatie);

// Without a default rule in the file (the empty rule set) the engine's own text answers.
const Reason& builtin_default_reason() {
  static const Reason reason{
      "R00",
      "Geen regel laat deze uitwisseling toe; zonder uitdrukkelijke toelating verlaat niets het "
      "CLB.",
      "No rule allows this exchange; without an explicit permission nothing leaves the CLB.",
      "Draaischijf: standaard weigeren (default deny)"};
  return reason;
}

// Trivial on purpose: the fixed buffer below is not zeroed on every evaluation.
struct Applied {
  int rule;  // index into infos; -1 for the built-in default
  bool is_otherwise;
  Effect effect;
  std::uint32_t categories;
};

class AppliedList {
 public:
  void add(int rule, bool is_otherwise, const Effect& effect, std::uint32_t categories) {
    if (categories == 0 || size_ == items_.size()) {
      return;  // the parser bounds the rule set so the buffer cannot fill
    }
    items_[size_++] = Applied{rule, is_otherwise, effect, categories};
  }
  [[nodiscard]] std::span<const Applied> items() const { return {items_.data(), size_}; }
  [[nodiscard]] bool any_deny() const {
    for (const Applied& a : items()) {
      if (a.effect.kind == EffectKind::deny || a.effect.kind == EffectKind::default_deny) {
        return true;
      }
    }
    return false;
  }

 private:
  std::array<Applied, detail::kMaxApplied> items_;
  std::size_t size_ = 0;
};

Facts facts_of(const Request& r, const detail::PupilStatus& status) {
  Facts f;
  // The team's own copy goes to an organisation too (the sender's): the organisation facts hold.
  const bool to_organisation = r.recipient_kind == RecipientKind::organisation ||
                               r.recipient_kind == RecipientKind::eigen_team;
  f.sender_org = bit_of(r.sender_org_type);
  f.recipient_org = to_organisation ? bit_of(r.recipient_org_type) : detail::kUnknownBit;
  f.sender_role = bit_of(r.sender_role);
  f.recipient_role = r.recipient_role ? bit_of(*r.recipient_role) : detail::kUnknownBit;
  f.recipient_kind = bit_of(r.recipient_kind);
  f.kind = bit_of(r.kind);
  f.purpose = bit_of(r.purpose);
  f.flags = r.flags.bits();
  const protocol::Id zero{};
  f.same_organisation = static_cast<std::int8_t>(to_organisation && r.sender_org_id != zero &&
                                                 r.sender_org_id == r.recipient_org_id);
  f.competent = status.competent;
  f.age = status.age;
  return f;
}

bool gives_as(ConsentGiver giver, bool parents) {
  return giver == ConsentGiver::beiden ||
         giver == (parents ? ConsentGiver::ouders : ConsentGiver::leerling);
}

bool has_approval(const Request& r, protocol::StaffRole role) {
  for (const Approval& a : r.approvals) {
    const bool own = !a.approver.empty() && a.approver == r.sender_staff;
    if (a.role == role && !own) {
      return true;
    }
  }
  return false;
}

void add_unique(std::vector<std::string>& ids, const std::string& id) {
  for (const auto& existing : ids) {
    if (existing == id) {
      return;
    }
  }
  ids.push_back(id);
}

class Evaluation {
 public:
  Evaluation(const detail::CompiledRules& rules, const Request& request, Decision& out)
      : rules_(rules),
        request_(request),
        out_(out),
        status_(detail::pupil_status(request.pupil, request.date, rules.settings)),
        facts_(facts_of(request, status_)),
        categories_(request.categories.empty() ? kIdentification : request.categories.bits()) {}

  void run() {
    decide_per_category();
    if (applied_.any_deny()) {
      finish_deny();
      return;
    }
    for (const CompiledRule& rule : rules_.additional) {
      const std::uint32_t scope = rule.when.categories & categories_;
      if (scope != 0 && rule.when.matches(facts_)) {
        applied_.add(rule.info, false, rule.effect, scope);
      }
    }
    if (applied_.any_deny()) {
      finish_deny();
      return;
    }
    check_requirements();
  }

 private:
  void decide_per_category() {
    std::uint32_t remaining = categories_;
    for (const CompiledRule& rule : rules_.deciding) {
      const std::uint32_t scope = rule.when.categories & remaining;
      if (scope == 0 || !rule.when.matches(facts_)) {
        continue;
      }
      const bool requirements_hold = !rule.has_require || rule.require.matches(facts_);
      const std::uint32_t granted = requirements_hold ? scope & rule.require.categories : 0;
      const std::uint32_t refused = scope & ~granted;
      applied_.add(rule.info, false, rule.effect, granted);
      applied_.add(rule.info, true, rule.otherwise, refused);
      // A passed gate leaves its categories to the rules after it.
      remaining &= rule.effect.kind == EffectKind::pass ? ~refused : ~scope;
      if (remaining == 0) {
        return;
      }
    }
    Effect default_deny = detail::kDenyEffect;
    default_deny.kind = EffectKind::default_deny;
    applied_.add(rules_.default_rule, false, default_deny, remaining);
  }

  void finish_deny() {
    out_.outcome = Outcome::deny;
    for (const Applied& a : applied_.items()) {
      if (a.effect.kind == EffectKind::deny || a.effect.kind == EffectKind::default_deny) {
        add_reason(a.rule, a.is_otherwise);
      }
    }
  }

  void check_requirements() {
    const detail::Counterpart counterpart = detail::counterpart_of(request_);
    detail::Parties missing;
    bool rederived = false;
    std::optional<protocol::StaffRole> missing_role;
    for (const Applied& a : applied_.items()) {
      add_reason(a.rule, a.is_otherwise);
      if (a.effect.kind == EffectKind::approval) {
        if (!missing_role && !has_approval(request_, a.effect.role)) {
          missing_role = a.effect.role;
        }
      } else if (a.effect.kind == EffectKind::consent) {
        const detail::Parties needed = detail::parties_for(a.effect.source, status_);
        for (const bool parents : {true, false}) {
          if (parents ? !needed.ouders : !needed.leerling) {
            continue;
          }
          const ConsentRecord* by_party = nullptr;
          const ConsentRecord* by_other = nullptr;
          for (const ConsentRecord& record : request_.consents) {
            if (record.pupil != request_.pupil_pseudonym) {
              continue;  // another pupil's consent is no business of this decision
            }
            const auto mismatch = detail::mismatch_of(record, request_, counterpart, a.effect,
                                                      a.categories, rules_.settings);
            if (mismatch) {
              note(record, *mismatch, a.rule);
              continue;
            }
            if (gives_as(record.giver, parents)) {
              by_party = &record;
              break;
            }
            by_other = &record;
          }
          if (by_party != nullptr) {
            add_unique(out_.consent_record_ids, by_party->id);
          } else {
            (parents ? missing.ouders : missing.leerling) = true;
            // R32 only when the other party's consent is on record but not asked for: the
            // giver changed with the pupil's age or competency.
            const bool other_needed = parents ? needed.leerling : needed.ouders;
            if (by_other != nullptr && !other_needed) {
              rederived = true;
              note(*by_other, {ConsentMismatch::other_giver}, a.rule);
            }
          }
        }
      }
    }
    out_.consent_from = detail::giver_of(missing);
    if (missing_role) {
      out_.outcome = Outcome::needs_second_approval;
      out_.approval_role = missing_role;
    } else if (missing.any()) {
      out_.outcome = Outcome::needs_consent;
    } else {
      out_.outcome = Outcome::allow;
    }
    if (rederived && rules_.rederive_rule >= 0 && out_.outcome != Outcome::allow) {
      add_reason(rules_.rederive_rule, false);
    }
    if (out_.outcome == Outcome::allow) {
      out_.consent_from.reset();
      out_.consent_notes.clear();
      add_duties();
    } else {
      // A record that counted for one rule or party is not "a consent that did not count".
      const auto& used = out_.consent_record_ids;
      std::erase_if(out_.consent_notes, [&](const ConsentNote& n) {
        return std::find(used.begin(), used.end(), n.record_id) != used.end();
      });
      out_.consent_record_ids.clear();  // only an allow rests on a legal basis
    }
  }

  // One note per record: the first reason it did not count.
  void note(const ConsentRecord& record, const detail::Mismatch& mismatch, int rule) {
    for (const ConsentNote& existing : out_.consent_notes) {
      if (existing.record_id == record.id) {
        return;
      }
    }
    const std::string& rule_id = rule >= 0 ? rules_.infos[static_cast<std::size_t>(rule)].id
                                           : builtin_default_reason().rule_id;
    out_.consent_notes.push_back(detail::note_for(record, mismatch, rule_id, request_));
  }

  void add_duties() {
    for (const CompiledRule& rule : rules_.duties) {
      if ((rule.when.categories & categories_) != 0 && rule.when.matches(facts_)) {
        const RuleInfo& info = rules_.infos[rule.info];
        out_.duties.push_back(Reason{info.id, info.nl, info.en, info.source});
      }
    }
  }

  void add_reason(int rule, bool is_otherwise) {
    const std::string& id = rule >= 0 ? rules_.infos[static_cast<std::size_t>(rule)].id
                                      : builtin_default_reason().rule_id;
    for (std::size_t k = 0; k < out_.reasons.size(); ++k) {
      if (out_.reasons[k].rule_id == id && reason_is_otherwise_[k] == is_otherwise) {
        return;
      }
    }
    if (rule < 0) {
      out_.reasons.push_back(builtin_default_reason());
    } else {
      const RuleInfo& info = rules_.infos[static_cast<std::size_t>(rule)];
      out_.reasons.push_back(Reason{info.id, is_otherwise ? info.otherwise_nl : info.nl,
                                    is_otherwise ? info.otherwise_en : info.en, info.source});
    }
    if (reason_count_ < reason_is_otherwise_.size()) {
      reason_is_otherwise_[reason_count_++] = is_otherwise;
    }
  }

  const detail::CompiledRules& rules_;
  const Request& request_;
  Decision& out_;
  detail::PupilStatus status_;
  Facts facts_;
  std::uint32_t categories_;
  AppliedList applied_;
  std::array<bool, detail::kMaxApplied> reason_is_otherwise_{};
  std::size_t reason_count_ = 0;
};

}  // namespace

void evaluate_into(const RuleSet& rules, const Request& request, Decision& out) {
  out.outcome = Outcome::deny;
  out.consent_from.reset();
  out.approval_role.reset();
  out.reasons.clear();
  out.duties.clear();
  out.consent_record_ids.clear();
  out.consent_notes.clear();
  out.policy_version = rules.version();
  Evaluation(rules.compiled(), request, out).run();
}

Decision evaluate(const RuleSet& rules, const Request& request) {
  Decision decision;
  evaluate_into(rules, request, decision);
  return decision;
}

std::vector<std::string> Decision::rule_ids() const {
  std::vector<std::string> ids;
  for (const Reason& reason : reasons) {
    add_unique(ids, reason.rule_id);
  }
  return ids;
}

std::string_view to_string(Outcome outcome) noexcept {
  const auto name = name_of(outcome);
  return name.empty() ? std::string_view("deny") : name;
}

}  // namespace draaischijf::policies
