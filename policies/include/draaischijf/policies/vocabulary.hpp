#pragma once

// The policy engine's own vocabulary, next to the wire vocabulary of protocol/: the exception
// flags a sender attests, who a recipient is when it is not an organisation, who gives consent
// and through which channel, the pupil's competency, and the stages of a rule set.
//
// Names are stable snake_case (they appear in rule files, case tables, JSON and audit rows).
// The name tables plug into protocol's vocabulary<Enum>(), so protocol::name_of(Flag::verzet)
// and protocol::parse_name<Flag>("verzet") work as they do for the wire enums.

#include <cstdint>
#include <initializer_list>
#include <span>

#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::policies {

/// Circumstances a sender attests on a request (POLICY-RULES F plus the attestations the
/// rules need). Codes are bit positions: append only.
enum class Flag : std::uint8_t {
  spijbelen = 0,                   // TRUANCY: mandatory guidance for problematic absences
  spijbeldossier_zorgwekkend,      // the truancy file is escalated to AGODI (R16)
  systematisch_contact,            // PGZ: mandatory systematic contact moments
  vaccinatie,                      // the message prepares or reports a vaccination (R21)
  profylaxe,                       // PROPHYLAXIS: infectious disease measures
  verontrusting,                   // DANGER: concern about the pupil's safety
  gerechtelijk_bevel,              // COURT: a court order or judicial seizure
  dijh_verzoek,                    // written request of a youth judge or social service (R24)
  casusoverleg,                    // CASUSOVERLEG under art. 458ter Sw.
  casusoverleg_rechtsgrond,        // that overleg has a legal basis or procureur authorisation
  schoolverandering,               // TRANSFER: the pupil changed school (and CLB)
  verzet,                          // OBJECTION: the client objects (in writing)
  wachttermijn_verstreken,         // the objection period for a transfer has passed (R14)
  schoolvraag,                     // the guidance started at the school's request (R01)
  begeleidingsakkoord,             // consent to start that guidance is in the MDD (R01)
  inschrijvingsschool,             // the recipient school is the pupil's school of enrolment
  gc_verslag,                      // the fragment is a GC-verslag (R28)
  gc_participatieprobleem,         // R28 condition 1
  gc_zorgmaatregelen_geevalueerd,  // R28 condition 2
  gc_compenserend_dispenserend,    // R28 condition 3
  gc_uitbreiding_zorg,             // R28 condition 4
  gc_leervraag_leerkracht,         // R28 condition 5
  gc_leersteun_nodig,              // R28 condition 6
  gc_specifieke_deskundigheid,     // R28 condition 7
  gc_teamoverleg,                  // the conditions were discussed in a team meeting
};
inline constexpr std::uint8_t kFlagCount = 25;

/// A set of values of a small enum, one bit per code (codes below 63).
template <class Enum>
class EnumSet {
 public:
  constexpr EnumSet() = default;
  constexpr EnumSet(std::initializer_list<Enum> values) {
    for (const Enum value : values) {
      add(value);
    }
  }
  [[nodiscard]] static constexpr EnumSet from_bits(std::uint64_t bits) {
    EnumSet set;
    set.bits_ = bits;
    return set;
  }
  constexpr EnumSet& add(Enum value) {
    bits_ |= std::uint64_t{1} << static_cast<unsigned>(value);
    return *this;
  }
  constexpr EnumSet& remove(Enum value) {
    bits_ &= ~(std::uint64_t{1} << static_cast<unsigned>(value));
    return *this;
  }
  [[nodiscard]] constexpr bool contains(Enum value) const {
    return (bits_ >> static_cast<unsigned>(value) & 1U) != 0;
  }
  [[nodiscard]] constexpr std::uint64_t bits() const { return bits_; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const EnumSet&) const = default;

 private:
  std::uint64_t bits_ = 0;
};

using FlagSet = EnumSet<Flag>;

/// Who receives: an organisation (the usual case, its type says which), or a client
/// exercising access rights (R10-R12). Clients are not organisations on the hub.
/// `eigen_team`: the sender's own organisation's general mailbox, the team's Sent folder that
/// every send also seals a copy to (R37); it is set from the directory (address_to), never
/// from anything the sender claims.
enum class RecipientKind : std::uint8_t { organisation = 0, leerling, ouders, eigen_team };

/// Who gave a consent, and who must give one: the parents or voogd, the pupil, or both.
enum class ConsentGiver : std::uint8_t { ouders = 0, leerling, beiden };

/// Written covers a signed paper form and a digitally signed form (R21 needs written consent).
enum class ConsentChannel : std::uint8_t { schriftelijk = 0, digitaal, mondeling };

/// The pupil's competency (bekwaamheid) below 18: presumed from the age set in the rule file
/// (12), or assessed by the CLB team with a written motivation. From 18 a pupil is competent
/// unless `PupilFacts::adult_incompetent` says otherwise (onbekwame meerderjarige).
enum class Competency : std::uint8_t { vermoed = 0, bekwaam, onbekwaam };

/// Who a rule asks consent from. `giver` is G(age, competency); `ouders_en_giver` is the
/// parents always, plus the pupil when competent (ELP, R22).
enum class ConsentSource : std::uint8_t {
  giver = 0,
  ouders,
  leerling,
  ouders_en_leerling,
  ouders_en_giver,
};

/// What a decision says: the fragment may leave, may not, or may once the named consent or the
/// named second approval is present.
enum class Outcome : std::uint8_t { allow = 0, deny, needs_consent, needs_second_approval };

/// The stages of a rule set, evaluated in this order (POLICY-RULES section 3): refusals,
/// legal obligations, exceptions, consent, then rules that add a requirement to what was
/// decided, then duties attached to an allow. `engine` rules carry the texts of the default
/// deny (R00) and of the re-derived consent giver (R32), whose logic is the engine's.
enum class Stage : std::uint8_t {
  refusal = 0,
  obligation,
  exception,
  consent,
  additional,
  duty,
  engine,
};

}  // namespace draaischijf::policies

namespace draaischijf::protocol {

[[nodiscard]] std::span<const VocabularyEntry<policies::Flag>> policy_flags();
[[nodiscard]] std::span<const VocabularyEntry<policies::RecipientKind>> recipient_kinds();
[[nodiscard]] std::span<const VocabularyEntry<policies::ConsentGiver>> consent_givers();
[[nodiscard]] std::span<const VocabularyEntry<policies::ConsentChannel>> consent_channels();
[[nodiscard]] std::span<const VocabularyEntry<policies::Competency>> competencies();
[[nodiscard]] std::span<const VocabularyEntry<policies::ConsentSource>> consent_sources();
[[nodiscard]] std::span<const VocabularyEntry<policies::Stage>> stages();
[[nodiscard]] std::span<const VocabularyEntry<policies::Outcome>> outcomes();

template <>
inline std::span<const VocabularyEntry<policies::Flag>> vocabulary<policies::Flag>() {
  return policy_flags();
}
template <>
inline std::span<const VocabularyEntry<policies::RecipientKind>>
vocabulary<policies::RecipientKind>() {
  return recipient_kinds();
}
template <>
inline std::span<const VocabularyEntry<policies::ConsentGiver>>
vocabulary<policies::ConsentGiver>() {
  return consent_givers();
}
template <>
inline std::span<const VocabularyEntry<policies::ConsentChannel>>
vocabulary<policies::ConsentChannel>() {
  return consent_channels();
}
template <>
inline std::span<const VocabularyEntry<policies::Competency>> vocabulary<policies::Competency>() {
  return competencies();
}
template <>
inline std::span<const VocabularyEntry<policies::ConsentSource>>
vocabulary<policies::ConsentSource>() {
  return consent_sources();
}
template <>
inline std::span<const VocabularyEntry<policies::Stage>> vocabulary<policies::Stage>() {
  return stages();
}

template <>
inline std::span<const VocabularyEntry<policies::Outcome>> vocabulary<policies::Outcome>() {
  return outcomes();
}

}  // namespace draaischijf::protocol

namespace draaischijf::policies {
using protocol::name_of;
using protocol::parse_name;
}  // namespace draaischijf::policies
