#include <algorithm>
#include <cctype>

#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::protocol {
namespace {

using P = Province;
constexpr VocabularyEntry<Province> kProvinces[] = {
    {P::antwerpen, "antwerpen"},
    {P::limburg, "limburg"},
    {P::oost_vlaanderen, "oost_vlaanderen"},
    {P::vlaams_brabant, "vlaams_brabant"},
    {P::west_vlaanderen, "west_vlaanderen"},
    {P::brussel, "brussel"},
};

using F = Offer;
constexpr VocabularyEntry<Offer> kOffers[] = {
    {F::caw_onthaal, "caw_onthaal"},
    {F::caw_intake, "caw_intake"},
    {F::caw_jac, "caw_jac"},
    {F::cgg_jongeren, "cgg_jongeren"},
    {F::cgg_volwassenen, "cgg_volwassenen"},
    {F::elp, "elp"},
    {F::jeugdhulp_rechtstreeks_toegankelijk, "jeugdhulp_rechtstreeks_toegankelijk"},
    {F::jeugdhulp_niet_rechtstreeks_toegankelijk, "jeugdhulp_niet_rechtstreeks_toegankelijk"},
    {F::ocjvk_verontrusting, "ocjvk_verontrusting"},
    {F::mfc_ondersteuning, "mfc_ondersteuning"},
    {F::handicap_ondersteuning, "handicap_ondersteuning"},
    {F::opvoedingsondersteuning, "opvoedingsondersteuning"},
    {F::logopedie, "logopedie"},
    {F::huisartsenzorg, "huisartsenzorg"},
    {F::leersteun, "leersteun"},
};

using O = OrgType;
constexpr O kCaw[] = {O::caw};
constexpr O kCgg[] = {O::cgg};
// Eerstelijnspsychologische zorg is given by self-employed psychologists and by CGGs in the
// networks for mental health.
constexpr O kElp[] = {O::eerstelijnspsycholoog, O::cgg};
// Directly accessible youth care is offered by the jeugdhulp providers and also by CAWs, CGGs
// and MFCs; the other kind only by providers behind the toegangspoort.
constexpr O kRtj[] = {O::jeugdhulp, O::caw, O::cgg, O::mfc};
constexpr O kNrtj[] = {O::jeugdhulp, O::mfc};
constexpr O kOcjVk[] = {O::ocj_vk};
constexpr O kMfc[] = {O::mfc};
constexpr O kVaph[] = {O::vaph};
constexpr O kHuisVanHetKind[] = {O::huis_van_het_kind};
constexpr O kLogopedist[] = {O::logopedist};
constexpr O kHuisarts[] = {O::huisarts};
constexpr O kLeersteun[] = {O::leersteuncentrum};

}  // namespace

std::span<const VocabularyEntry<Province>> provinces() { return kProvinces; }
std::span<const VocabularyEntry<Offer>> offers() { return kOffers; }

std::span<const OrgType> offered_by(Offer offer) {
  switch (offer) {
    case F::caw_onthaal:
    case F::caw_intake:
    case F::caw_jac:
      return kCaw;
    case F::cgg_jongeren:
    case F::cgg_volwassenen:
      return kCgg;
    case F::elp:
      return kElp;
    case F::jeugdhulp_rechtstreeks_toegankelijk:
      return kRtj;
    case F::jeugdhulp_niet_rechtstreeks_toegankelijk:
      return kNrtj;
    case F::ocjvk_verontrusting:
      return kOcjVk;
    case F::mfc_ondersteuning:
      return kMfc;
    case F::handicap_ondersteuning:
      return kVaph;
    case F::opvoedingsondersteuning:
      return kHuisVanHetKind;
    case F::logopedie:
      return kLogopedist;
    case F::huisartsenzorg:
      return kHuisarts;
    case F::leersteun:
      return kLeersteun;
  }
  return {};
}

bool may_offer(OrgType type, Offer offer) {
  const auto types = offered_by(offer);
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool is_valid_municipality(std::string_view text) noexcept {
  return !text.empty() && text.size() <= kMaxMunicipalityBytes && text.front() != ' ' &&
         text.back() != ' ' && is_display_safe(text);
}

bool same_municipality(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace draaischijf::protocol
