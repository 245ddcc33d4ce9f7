#pragma once

// The wire vocabulary: the codes the envelope carries and the names people and JSON see.
// Codes are stable and only ever appended; the policy engine gives them meaning.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace draaischijf::protocol {

enum class OrgType : std::uint8_t {
  clb = 1,
  school,
  caw,
  cgg,
  jeugdhulp,
  ocj_vk,  // ondersteuningscentrum jeugdzorg / vertrouwenscentrum kindermishandeling
  mfc,
  eerstelijnspsycholoog,
  huisarts,
  logopedist,
  huis_van_het_kind,
  vaph,
  leersteuncentrum,
  gemeente,
  agodi,
  zorg_en_gezondheid,
  justitie,
  hub_operator,
  // A sports club, youth movement or other youth and leisure organisation: a partner without
  // professional secrecy, so R07 (a specific consent) applies to it as a recipient.
  vrijetijdsorganisatie,
};

enum class StaffRole : std::uint8_t {
  clb_arts = 1,
  clb_verpleegkundige,
  clb_psycholoog,
  clb_pedagoog,
  clb_maatschappelijk_werker,
  clb_paramedicus,
  clb_directeur,
  clb_onthaal,
  school_directie,
  school_zorgcoordinator,
  school_leerkracht,
  partner_hulpverlener,
  partner_intake,
  partner_verantwoordelijke,
  organisation_admin,
};

enum class MessageKind : std::uint16_t {
  signaal = 1,
  consultatie,
  doorverwijzing,
  terugkoppeling,
  ontvangstbevestiging,
  toestemmingsvraag,
  statusantwoord,  // the partner's business answer: accepted, waiting list, intake, declined
};

enum class Purpose : std::uint16_t {
  begeleiding = 1,
  doorverwijzing,
  consultatie,
  terugkoppeling,
  leerplicht,
  systematisch_contact,
  profylaxe,
  dossieroverdracht,
  verontrusting,
  datadialoog,
};

/// Data categories, one bit each in the envelope's category set (POLICY-RULES section 2).
enum class DataCategory : std::uint8_t {
  identificatie = 0,
  leerplicht,
  vaccinatie,
  preventieve_gezondheidszorg,
  profylaxe,
  leren_en_studeren,
  onderwijsloopbaan,
  psychisch_sociaal,
  diagnostiek,
  handelingsgericht_advies,
  verslag,
  multidisciplinair_overleg,
  contact,
  doorverwijzing,
  derden,
  vertrouwelijk,
  gerechtelijk,
  kind_en_gezin,
  geaggregeerd,
};
inline constexpr std::uint8_t kDataCategoryCount = 19;

/// Sender attestations: circumstances the sender vouches for (truancy, danger, a court order,
/// the GC-verslag conditions, ...) that the policy rules depend on. They travel in the envelope's
/// outer part as a u32 bit set, bit n = code n. The codes are policies::Flag's (the policy engine
/// names and interprets them; the protocol only carries them and refuses unknown bits), so the
/// two must grow together: append only, and kAttestationCount == policies::kFlagCount.
inline constexpr std::uint8_t kAttestationCount = 25;

/// Whether a raw attestation set names known codes only (bits >= kAttestationCount are zero).
[[nodiscard]] constexpr bool known_attestations(std::uint32_t bits) noexcept {
  return (bits >> kAttestationCount) == 0;
}

/// The four begeleidingsdomeinen of CLB guidance.
enum class GuidanceDomain : std::uint8_t {
  none = 0,
  leren_en_studeren,
  onderwijsloopbaan,
  preventieve_gezondheidszorg,
  psychisch_en_sociaal_functioneren,
};

/// A set of data categories as the envelope carries it.
class CategorySet {
 public:
  constexpr CategorySet() = default;
  [[nodiscard]] static constexpr std::optional<CategorySet> from_bits(std::uint32_t bits) {
    if ((bits >> kDataCategoryCount) != 0) {
      return std::nullopt;
    }
    CategorySet set;
    set.bits_ = bits;
    return set;
  }
  constexpr CategorySet& add(DataCategory c) {
    bits_ |= 1U << static_cast<unsigned>(c);
    return *this;
  }
  [[nodiscard]] constexpr bool contains(DataCategory c) const {
    return (bits_ >> static_cast<unsigned>(c) & 1U) != 0;
  }
  [[nodiscard]] constexpr std::uint32_t bits() const { return bits_; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const CategorySet&) const = default;

 private:
  std::uint32_t bits_ = 0;
};

/// Name <-> code tables for every vocabulary enum (snake_case names, stable in JSON).
template <class Enum>
struct VocabularyEntry {
  Enum value;
  std::string_view name;
};

[[nodiscard]] std::span<const VocabularyEntry<OrgType>> org_types();
[[nodiscard]] std::span<const VocabularyEntry<StaffRole>> staff_roles();
[[nodiscard]] std::span<const VocabularyEntry<MessageKind>> message_kinds();
[[nodiscard]] std::span<const VocabularyEntry<Purpose>> purposes();
[[nodiscard]] std::span<const VocabularyEntry<DataCategory>> data_categories();
[[nodiscard]] std::span<const VocabularyEntry<GuidanceDomain>> guidance_domains();

template <class Enum>
[[nodiscard]] std::span<const VocabularyEntry<Enum>> vocabulary();
template <>
inline std::span<const VocabularyEntry<OrgType>> vocabulary<OrgType>() {
  return org_types();
}
template <>
inline std::span<const VocabularyEntry<StaffRole>> vocabulary<StaffRole>() {
  return staff_roles();
}
template <>
inline std::span<const VocabularyEntry<MessageKind>> vocabulary<MessageKind>() {
  return message_kinds();
}
template <>
inline std::span<const VocabularyEntry<Purpose>> vocabulary<Purpose>() {
  return purposes();
}
template <>
inline std::span<const VocabularyEntry<DataCategory>> vocabulary<DataCategory>() {
  return data_categories();
}
template <>
inline std::span<const VocabularyEntry<GuidanceDomain>> vocabulary<GuidanceDomain>() {
  return guidance_domains();
}

/// The name of a known value; empty for a code outside the table.
template <class Enum>
[[nodiscard]] std::string_view name_of(Enum value) {
  for (const auto& entry : vocabulary<Enum>()) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return {};
}

template <class Enum>
[[nodiscard]] std::optional<Enum> parse_name(std::string_view name) {
  for (const auto& entry : vocabulary<Enum>()) {
    if (entry.name == name) {
      return entry.value;
    }
  }
  return std::nullopt;
}

/// Whether a raw wire code names a known value (parsers refuse unknown codes).
template <class Enum, class Raw>
[[nodiscard]] std::optional<Enum> from_code(Raw code) {
  for (const auto& entry : vocabulary<Enum>()) {
    if (static_cast<Raw>(entry.value) == code) {
      return entry.value;
    }
  }
  return std::nullopt;
}

}  // namespace draaischijf::protocol
