// Property test: random requests judged by the engine (with the Flemish rule file) and by an
// independent reference model written here as plain if/else over the same rules. The model
// shares nothing with the engine but the vocabulary and the Request type: its own age
// arithmetic, its own consent matching, its own rule order. Both must agree on the outcome, the
// rule ids, who must consent and which approval is missing.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

using protocol::DataCategory;
using protocol::MessageKind;
using protocol::OrgType;
using protocol::Purpose;
using protocol::StaffRole;
using Cat = DataCategory;

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

// The order of the rules in the rule file: decides which missing approval is named first.
const std::vector<std::string> kRuleOrder = {
    "R30", "R11", "R12", "R25", "R35", "R31", "R28", "R27b", "R13", "R14", "R15", "R16", "R17",
    "R18", "R37", "R23", "R26", "R24", "R21", "R19", "R20",  "R27", "R10", "R36", "R02", "R33",
    "R34", "R29", "R03", "R22", "R06", "R07", "R04", "R01",  "R09", "R05", "R08", "R32", "R00"};

int rank_of(const std::string& id) {
  return static_cast<int>(std::find(kRuleOrder.begin(), kRuleOrder.end(), id) - kRuleOrder.begin());
}

enum class Who { giver, ouders, leerling, ouders_en_giver };

struct Verdict {
  enum Kind { allow, deny, consent, approval } kind = deny;
  std::string rule;
  int part = 0;  // 0: the rule's effect, 1: its otherwise (groups categories like the engine)
  Who who = Who::giver;
  bool written = false;
  bool specific = false;
  StaffRole role = StaffRole::clb_arts;
};

Verdict allow_by(std::string rule, int part = 0) { return {Verdict::allow, std::move(rule), part}; }
Verdict deny_by(std::string rule, int part = 0) { return {Verdict::deny, std::move(rule), part}; }
Verdict consent_by(std::string rule, int part, Who who, bool written = false,
                   bool specific = false) {
  return {Verdict::consent, std::move(rule), part, who, written, specific};
}
Verdict approval_by(std::string rule, int part, StaffRole role) {
  Verdict v{Verdict::approval, std::move(rule), part};
  v.role = role;
  return v;
}

template <class T>
bool one_of(T value, std::initializer_list<T> values) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool partner_geheim(OrgType o) {
  return one_of(o, {OrgType::caw, OrgType::cgg, OrgType::jeugdhulp, OrgType::ocj_vk, OrgType::mfc,
                    OrgType::eerstelijnspsycholoog, OrgType::huisarts, OrgType::logopedist});
}
bool partner_open(OrgType o) {
  return one_of(o, {OrgType::huis_van_het_kind, OrgType::vaph, OrgType::leersteuncentrum,
                    OrgType::gemeente, OrgType::vrijetijdsorganisatie});
}
bool partner(OrgType o) { return partner_geheim(o) || partner_open(o); }

struct Model {
  const Request& r;
  int age = -1;        // -1 unknown
  int competent = -1;  // -1 unknown
  bool adult = false;
  bool to_org = false;
  bool same_org = false;

  explicit Model(const Request& request) : r(request) {
    if (r.pupil.birth_date) {
      const CivilDate b = *r.pupil.birth_date;
      const CivilDate d = r.date;
      int years = d.year - b.year;
      if (d.month * 100 + d.day < b.month * 100 + b.day) {
        years -= 1;
      }
      age = years >= 0 ? years : -1;
    } else if (r.pupil.age) {
      age = *r.pupil.age;
    }
    adult = age >= 18;
    if (adult) {
      competent = r.pupil.adult_incompetent ? 0 : 1;
    } else if (r.pupil.competency == Competency::bekwaam) {
      competent = 1;
    } else if (r.pupil.competency == Competency::onbekwaam) {
      competent = 0;
    } else if (age >= 0) {
      competent = age >= 12 ? 1 : 0;
    }
    to_org = r.recipient_kind == RecipientKind::organisation;
    const protocol::Id zero{};
    same_org = to_org && r.sender_org_id != zero && r.sender_org_id == r.recipient_org_id;
  }

  bool F(Flag f) const { return r.flags.contains(f); }
  bool to(std::initializer_list<OrgType> types) const {
    return to_org && one_of(r.recipient_org_type, types);
  }
  bool from(OrgType type) const { return r.sender_org_type == type; }
  bool between(bool (*a)(OrgType), bool (*b)(OrgType)) const {
    return to_org && ((a(r.sender_org_type) && b(r.recipient_org_type)) ||
                      (b(r.sender_org_type) && a(r.recipient_org_type)));
  }
  bool care_purpose() const {
    return one_of(r.purpose, {Purpose::begeleiding, Purpose::doorverwijzing, Purpose::consultatie,
                              Purpose::terugkoppeling});
  }

  // Decides one category; `notes` collects gates that passed (R28).
  Verdict decide(Cat c, std::set<std::string>& notes) const {
    static const auto is_clb = [](OrgType o) { return o == OrgType::clb; };
    static const auto is_school = [](OrgType o) { return o == OrgType::school; };
    // Refusals.
    if (to({OrgType::hub_operator})) {
      return deny_by("R30");
    }
    if (!to_org && c == Cat::vertrouwelijk) {
      return deny_by("R11");
    }
    if (!to_org && (c == Cat::derden || c == Cat::gerechtelijk)) {
      return deny_by("R12");
    }
    if (to({OrgType::justitie}) && !F(Flag::verontrusting) && !F(Flag::dijh_verzoek) &&
        !F(Flag::casusoverleg)) {
      return F(Flag::gerechtelijk_bevel) ? approval_by("R25", 0, StaffRole::clb_directeur)
                                         : deny_by("R25", 1);
    }
    if (from(OrgType::school) && to_org && partner(r.recipient_org_type)) {
      return deny_by("R35");
    }
    if (partner(r.sender_org_type) && to({OrgType::school})) {
      return deny_by("R31");
    }
    if (c == Cat::verslag && F(Flag::gc_verslag)) {
      const bool all = F(Flag::gc_participatieprobleem) &&
                       F(Flag::gc_zorgmaatregelen_geevalueerd) &&
                       F(Flag::gc_compenserend_dispenserend) && F(Flag::gc_uitbreiding_zorg) &&
                       F(Flag::gc_leervraag_leerkracht) && F(Flag::gc_leersteun_nodig) &&
                       F(Flag::gc_specifieke_deskundigheid) && F(Flag::gc_teamoverleg);
      if (!all) {
        return deny_by("R28", 1);
      }
      notes.insert("R28");
    }
    if (c == Cat::verslag && to_org && !to({OrgType::school, OrgType::clb})) {
      return deny_by("R27b");
    }
    // Legal obligations.
    if (F(Flag::schoolverandering) && r.purpose == Purpose::dossieroverdracht &&
        from(OrgType::clb) && to({OrgType::clb})) {
      if (one_of(c, {Cat::identificatie, Cat::vaccinatie, Cat::leerplicht,
                     Cat::preventieve_gezondheidszorg, Cat::verslag})) {
        return allow_by("R13");
      }
      return !F(Flag::verzet) && F(Flag::wachttermijn_verstreken) ? allow_by("R14")
                                                                  : deny_by("R14", 1);
    }
    if (F(Flag::spijbelen) && between(is_school, is_clb) &&
        one_of(c, {Cat::leerplicht, Cat::identificatie, Cat::contact})) {
      return r.purpose == Purpose::leerplicht ? allow_by("R15") : deny_by("R15", 1);
    }
    if (from(OrgType::clb) && to({OrgType::agodi})) {
      const bool ok = F(Flag::spijbelen) && F(Flag::spijbeldossier_zorgwekkend) &&
                      r.purpose == Purpose::leerplicht &&
                      one_of(c, {Cat::identificatie, Cat::leerplicht});
      return ok ? approval_by("R16", 0, StaffRole::clb_directeur) : deny_by("R16", 1);
    }
    if (F(Flag::profylaxe) && from(OrgType::school) && to({OrgType::clb}) &&
        one_of(c, {Cat::profylaxe, Cat::identificatie, Cat::preventieve_gezondheidszorg})) {
      const bool medical_team =
          r.recipient_role &&
          one_of(*r.recipient_role, {StaffRole::clb_arts, StaffRole::clb_verpleegkundige});
      return medical_team && r.purpose == Purpose::profylaxe ? allow_by("R17") : deny_by("R17", 1);
    }
    if (from(OrgType::clb) && to({OrgType::zorg_en_gezondheid})) {
      return r.sender_role == StaffRole::clb_arts && r.purpose == Purpose::profylaxe
                 ? allow_by("R18")
                 : deny_by("R18", 1);
    }
    // Exceptions.
    if (F(Flag::verontrusting) && from(OrgType::clb) && to({OrgType::ocj_vk, OrgType::justitie})) {
      return approval_by("R23", 0, StaffRole::clb_directeur);
    }
    if (F(Flag::casusoverleg) && from(OrgType::clb)) {
      return F(Flag::casusoverleg_rechtsgrond) ? approval_by("R26", 0, StaffRole::clb_directeur)
                                               : deny_by("R26", 1);
    }
    if (F(Flag::dijh_verzoek) && from(OrgType::clb) && to({OrgType::justitie})) {
      return c == Cat::identificatie ? approval_by("R24", 0, StaffRole::clb_directeur)
                                     : consent_by("R24", 1, Who::ouders_en_giver);
    }
    if (F(Flag::vaccinatie) && from(OrgType::clb) &&
        one_of(c, {Cat::vaccinatie, Cat::identificatie, Cat::preventieve_gezondheidszorg})) {
      return consent_by("R21", 0, Who::giver, true);
    }
    if (F(Flag::profylaxe) && r.purpose == Purpose::profylaxe && from(OrgType::clb) &&
        to({OrgType::school}) && one_of(c, {Cat::profylaxe, Cat::identificatie})) {
      return c == Cat::profylaxe ? allow_by("R19") : approval_by("R19", 1, StaffRole::clb_arts);
    }
    if (F(Flag::systematisch_contact) && r.purpose == Purpose::systematisch_contact &&
        from(OrgType::clb) && to({OrgType::school}) &&
        one_of(c, {Cat::handelingsgericht_advies, Cat::identificatie,
                   Cat::preventieve_gezondheidszorg, Cat::vaccinatie})) {
      return one_of(c, {Cat::handelingsgericht_advies, Cat::identificatie})
                 ? allow_by("R20")
                 : consent_by("R20", 1, Who::giver);
    }
    if (c == Cat::verslag && from(OrgType::clb) && to({OrgType::school})) {
      return F(Flag::inschrijvingsschool) ? approval_by("R27", 0, StaffRole::clb_directeur)
                                          : deny_by("R27", 1);
    }
    if (r.recipient_kind == RecipientKind::ouders && from(OrgType::clb)) {
      return competent == 0 ? allow_by("R10") : consent_by("R10", 1, Who::leerling);
    }
    if (r.recipient_kind == RecipientKind::leerling && from(OrgType::clb)) {
      return competent == 1 ? allow_by("R36") : consent_by("R36", 1, Who::ouders);
    }
    if (same_org && from(OrgType::clb) && to({OrgType::clb})) {
      const bool guides =
          r.recipient_role &&
          one_of(*r.recipient_role,
                 {StaffRole::clb_arts, StaffRole::clb_verpleegkundige, StaffRole::clb_psycholoog,
                  StaffRole::clb_pedagoog, StaffRole::clb_maatschappelijk_werker,
                  StaffRole::clb_paramedicus, StaffRole::clb_directeur});
      return guides ? allow_by("R02") : deny_by("R02", 1);
    }
    if (partner(r.sender_org_type) && to({OrgType::clb}) &&
        one_of(r.kind, {MessageKind::ontvangstbevestiging, MessageKind::statusantwoord}) &&
        one_of(c, {Cat::identificatie, Cat::contact, Cat::doorverwijzing})) {
      return allow_by("R33");
    }
    if (from(OrgType::school) && to({OrgType::clb}) &&
        one_of(r.kind,
               {MessageKind::signaal, MessageKind::consultatie, MessageKind::terugkoppeling}) &&
        one_of(c, {Cat::identificatie, Cat::leren_en_studeren, Cat::onderwijsloopbaan,
                   Cat::psychisch_sociaal, Cat::diagnostiek, Cat::handelingsgericht_advies,
                   Cat::contact})) {
      return one_of(r.purpose, {Purpose::begeleiding, Purpose::consultatie}) ? allow_by("R34")
                                                                             : deny_by("R34", 1);
    }
    if (from(OrgType::clb) && to({OrgType::school}) && r.purpose == Purpose::datadialoog) {
      return c == Cat::geaggregeerd ? allow_by("R29") : deny_by("R29", 1);
    }
    if (from(OrgType::clb) && to({OrgType::school}) &&
        one_of(c, {Cat::handelingsgericht_advies, Cat::identificatie})) {
      return F(Flag::verzet) ? deny_by("R03", 1) : allow_by("R03");
    }
    // Consent.
    if (from(OrgType::clb) && to({OrgType::eerstelijnspsycholoog})) {
      return care_purpose() ? consent_by("R22", 0, Who::ouders_en_giver) : deny_by("R22", 1);
    }
    if (between(is_clb, partner_geheim)) {
      return care_purpose() ? consent_by("R06", 0, Who::giver) : deny_by("R06", 1);
    }
    if (between(is_clb, partner_open)) {
      return care_purpose() ? consent_by("R07", 0, Who::giver, false, true) : deny_by("R07", 1);
    }
    if (from(OrgType::clb) && to({OrgType::school}) &&
        one_of(c, {Cat::psychisch_sociaal, Cat::diagnostiek, Cat::preventieve_gezondheidszorg,
                   Cat::vaccinatie, Cat::derden, Cat::leren_en_studeren, Cat::onderwijsloopbaan,
                   Cat::contact, Cat::doorverwijzing, Cat::multidisciplinair_overleg,
                   Cat::kind_en_gezin})) {
      return consent_by("R04", 0, Who::giver);
    }
    return deny_by("R00");
  }

  struct Needed {
    bool ouders = false;
    bool leerling = false;
  };

  Needed needed(Who who) const {
    Needed n;
    switch (who) {
      case Who::giver:
        n.leerling = competent != 0;
        n.ouders = competent != 1;
        break;
      case Who::ouders:
        n.ouders = true;
        break;
      case Who::leerling:
        n.leerling = true;
        break;
      case Who::ouders_en_giver:
        n.ouders = true;
        n.leerling = competent != 0;
        break;
    }
    if (adult && competent == 1 && n.ouders) {
      n = Needed{false, true};
    }
    return n;
  }

  bool record_covers(const ConsentRecord& rec, const Verdict& v, const std::set<Cat>& cats) const {
    if (rec.pupil != r.pupil_pseudonym) {
      return false;
    }
    // Whom the record must name.
    if (!to_org) {
      if (!rec.recipient_kinds.contains(r.recipient_kind)) {
        return false;
      }
    } else {
      const bool inbound = r.recipient_org_type == OrgType::clb && !from(OrgType::clb);
      const OrgType type = inbound ? r.sender_org_type : r.recipient_org_type;
      const protocol::Id& id = inbound ? r.sender_org_id : r.recipient_org_id;
      const bool by_id = id != protocol::Id{} &&
                         std::find(rec.recipient_org_ids.begin(), rec.recipient_org_ids.end(),
                                   id) != rec.recipient_org_ids.end();
      const bool by_type = !v.specific && rec.recipient_org_types.contains(type);
      if (!by_id && !by_type) {
        return false;
      }
    }
    if (!rec.purposes.contains(r.purpose)) {
      return false;
    }
    for (const Cat c : cats) {
      const bool implied = c == Cat::identificatie && !v.specific;
      if (!rec.categories.contains(c) && !implied) {
        return false;
      }
    }
    if (v.written && rec.channel == ConsentChannel::mondeling) {
      return false;
    }
    if (r.date < rec.valid_from || (rec.valid_until && r.date > *rec.valid_until)) {
      return false;
    }
    if (rec.revoked && (!rec.revoked_on || !(r.date < *rec.revoked_on))) {
      return false;
    }
    return true;
  }

  struct Result {
    Outcome outcome = Outcome::deny;
    std::set<std::string> rules;
    std::optional<ConsentGiver> consent_from;
    std::optional<StaffRole> approval_role;
  };

  Result run() const {
    std::vector<Cat> cats;
    for (int k = 0; k < protocol::kDataCategoryCount; ++k) {
      if (r.categories.contains(static_cast<Cat>(k))) {
        cats.push_back(static_cast<Cat>(k));
      }
    }
    if (cats.empty()) {
      cats.push_back(Cat::identificatie);
    }
    std::set<std::string> notes;
    // Group the categories by (rule, part): one consent record must cover a whole group.
    std::map<std::pair<std::string, int>, std::pair<Verdict, std::set<Cat>>> groups;
    for (const Cat c : cats) {
      const Verdict v = decide(c, notes);
      auto& group = groups[{v.rule, v.part}];
      group.first = v;
      group.second.insert(c);
    }
    Result result;
    for (const auto& [key, group] : groups) {
      if (group.first.kind == Verdict::deny) {
        result.rules.insert(key.first);
      }
    }
    if (!result.rules.empty()) {
      return result;
    }
    // Additional requirements.
    std::vector<std::pair<Verdict, std::set<Cat>>> needs;
    for (const auto& [key, group] : groups) {
      needs.push_back(group);
    }
    if (from(OrgType::clb) && to_org && r.recipient_org_type != OrgType::clb &&
        F(Flag::schoolvraag) && !F(Flag::begeleidingsakkoord)) {
      needs.push_back({consent_by("R01", 0, Who::giver), {cats.begin(), cats.end()}});
    }
    std::set<Cat> medical;
    for (const Cat c : cats) {
      if (one_of(c, {Cat::vaccinatie, Cat::preventieve_gezondheidszorg, Cat::profylaxe})) {
        medical.insert(c);
      }
    }
    if (from(OrgType::clb) && !same_org && r.sender_role != StaffRole::clb_arts &&
        !medical.empty()) {
      needs.push_back({approval_by("R09", 0, StaffRole::clb_arts), medical});
    }
    std::stable_sort(needs.begin(), needs.end(), [](const auto& a, const auto& b) {
      return rank_of(a.first.rule) < rank_of(b.first.rule);
    });
    bool missing_ouders = false;
    bool missing_leerling = false;
    bool rederived = false;
    for (const auto& [v, group_cats] : needs) {
      result.rules.insert(v.rule);
      if (v.kind == Verdict::approval && !result.approval_role) {
        const bool approved = std::any_of(r.approvals.begin(), r.approvals.end(), [&](auto& a) {
          return a.role == v.role && (a.approver.empty() || a.approver != r.sender_staff);
        });
        if (!approved) {
          result.approval_role = v.role;
        }
      }
      if (v.kind != Verdict::consent) {
        continue;
      }
      const Needed need = needed(v.who);
      for (const bool parents : {true, false}) {
        if (!(parents ? need.ouders : need.leerling)) {
          continue;
        }
        bool found = false;
        bool other = false;
        for (const ConsentRecord& rec : r.consents) {
          if (!record_covers(rec, v, group_cats)) {
            continue;
          }
          const bool gives = rec.giver == ConsentGiver::beiden ||
                             rec.giver == (parents ? ConsentGiver::ouders : ConsentGiver::leerling);
          if (gives) {
            found = true;
            break;
          }
          other = true;
        }
        if (!found) {
          (parents ? missing_ouders : missing_leerling) = true;
          if (other && !(parents ? need.leerling : need.ouders)) {
            rederived = true;
          }
        }
      }
    }
    if (missing_ouders || missing_leerling) {
      result.consent_from = missing_ouders && missing_leerling ? ConsentGiver::beiden
                            : missing_ouders                   ? ConsentGiver::ouders
                                                               : ConsentGiver::leerling;
    }
    if (result.approval_role) {
      result.outcome = Outcome::needs_second_approval;
    } else if (result.consent_from) {
      result.outcome = Outcome::needs_consent;
    } else {
      result.outcome = Outcome::allow;
    }
    if (rederived && result.outcome != Outcome::allow) {
      result.rules.insert("R32");
    }
    for (const auto& note : notes) {
      result.rules.insert(note);
    }
    return result;
  }
};

// ---------------------------------------------------------------------------------------------
// Random requests, biased towards the combinations the rules talk about
// ---------------------------------------------------------------------------------------------

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  Request next() {
    Request r;
    r.date =
        CivilDate{static_cast<std::int16_t>(pick(2025, 2027)),
                  static_cast<std::uint8_t>(pick(1, 12)), static_cast<std::uint8_t>(pick(1, 28))};
    if (chance(50)) {
      r.date = CivilDate{2026, 3, 10};
    }
    pupil(r);
    r.sender_org_type = org();
    r.sender_role = role_for(r.sender_org_type);
    const int kind = pick(0, 99);
    r.recipient_kind = kind < 86   ? RecipientKind::organisation
                       : kind < 93 ? RecipientKind::leerling
                                   : RecipientKind::ouders;
    r.recipient_org_type = org();
    if (chance(60)) {
      r.recipient_role = role_for(r.recipient_org_type);
    }
    r.sender_org_id = id();
    r.recipient_org_id = chance(30) ? r.sender_org_id : id();
    r.sender_staff = chance(50) ? "s1" : "";
    r.kind = static_cast<MessageKind>(pick(1, 7));
    r.purpose = static_cast<Purpose>(pick(1, 10));
    const int count = chance(5) ? 0 : pick(1, 3);
    for (int k = 0; k < count; ++k) {
      r.categories.add(category());
    }
    flags(r);
    r.pupil_pseudonym = chance(95) ? "p1" : "p2";
    const int consents = pick(0, 3);
    for (int k = 0; k < consents; ++k) {
      r.consents.push_back(consent(r, k));
    }
    const int approvals = pick(0, 2);
    for (int k = 0; k < approvals; ++k) {
      static constexpr StaffRole kRoles[] = {StaffRole::clb_arts, StaffRole::clb_directeur,
                                             StaffRole::clb_psycholoog};
      r.approvals.push_back(
          Approval{chance(80) ? kRoles[pick(0, 2)] : static_cast<StaffRole>(pick(1, 15)),
                   chance(30) ? "s1" : "s2"});
    }
    return r;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return pick(0, 99) < percent; }

  OrgType org() {
    static constexpr OrgType kCommon[] = {OrgType::clb,
                                          OrgType::clb,
                                          OrgType::clb,
                                          OrgType::school,
                                          OrgType::school,
                                          OrgType::caw,
                                          OrgType::eerstelijnspsycholoog,
                                          OrgType::gemeente,
                                          OrgType::justitie};
    return chance(60) ? kCommon[pick(0, 8)] : static_cast<OrgType>(pick(1, 19));
  }

  StaffRole role_for(OrgType o) {
    if (chance(15)) {
      return static_cast<StaffRole>(pick(1, 15));
    }
    if (o == OrgType::clb) {
      return static_cast<StaffRole>(pick(1, 8));
    }
    if (o == OrgType::school) {
      return static_cast<StaffRole>(pick(9, 11));
    }
    return static_cast<StaffRole>(pick(12, 15));
  }

  protocol::Id id() {
    protocol::Id id{};
    const int which = pick(0, 4);
    if (which > 0) {
      id[0] = static_cast<std::uint8_t>(which);
    }
    return id;
  }

  Cat category() {
    static constexpr Cat kCommon[] = {Cat::psychisch_sociaal, Cat::handelingsgericht_advies,
                                      Cat::identificatie,     Cat::leerplicht,
                                      Cat::profylaxe,         Cat::preventieve_gezondheidszorg,
                                      Cat::verslag,           Cat::doorverwijzing};
    return chance(50) ? kCommon[pick(0, 7)]
                      : static_cast<Cat>(pick(0, protocol::kDataCategoryCount - 1));
  }

  void flags(Request& r) {
    for (int f = 0; f < static_cast<int>(Flag::gc_verslag); ++f) {
      if (chance(8)) {
        r.flags.add(static_cast<Flag>(f));
      }
    }
    if (chance(15)) {
      r.flags.add(Flag::gc_verslag);
      const bool all = chance(50);
      for (int f = static_cast<int>(Flag::gc_participatieprobleem); f < kFlagCount; ++f) {
        if (all || chance(80)) {
          r.flags.add(static_cast<Flag>(f));
        }
      }
    }
  }

  void pupil(Request& r) {
    const int how = pick(0, 99);
    if (how < 5) {
      return;  // unknown age
    }
    if (how < 15) {
      r.pupil.age = pick(3, 22);
    } else {
      // Often exactly on, or a day before, the 12th or 18th birthday.
      const int years = chance(50) ? (chance(50) ? 12 : 18) : pick(3, 22);
      CivilDate birth = r.date;
      birth.year = static_cast<std::int16_t>(r.date.year - years);
      if (chance(40) && birth.day < 28) {
        birth.day = static_cast<std::uint8_t>(birth.day + 1);  // birthday tomorrow
      }
      r.pupil.birth_date = birth;
    }
    const int competency = pick(0, 99);
    r.pupil.competency = competency < 70   ? Competency::vermoed
                         : competency < 85 ? Competency::bekwaam
                                           : Competency::onbekwaam;
    r.pupil.adult_incompetent = chance(10);
  }

  CivilDate shifted(CivilDate d, int days) {
    int day = d.day + days;
    int month = d.month;
    while (day < 1) {
      day += 28;
      --month;
    }
    while (day > 28) {
      day -= 28;
      ++month;
    }
    int year = d.year;
    if (month < 1) {
      month += 12;
      --year;
    } else if (month > 12) {
      month -= 12;
      ++year;
    }
    return CivilDate{static_cast<std::int16_t>(year), static_cast<std::uint8_t>(month),
                     static_cast<std::uint8_t>(day)};
  }

  ConsentRecord consent(const Request& r, int n) {
    ConsentRecord c;
    c.id = "c" + std::to_string(n);
    c.pupil = chance(95) ? r.pupil_pseudonym : "other";
    c.giver = static_cast<ConsentGiver>(pick(0, 2));
    if (chance(70)) {
      const bool inbound =
          r.recipient_org_type == OrgType::clb && r.sender_org_type != OrgType::clb;
      c.recipient_org_types.add(inbound ? r.sender_org_type : r.recipient_org_type);
    } else {
      c.recipient_org_types.add(static_cast<OrgType>(pick(1, 18)));
    }
    if (chance(30)) {
      c.recipient_org_ids.push_back(chance(70) ? r.recipient_org_id : id());
    }
    if (chance(15)) {
      c.recipient_kinds.add(chance(50) ? RecipientKind::ouders : RecipientKind::leerling);
    }
    if (r.recipient_kind != RecipientKind::organisation && chance(50)) {
      c.recipient_kinds.add(r.recipient_kind);
    }
    c.categories = chance(70) ? r.categories : protocol::CategorySet{};
    for (int k = pick(0, 2); k > 0; --k) {
      c.categories.add(category());
    }
    if (chance(80)) {
      c.purposes.add(r.purpose);
    }
    c.purposes.add(static_cast<Purpose>(pick(1, 10)));
    c.valid_from = shifted(r.date, chance(85) ? -pick(0, 60) : pick(1, 30));
    if (chance(50)) {
      c.valid_until = shifted(r.date, chance(80) ? pick(0, 90) : -pick(1, 30));
    }
    c.channel = static_cast<ConsentChannel>(pick(0, 2));
    if (chance(10)) {
      c.revoked = true;
      if (chance(70)) {
        c.revoked_on = shifted(r.date, pick(-10, 10));
      }
    }
    return c;
  }

  std::mt19937_64 rng_;
};

std::string describe(const Request& r) {
  std::ostringstream out;
  out << "date=" << to_string(r.date) << " sender=" << protocol::name_of(r.sender_org_type) << "/"
      << protocol::name_of(r.sender_role)
      << " recipient_kind=" << protocol::name_of(r.recipient_kind)
      << " recipient=" << protocol::name_of(r.recipient_org_type) << "/"
      << (r.recipient_role ? protocol::name_of(*r.recipient_role) : "-")
      << " same_id=" << (r.sender_org_id == r.recipient_org_id)
      << " kind=" << protocol::name_of(r.kind) << " purpose=" << protocol::name_of(r.purpose)
      << " categories=" << r.categories.bits() << " flags=" << r.flags.bits()
      << " born=" << (r.pupil.birth_date ? to_string(*r.pupil.birth_date) : "-")
      << " age=" << (r.pupil.age ? std::to_string(*r.pupil.age) : "-")
      << " competency=" << protocol::name_of(r.pupil.competency)
      << " adult_incompetent=" << r.pupil.adult_incompetent << " consents=" << r.consents.size()
      << " approvals=" << r.approvals.size();
  return out.str();
}

std::string joined(const std::set<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    out += id + " ";
  }
  return out;
}

TEST(PolicyPropertyTest, EngineAgreesWithTheReferenceModel) {
  constexpr std::uint64_t kSeed = 0x0d7a415c41b2026ULL;
  constexpr int kRequests = 200'000;
  const RuleSet& rules = testing::flemish_rules();
  Generator generator(kSeed);
  std::map<Outcome, int> outcomes;
  int failures = 0;
  for (int n = 0; n < kRequests && failures < 5; ++n) {
    const Request request = generator.next();
    const Decision decision = evaluate(rules, request);
    const Model::Result expected = Model(request).run();
    const auto ids = decision.rule_ids();
    const std::set<std::string> got(ids.begin(), ids.end());
    ++outcomes[decision.outcome];
    if (decision.outcome != expected.outcome || got != expected.rules ||
        decision.consent_from != expected.consent_from ||
        decision.approval_role != expected.approval_role) {
      ++failures;
      ADD_FAILURE() << "seed " << kSeed << ", request #" << n << ": " << describe(request)
                    << "\nmodel:  " << to_string(expected.outcome) << " " << joined(expected.rules)
                    << " consent_from="
                    << (expected.consent_from ? protocol::name_of(*expected.consent_from) : "-")
                    << " approval="
                    << (expected.approval_role ? protocol::name_of(*expected.approval_role) : "-")
                    << "\nengine: " << explain(decision);
    }
  }
  EXPECT_EQ(failures, 0);
  // The generator must reach every outcome often enough for the comparison to mean something.
  for (const Outcome o :
       {Outcome::allow, Outcome::deny, Outcome::needs_consent, Outcome::needs_second_approval}) {
    EXPECT_GT(outcomes[o], kRequests / 100) << to_string(o);
  }
  std::cout << "[ property ] seed " << kSeed << ": allow " << outcomes[Outcome::allow] << ", deny "
            << outcomes[Outcome::deny] << ", needs_consent " << outcomes[Outcome::needs_consent]
            << ", needs_second_approval " << outcomes[Outcome::needs_second_approval] << "\n";
}

}  // namespace
}  // namespace draaischijf::policies
