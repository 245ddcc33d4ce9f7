#include "problems.hpp"

#include <array>

namespace draaischijf::ui {
namespace {

#define DRSJ_UI_PROBLEM(slug) "urn:draaischijf:ui-problem:" slug

constexpr std::array kCatalog = {
    ProblemText{Problem::bad_host, 421, DRSJ_UI_PROBLEM("bad-host"), "Verkeerd adres",
                "Wrong address",
                "Open de inbox via het adres dat draaischijf ui toonde (127.0.0.1 of localhost).",
                "Open the inbox at the address draaischijf ui printed (127.0.0.1 or localhost)."},
    ProblemText{Problem::bad_origin, 403, DRSJ_UI_PROBLEM("bad-origin"),
                "Verzoek van een andere site", "Request from another site",
                "Alleen de pagina's van draaischijf ui zelf mogen iets wijzigen. Sluit de andere "
                "site en werk in het venster van draaischijf ui.",
                "Only draaischijf ui's own pages may change anything. Close the other site and "
                "work in the draaischijf ui window."},
    ProblemText{Problem::no_session, 401, DRSJ_UI_PROBLEM("no-session"), "Niet aangemeld",
                "Not signed in",
                "Open het eenmalige adres dat draaischijf ui toonde bij het starten, of start "
                "draaischijf ui opnieuw.",
                "Open the one-time address draaischijf ui printed when it started, or start "
                "draaischijf ui again."},
    ProblemText{Problem::token_spent, 403, DRSJ_UI_PROBLEM("token-spent"),
                "Eenmalig adres al gebruikt", "One-time address already used",
                "Dit adres werkt maar een keer. Start draaischijf ui opnieuw voor een nieuw "
                "adres.",
                "This address works once only. Start draaischijf ui again for a new address."},
    ProblemText{Problem::locked, 423, DRSJ_UI_PROBLEM("locked"), "Vergrendeld", "Locked",
                "De sleutels zijn vergrendeld na een tijd zonder gebruik. Geef uw wachtwoordzin "
                "om verder te werken.",
                "The keys were locked after a time without use. Enter your passphrase to go on."},
    ProblemText{Problem::wrong_passphrase, 401, DRSJ_UI_PROBLEM("wrong-passphrase"),
                "Ontgrendelen mislukt", "Unlocking failed",
                "Controleer de wachtwoordzin (of het sleutelbestand) en probeer opnieuw.",
                "Check the passphrase (or the key file) and try again."},
    ProblemText{Problem::not_found, 404, DRSJ_UI_PROBLEM("not-found"), "Niet gevonden", "Not found",
                "Ga terug naar de inbox.", "Go back to the inbox."},
    ProblemText{Problem::bad_request, 400, DRSJ_UI_PROBLEM("bad-request"), "Ongeldig verzoek",
                "Bad request", "Herlaad de pagina; de details zeggen wat ontbrak.",
                "Reload the page; the detail says what was missing."},
    ProblemText{Problem::method_not_allowed, 405, DRSJ_UI_PROBLEM("method-not-allowed"),
                "Methode niet toegestaan", "Method not allowed", "Herlaad de pagina.",
                "Reload the page."},
    ProblemText{Problem::hub_failed, 502, DRSJ_UI_PROBLEM("hub-failed"), "Mislukt", "Failed",
                "De details zeggen waarom. Controleer de verbinding met de hub en probeer "
                "opnieuw.",
                "The detail says why. Check the connection to the hub and try again."},
    ProblemText{Problem::policy_refused, 422, DRSJ_UI_PROBLEM("policy-refused"),
                "Niet verzonden: het beleid staat dit niet toe",
                "Not sent: the policy does not allow this",
                "Er is niets verzonden. Lees de regels en redenen, pas het bericht aan of doe "
                "eerst wat nodig is (toestemming, tweede akkoord).",
                "Nothing was sent. Read the rules and reasons, change the message or first do "
                "what is needed (consent, second approval)."},
    ProblemText{Problem::hub_refused, 403, DRSJ_UI_PROBLEM("hub-refused"), "De hub weigert dit",
                "The hub refuses this",
                "De details zeggen waarom (bijvoorbeeld: dit overzicht is niet voor uw rol of "
                "organisatie). Vraag zo nodig een collega met die rol.",
                "The detail says why (for instance: this view is not for your role or "
                "organisation). Ask a colleague with that role if needed."},
    ProblemText{Problem::consent_invalid, 422, DRSJ_UI_PROBLEM("consent-invalid"),
                "Toestemming niet geregistreerd", "Consent not registered",
                "De hub weigerde de toestemming om de redenen hieronder (meestal de verkeerde "
                "toestemmingsgever voor de leeftijd). Pas het formulier aan en registreer opnieuw.",
                "The hub refused the consent for the reasons below (usually the wrong giver for "
                "the age). Change the form and register again."},
    ProblemText{Problem::attachment_too_large, 413, DRSJ_UI_PROBLEM("attachment-too-large"),
                "Bijlage te groot", "Attachment too large",
                "Een bijlage is hoogstens 1 GiB. Verklein of splits het bestand, of stuur het "
                "langs een andere weg die uw organisatie toelaat.",
                "An attachment is 1 GiB at most. Make the file smaller or split it, or send it "
                "another way your organisation allows."},
    ProblemText{Problem::upload_gone, 404, DRSJ_UI_PROBLEM("upload-gone"),
                "Bijlage niet meer aanwezig", "Attachment no longer here",
                "Het gekozen bestand is al verzonden of weggegooid (of het programma werd "
                "herstart). Kies het bestand opnieuw en verzend nog eens.",
                "The chosen file was sent or discarded already (or the program was restarted). "
                "Choose the file again and send once more."},
};

#undef DRSJ_UI_PROBLEM

}  // namespace

const ProblemText& problem_text(Problem kind) noexcept {
  for (const auto& entry : kCatalog) {
    if (entry.kind == kind) {
      return entry;
    }
  }
  return kCatalog.back();  // unreachable: every kind has an entry (problems_test checks)
}

boost::json::object problem_json(Problem kind, std::string_view detail) {
  const auto& text = problem_text(kind);
  return {{"type", text.type},
          {"status", static_cast<std::int64_t>(text.status)},
          {"title", text.title_en},
          {"title_nl", text.title_nl},
          {"what_to_do", text.what_en},
          {"wat_nu", text.what_nl},
          {"detail", detail}};
}

}  // namespace draaischijf::ui
