#pragma once

// What the directory says about where an organisation works and what it offers, as closed
// vocabularies in the style of vocabulary.hpp: stable codes (the signed directory bundle carries
// them, docs/PROTOCOL.md 12), stable snake_case names (JSON, the CLI, the operator's commands).
//
//   Province: the five Flemish provinces and the Brussels-Capital Region, where an organisation
//             works; the municipality beside it is free text (is_valid_municipality).
//   Offer:    what a partner offers to a CLB's referrals. Each offer names the organisation
//             types that may offer it (offered_by), so a CAW cannot be listed for cgg_jongeren.
//
// Codes are only ever appended; a name never changes meaning.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

enum class Province : std::uint8_t {
  antwerpen = 1,
  limburg,
  oost_vlaanderen,
  vlaams_brabant,
  west_vlaanderen,
  brussel,  // the Brussels-Capital Region (Flemish schools, CLBs and partners there)
};

enum class Offer : std::uint8_t {
  caw_onthaal = 1,                           // CAW: onthaal, walk-in for every question
  caw_intake,                                // CAW: intake for guidance after a referral
  caw_jac,                                   // CAW: jongerenaanspreekpunt (JAC), 12-25
  cgg_jongeren,                              // CGG: kinderen en jongeren
  cgg_volwassenen,                           // CGG: volwassenen (parents)
  elp,                                       // eerstelijnspsychologische zorg
  jeugdhulp_rechtstreeks_toegankelijk,       // RTJ: without the intersectorale toegangspoort
  jeugdhulp_niet_rechtstreeks_toegankelijk,  // NRTJ: through the intersectorale toegangspoort
  ocjvk_verontrusting,                       // OCJ / VK: concern about a minor's safety
  mfc_ondersteuning,                         // MFC: multifunctioneel centrum
  handicap_ondersteuning,                    // VAPH: rechtstreeks toegankelijke hulp
  opvoedingsondersteuning,                   // Huis van het Kind
  logopedie,                                 // logopedist
  huisartsenzorg,                            // huisarts
  leersteun,                                 // leersteuncentrum
};

[[nodiscard]] std::span<const VocabularyEntry<Province>> provinces();
[[nodiscard]] std::span<const VocabularyEntry<Offer>> offers();

template <>
inline std::span<const VocabularyEntry<Province>> vocabulary<Province>() {
  return provinces();
}
template <>
inline std::span<const VocabularyEntry<Offer>> vocabulary<Offer>() {
  return offers();
}

/// Every name of a vocabulary, joined by ", ", for a message that says which values a field
/// takes ("antwerpen, limburg, ...").
template <class Enum>
[[nodiscard]] std::string joined_names() {
  std::string out;
  for (const auto& entry : vocabulary<Enum>()) {
    out += (out.empty() ? "" : ", ") + std::string(entry.name);
  }
  return out;
}

/// The organisation types that may list `offer` (at least one for every offer).
[[nodiscard]] std::span<const OrgType> offered_by(Offer offer);
/// Whether an organisation of `type` may list `offer`.
[[nodiscard]] bool may_offer(OrgType type, Offer offer);

/// At most this many offers per organisation, and this many bytes of municipality.
inline constexpr std::size_t kMaxOffers = 16;
inline constexpr std::size_t kMaxMunicipalityBytes = 100;

/// A municipality as people write it ("Sint-Niklaas", "Sint-Jans-Molenbeek"): 1 to
/// kMaxMunicipalityBytes bytes of display-safe UTF-8 (display_text.hpp), no leading or
/// trailing space.
[[nodiscard]] bool is_valid_municipality(std::string_view text) noexcept;

/// The same municipality written in another case ("sint-niklaas"): ASCII letters compared
/// without case, every other byte exactly.
[[nodiscard]] bool same_municipality(std::string_view a, std::string_view b) noexcept;

}  // namespace draaischijf::protocol
