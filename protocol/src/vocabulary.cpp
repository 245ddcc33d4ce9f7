#include <draaischijf/protocol/approval_request.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {
namespace {

using O = OrgType;
constexpr VocabularyEntry<OrgType> kOrgTypes[] = {
    {O::clb, "clb"},
    {O::school, "school"},
    {O::caw, "caw"},
    {O::cgg, "cgg"},
    {O::jeugdhulp, "jeugdhulp"},
    {O::ocj_vk, "ocj_vk"},
    {O::mfc, "mfc"},
    {O::eerstelijnspsycholoog, "eerstelijnspsycholoog"},
    {O::huisarts, "huisarts"},
    {O::logopedist, "logopedist"},
    {O::huis_van_het_kind, "huis_van_het_kind"},
    {O::vaph, "vaph"},
    {O::leersteuncentrum, "leersteuncentrum"},
    {O::gemeente, "gemeente"},
    {O::agodi, "agodi"},
    {O::zorg_en_gezondheid, "zorg_en_gezondheid"},
    {O::justitie, "justitie"},
    {O::hub_operator, "hub_operator"},
    {O::vrijetijdsorganisatie, "vrijetijdsorganisatie"},
};

using R = StaffRole;
constexpr VocabularyEntry<StaffRole> kStaffRoles[] = {
    {R::clb_arts, "clb_arts"},
    {R::clb_verpleegkundige, "clb_verpleegkundige"},
    {R::clb_psycholoog, "clb_psycholoog"},
    {R::clb_pedagoog, "clb_pedagoog"},
    {R::clb_maatschappelijk_werker, "clb_maatschappelijk_werker"},
    {R::clb_paramedicus, "clb_paramedicus"},
    {R::clb_directeur, "clb_directeur"},
    {R::clb_onthaal, "clb_onthaal"},
    {R::school_directie, "school_directie"},
    {R::school_zorgcoordinator, "school_zorgcoordinator"},
    {R::school_leerkracht, "school_leerkracht"},
    {R::partner_hulpverlener, "partner_hulpverlener"},
    {R::partner_intake, "partner_intake"},
    {R::partner_verantwoordelijke, "partner_verantwoordelijke"},
    {R::organisation_admin, "organisation_admin"},
};

using K = MessageKind;
constexpr VocabularyEntry<MessageKind> kMessageKinds[] = {
    {K::signaal, "signaal"},
    {K::consultatie, "consultatie"},
    {K::doorverwijzing, "doorverwijzing"},
    {K::terugkoppeling, "terugkoppeling"},
    {K::ontvangstbevestiging, "ontvangstbevestiging"},
    {K::toestemmingsvraag, "toestemmingsvraag"},
    {K::statusantwoord, "statusantwoord"},
    {kApprovalRequestKind, "akkoordvraag"},
    {kApprovalAnswerKind, "akkoordantwoord"},
};

using P = Purpose;
constexpr VocabularyEntry<Purpose> kPurposes[] = {
    {P::begeleiding, "begeleiding"},     {P::doorverwijzing, "doorverwijzing"},
    {P::consultatie, "consultatie"},     {P::terugkoppeling, "terugkoppeling"},
    {P::leerplicht, "leerplicht"},       {P::systematisch_contact, "systematisch_contact"},
    {P::profylaxe, "profylaxe"},         {P::dossieroverdracht, "dossieroverdracht"},
    {P::verontrusting, "verontrusting"}, {P::datadialoog, "datadialoog"},
};

using D = DataCategory;
constexpr VocabularyEntry<DataCategory> kDataCategories[] = {
    {D::identificatie, "identificatie"},
    {D::leerplicht, "leerplicht"},
    {D::vaccinatie, "vaccinatie"},
    {D::preventieve_gezondheidszorg, "preventieve_gezondheidszorg"},
    {D::profylaxe, "profylaxe"},
    {D::leren_en_studeren, "leren_en_studeren"},
    {D::onderwijsloopbaan, "onderwijsloopbaan"},
    {D::psychisch_sociaal, "psychisch_sociaal"},
    {D::diagnostiek, "diagnostiek"},
    {D::handelingsgericht_advies, "handelingsgericht_advies"},
    {D::verslag, "verslag"},
    {D::multidisciplinair_overleg, "multidisciplinair_overleg"},
    {D::contact, "contact"},
    {D::doorverwijzing, "doorverwijzing"},
    {D::derden, "derden"},
    {D::vertrouwelijk, "vertrouwelijk"},
    {D::gerechtelijk, "gerechtelijk"},
    {D::kind_en_gezin, "kind_en_gezin"},
    {D::geaggregeerd, "geaggregeerd"},
};
static_assert(std::size(kDataCategories) == kDataCategoryCount);

using G = GuidanceDomain;
constexpr VocabularyEntry<GuidanceDomain> kGuidanceDomains[] = {
    {G::none, "none"},
    {G::leren_en_studeren, "leren_en_studeren"},
    {G::onderwijsloopbaan, "onderwijsloopbaan"},
    {G::preventieve_gezondheidszorg, "preventieve_gezondheidszorg"},
    {G::psychisch_en_sociaal_functioneren, "psychisch_en_sociaal_functioneren"},
};

}  // namespace

std::span<const VocabularyEntry<OrgType>> org_types() { return kOrgTypes; }
std::span<const VocabularyEntry<StaffRole>> staff_roles() { return kStaffRoles; }
std::span<const VocabularyEntry<MessageKind>> message_kinds() { return kMessageKinds; }
std::span<const VocabularyEntry<Purpose>> purposes() { return kPurposes; }
std::span<const VocabularyEntry<DataCategory>> data_categories() { return kDataCategories; }
std::span<const VocabularyEntry<GuidanceDomain>> guidance_domains() { return kGuidanceDomains; }

}  // namespace draaischijf::protocol
