#include <array>

#include <boost/json.hpp>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/api/problem.hpp>
#include <draaischijf/server/policy/admission.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/case_store.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {
namespace {

using perr = protocol::errc;

#define DRSJ_PROBLEM(slug) "urn:draaischijf:problem:" slug

constexpr std::array<ProblemType, kProblemKinds> kCatalog = {{
    {ProblemKind::internal, 500, DRSJ_PROBLEM("internal"), "Interne fout", "Internal error",
     "The hub could not handle the request. Retry later; if it persists, give the hub "
     "operator the instance id."},
    {ProblemKind::malformed_envelope, 400, DRSJ_PROBLEM("malformed-envelope"), "Ongeldige envelop",
     "Malformed envelope",
     "The envelope is not a valid Draaischijf envelope v3. Update the client software or "
     "report the problem to its supplier; do not resend the same bytes."},
    {ProblemKind::malformed_request, 400, DRSJ_PROBLEM("malformed-request"), "Ongeldig verzoek",
     "Malformed request",
     "The HTTP request is not acceptable to the hub. Use a conforming HTTP/1.1 client; "
     "the detail names what was wrong."},
    {ProblemKind::header_too_large, 431, DRSJ_PROBLEM("header-too-large"), "Kop te groot",
     "Request header too large",
     "The request headers exceed the hub's limit. Send fewer or shorter headers."},
    {ProblemKind::unsupported_version, 400, DRSJ_PROBLEM("unsupported-version"),
     "Niet-ondersteunde versie", "Unsupported version",
     "The envelope uses a version or cipher suite this hub does not know. Update the hub or "
     "use a client that speaks envelope v3."},
    {ProblemKind::recipients, 400, DRSJ_PROBLEM("recipients"), "Ongeldige ontvangers",
     "Invalid recipients",
     "The recipient list is empty, too long or names a mailbox twice. Choose between 1 and "
     "16 distinct mailboxes."},
    {ProblemKind::stale_epoch, 409, DRSJ_PROBLEM("stale-epoch"), "Verouderde mailboxsleutel",
     "Stale mailbox key",
     "A recipient mailbox has rotated its key. Fetch its current epoch certificate from the "
     "directory, seal again and resend."},
    {ProblemKind::unknown_epoch, 409, DRSJ_PROBLEM("unknown-epoch"), "Onbekende mailboxsleutel",
     "Unknown mailbox key",
     "A recipient mailbox or its key epoch is not known to the hub. Refresh the directory and "
     "check the recipient."},
    {ProblemKind::sender_mismatch, 403, DRSJ_PROBLEM("sender-mismatch"), "Verkeerde afzender",
     "Sender mismatch",
     "The envelope names another organisation than the client certificate. Seal with this "
     "device's own organisation."},
    {ProblemKind::envelope_too_large, 413, DRSJ_PROBLEM("envelope-too-large"), "Envelop te groot",
     "Envelope too large",
     "The envelope exceeds the hub's size limit. Send large documents as attachments."},
    {ProblemKind::clock_skew, 400, DRSJ_PROBLEM("clock-skew"), "Klok wijkt af", "Clock skew",
     "The envelope's creation time is too far from the hub's clock. Check the device's clock "
     "(NTP) and seal again."},
    {ProblemKind::message_id_taken, 409, DRSJ_PROBLEM("message-id-taken"),
     "Berichtnummer in gebruik", "Message id in use",
     "Another organisation already used this message id. Seal again: a new envelope gets a "
     "new random id."},
    {ProblemKind::not_found, 404, DRSJ_PROBLEM("not-found"), "Niet gevonden", "Not found",
     "There is no such object for your organisation. Check the id; objects of other "
     "organisations are never shown."},
    {ProblemKind::overloaded, 503, DRSJ_PROBLEM("overloaded"), "Hub overbelast", "Hub overloaded",
     "The hub is at capacity and stored nothing. Retry after the time in Retry-After."},
    {ProblemKind::storage_full, 507, DRSJ_PROBLEM("storage-full"), "Opslag vol", "Storage full",
     "The hub's storage is full and it took nothing new; nothing it accepted before is lost, "
     "and reading and acknowledging messages still work. Retry later; if it persists, tell the "
     "hub operator (docs/OPERATIONS.md, \"When the disk fills\")."},
    {ProblemKind::policy_refused, 403, DRSJ_PROBLEM("policy-refused"), "Geweigerd door het beleid",
     "Refused by the policy",
     "The rule set does not let this message go to this recipient. The outcome, rule_ids and "
     "reasons say why; needs_consent names who must consent (register it and send with its "
     "reference), needs_second_approval the role whose approval must be attached."},
    {ProblemKind::consent_revoked, 409, DRSJ_PROBLEM("consent-revoked"), "Toestemming ingetrokken",
     "Consent revoked",
     "The consent this message was sent under has been revoked; nothing was stored. Do not "
     "send it again under that consent."},
    {ProblemKind::consent_invalid, 422, DRSJ_PROBLEM("consent-invalid"), "Ongeldige toestemming",
     "Invalid consent",
     "The consent record cannot be registered as given. The issues list what is wrong "
     "(for instance who must give consent for a pupil of this age); correct and register "
     "again."},
    {ProblemKind::clb_only, 403, DRSJ_PROBLEM("clb-only"), "Enkel voor het CLB", "CLB staff only",
     "Only enrolled devices of a CLB may register, read or revoke consents and read the "
     "disclosure register."},
    {ProblemKind::approval_invalid, 422, DRSJ_PROBLEM("approval-invalid"), "Ongeldig akkoord",
     "Invalid approval",
     "The second approval does not parse, its signature does not verify, or it was not signed "
     "by this enrolled device of the sender's organisation. Sign it again on the approving "
     "device."},
    {ProblemKind::mailbox_full, 507, DRSJ_PROBLEM("mailbox-full"), "Mailbox vol", "Mailbox full",
     "The recipient mailbox has reached its quota of undelivered messages. Nothing was "
     "stored; ask the recipient organisation to fetch and acknowledge its messages, then "
     "resend."},
    {ProblemKind::mailbox_held, 409, DRSJ_PROBLEM("mailbox-held"),
     "Mailbox wacht op nieuwe sleutel", "Mailbox waiting for a new key",
     "A member was removed from the recipient mailbox and its organisation has not rotated "
     "the key yet. Nothing was stored; resend once the mailbox shows a new epoch."},
    {ProblemKind::forbidden, 403, DRSJ_PROBLEM("forbidden"), "Niet toegestaan", "Forbidden",
     "This device may not do this. Ask your organisation's administrator."},
    {ProblemKind::method_not_allowed, 405, DRSJ_PROBLEM("method-not-allowed"),
     "Methode niet toegestaan", "Method not allowed",
     "This resource does not support the HTTP method. See the OpenAPI document."},
    {ProblemKind::rate_limited, 429, DRSJ_PROBLEM("rate-limited"), "Te veel verzoeken",
     "Too many requests",
     "Your organisation sends more requests than the hub allows. Wait for the time in "
     "Retry-After, then retry."},
    {ProblemKind::unknown_organisation, 403, DRSJ_PROBLEM("unknown-organisation"),
     "Onbekende organisatie", "Unknown organisation",
     "The client certificate names an organisation that is not in the hub's directory. Ask "
     "the hub operator to register it."},
    {ProblemKind::device_removed, 403, DRSJ_PROBLEM("device-removed"), "Toestel verwijderd",
     "Device removed", "This device was removed from its organisation. Enrol a new device."},
    {ProblemKind::device_not_enrolled, 403, DRSJ_PROBLEM("device-not-enrolled"),
     "Toestel niet ingeschreven", "Device not enrolled",
     "This device has no approved end-to-end certificate yet. Request enrolment and ask your "
     "organisation's administrator to approve it."},
    {ProblemKind::conflict, 409, DRSJ_PROBLEM("conflict"), "Tegenstrijdige toestand", "Conflict",
     "The object exists already or is not in a state that allows this. Fetch it to see its "
     "current state."},
    {ProblemKind::certificate_invalid, 422, DRSJ_PROBLEM("certificate-invalid"),
     "Ongeldig certificaat", "Invalid certificate",
     "The certificate does not verify against your organisation's signing key or does not "
     "certify what was asked. Issue it again with the organisation key."},
    {ProblemKind::epoch_not_next, 409, DRSJ_PROBLEM("epoch-not-next"), "Verkeerde mailboxepoch",
     "Epoch out of order",
     "The new epoch must follow the mailbox's current epoch directly and link to its "
     "certificate. Fetch the mailbox and issue the next epoch."},
    {ProblemKind::members_invalid, 422, DRSJ_PROBLEM("members-invalid"), "Ongeldige leden",
     "Invalid members",
     "Every member must be an enrolled device of your organisation, listed once with a seed "
     "box, and the list must match the certificate's members hash."},
    {ProblemKind::invalid_field, 422, DRSJ_PROBLEM("invalid-field"), "Ongeldig veld",
     "Invalid field", "A field of the request is not acceptable; the detail names it."},
    {ProblemKind::blob_too_large, 413, DRSJ_PROBLEM("blob-too-large"), "Bijlage te groot",
     "Attachment too large",
     "The attachment exceeds the hub's size limit (limits.max_blob_bytes). Split it or ask "
     "the hub operator about the limit."},
    {ProblemKind::blob_quota_full, 507, DRSJ_PROBLEM("blob-quota-full"), "Bijlagequotum vol",
     "Attachment quota full",
     "Your organisation's stored attachments would exceed its quota (limits.blob_quota_bytes)."
     " Nothing was stored; ask the hub operator."},
    {ProblemKind::blob_id_taken, 409, DRSJ_PROBLEM("blob-id-taken"), "Bijlagenummer in gebruik",
     "Attachment id in use",
     "Another upload already used this attachment id. Encrypt the attachment again: a new "
     "attachment gets a new random id."},
    {ProblemKind::length_required, 411, DRSJ_PROBLEM("length-required"), "Lengte vereist",
     "Length required",
     "An attachment upload must announce its size in Content-Length (no chunked encoding)."},
    {ProblemKind::role_not_permitted, 403, DRSJ_PROBLEM("role-not-permitted"),
     "Rol niet toegelaten", "Role not permitted",
     "The role in this device's certificate may not do this: consents are registered, read "
     "and revoked, and the disclosure register is read, by the CLB's staff who work with "
     "pupils and its director (docs/POLICY.md section 9), never by an administrator device."},
    {ProblemKind::epoch_expired, 409, DRSJ_PROBLEM("epoch-expired"), "Mailboxsleutel verlopen",
     "Mailbox key expired",
     "A mailbox's epoch certificate is outside its validity window. A sender: the recipient "
     "organisation must rotate the mailbox before it can be written to; nothing was stored. An "
     "administrator: issue the epoch with a window that includes the hub's current time."},
    {ProblemKind::member_role_mismatch, 422, DRSJ_PROBLEM("member-role-mismatch"),
     "Lid past niet bij de functie", "Member does not fit the function",
     "A member device's certified role does not fit the mailbox's function: a mailbox for a "
     "staff role takes devices with that role and the organisation's admin only; a general "
     "mailbox takes any. Leave the device out or choose another function."},
    {ProblemKind::admin_signature_invalid, 403, DRSJ_PROBLEM("admin-signature-invalid"),
     "Handtekening van de organisatie ontbreekt", "Organisation signature invalid",
     "Removing devices and creating, rotating or renaming mailboxes must be signed with the "
     "organisation signing key, now and once (admin_at, admin_nonce, admin_signature; "
     "docs/PROTOCOL.md 7.13). "
     "Run it from the admin device that holds the organisation key, with its clock set."},
    {ProblemKind::blob_unknown, 422, DRSJ_PROBLEM("blob-unknown"), "Onbekende bijlage",
     "Unknown attachment",
     "The envelope lists an attachment blob this device did not upload (or one removed as "
     "unused a day after its upload). Nothing was stored. Upload every attachment from the "
     "sending device, then seal and send the envelope again."},
    {ProblemKind::message_expired, 410, DRSJ_PROBLEM("message-expired"), "Bericht verlopen",
     "Message expired",
     "Nobody in this mailbox acknowledged the message within the hub's retention period, so it "
     "expired and the sender was told it was not delivered. Ask the sender to send it again."},
    {ProblemKind::message_purged, 410, DRSJ_PROBLEM("message-purged"), "Bericht verwijderd",
     "Message purged",
     "Every recipient acknowledged the message and the hub deleted its ciphertext after its "
     "retention period (the hub is a relay, not an archive). Read it from the copy your "
     "organisation keeps, or ask the sender to send it again."},
    {ProblemKind::person_conflict, 409, DRSJ_PROBLEM("person-conflict"),
     "Persoon heeft al een ander personeelsnummer of een andere rol",
     "Person has another staff id or role",
     "One person has one staff id and one role in an organisation (four-eyes and the audit log "
     "count persons). A staff id that an enrolled device holds keeps that device's role: enrol "
     "the device with the same role, or certify a new person. A device that claimed to be an "
     "enrolled person is certified as that person (--person with the staff id it claimed) or not "
     "at all: if the claim is wrong, the device asks again with the right one or none "
     "(draaischijf enrol finish ... [--person STAFF_ID])."},
    {ProblemKind::case_statement_invalid, 403, DRSJ_PROBLEM("case-statement-invalid"),
     "Ongeldige dossierhandeling", "Invalid case statement",
     "The signed case statement does not parse, names another organisation, case or device, "
     "its signature does not verify against this enrolled device's key, its time is more than 5 "
     "minutes from the hub's clock, or its nonce was used before. Sign a fresh statement on "
     "this device (docs/PROTOCOL.md 7.17)."},
    {ProblemKind::case_transition_refused, 409, DRSJ_PROBLEM("case-transition-refused"),
     "Overgang niet toegelaten", "Case transition refused",
     "The case's state does not allow this action (docs/WORKFLOW.md, Onthaal triage): assign "
     "the case before vraagverheldering or a track; a closed case takes no further action (a "
     "new signaal opens a new case). Nothing was changed; read the case and choose an allowed "
     "action."},
    {ProblemKind::staff_unknown, 422, DRSJ_PROBLEM("staff-unknown"), "Onbekende medewerker",
     "Unknown staff member",
     "The staff id is not the staff id of an enrolled device of your organisation. A case is "
     "assigned only to the CLB's own staff; check the id in the list of your devices."},
    {ProblemKind::signalen_not_permitted, 403, DRSJ_PROBLEM("signalen-not-permitted"),
     "Rol mag signalen niet volgen", "Role may not follow signalen",
     "The rule set in force does not name this device's role among the school roles that see "
     "what became of the school's signalen (rule SIG01, docs/POLICY.md). Ask a colleague in a "
     "named role, or the school's CLB, about the signaal."},
    {ProblemKind::referral_not_found, 404, DRSJ_PROBLEM("referral-not-found"),
     "Doorverwijzing niet gevonden", "Referral not found",
     "No referral with this message id was sent by or to your organisation. Check the id "
     "(draaischijf referrals lists yours); a message that is not a doorverwijzing or "
     "consultatie has no referral."},
    {ProblemKind::transition_invalid, 409, DRSJ_PROBLEM("transition-invalid"),
     "Ongeldige statusovergang", "Invalid state transition",
     "The referral cannot move to this state from the state it has (current_state names it, "
     "allowed the states that may follow), or the statement's sequence is not the next one "
     "(expected_sequence). Fetch the referral, and for a closed, declined or cancelled one "
     "send a new referral instead."},
    {ProblemKind::statement_invalid, 422, DRSJ_PROBLEM("referral-statement-invalid"),
     "Ongeldige statusverklaring", "Invalid referral status statement",
     "The status statement does not parse, its signature does not verify, it is not signed by "
     "this enrolled device, or its time is too far from the hub's clock. Sign it again with "
     "this device (draaischijf referral status)."},
    {ProblemKind::referral_wrong_party, 403, DRSJ_PROBLEM("referral-wrong-party"),
     "Niet aan uw organisatie", "Not your organisation's step",
     "Only the partner organisation the referral went to sets its states, and only the CLB "
     "that sent it cancels it. Ask the other organisation."},
    {ProblemKind::organisation_removed, 403, DRSJ_PROBLEM("organisation-removed"),
     "Organisatie verwijderd", "Organisation removed",
     "The hub operator removed this device's organisation from the hub: its devices no longer "
     "connect and its mailboxes accept nothing. Contact the hub operator."},
    {ProblemKind::recipient_removed, 410, DRSJ_PROBLEM("recipient-removed"), "Ontvanger verwijderd",
     "Recipient removed",
     "A recipient mailbox belongs to an organisation the hub operator removed. Nothing was "
     "stored. Import the operator's newest directory bundle (draaischijf trust import) and send "
     "to another organisation."},
    {ProblemKind::transfer_unsigned, 400, DRSJ_PROBLEM("transfer-announcement-unsigned"),
     "Niet-ondertekende aankondiging", "Unsigned transfer announcement",
     "A dossier transfer is announced with the signed statement of docs/PROTOCOL.md 7.20 (body: "
     "its 376 bytes, application/octet-stream), naming the new CLB and the day the parents or "
     "the pupil were told; a JSON body with the pupil alone is no longer accepted. Use "
     "draaischijf transfer announce --pupil REF --to ORG_ID --parents-told YYYY-MM-DD."},
    {ProblemKind::transfer_invalid, 422, DRSJ_PROBLEM("transfer-announcement-invalid"),
     "Ongeldige aankondiging van dossieroverdracht", "Invalid transfer announcement",
     "The transfer announcement does not parse, its signature does not verify, it is not signed "
     "by this enrolled device of your CLB, or its time is too far from the hub's clock. Sign it "
     "again with this device (draaischijf transfer announce)."},
    {ProblemKind::transfer_receiver, 422, DRSJ_PROBLEM("transfer-receiver-invalid"),
     "Ongeldig nieuw CLB", "Invalid receiving CLB",
     "The organisation the announcement names as the new CLB is not in the directory, is not "
     "a CLB, is your own CLB or was removed from the hub. Look the new CLB up (draaischijf "
     "directory --type clb) and announce to its organisation id."},
    {ProblemKind::transfer_told_date, 422, DRSJ_PROBLEM("transfer-told-date-invalid"),
     "Ongeldige datum van informeren", "Invalid date the parents were told",
     "The day the parents or the pupil were told is after the hub's today or more than 30 days "
     "before it. Give the day they were told (--parents-told YYYY-MM-DD); inform them again "
     "when it was longer ago, so that they can still object in time."},
}};

#undef DRSJ_PROBLEM

// The catalog is the enum, entry for entry: a kind without its entry, or entries out of
// order, do not compile.
constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    if (static_cast<std::size_t>(kCatalog[i].kind) != i) {
      return false;
    }
  }
  return kCatalog.size() == kProblemKinds;
}
static_assert(in_enum_order(), "the problem catalog must list every ProblemKind once, in order");

}  // namespace

std::span<const ProblemType> problem_catalog() noexcept { return kCatalog; }

const ProblemType& problem_type(ProblemKind kind) noexcept {
  return kCatalog[static_cast<std::size_t>(kind)];
}

// Over 80 lines on purpose: it is a table (every error code of every module to its problem),
// written as one switch per error category so that a reader sees every mapping in one place.
const ProblemType& problem_type_for(const boost::system::error_code& error) {
  if (error.category() == protocol::protocol_category()) {
    switch (static_cast<perr>(error.value())) {
      case perr::unsupported_version:
      case perr::unsupported_suite:
        return problem_type(ProblemKind::unsupported_version);
      case perr::no_recipients:
      case perr::too_many_recipients:
      case perr::duplicate_recipient:
        return problem_type(ProblemKind::recipients);
      case perr::stale_epoch:
        return problem_type(ProblemKind::stale_epoch);
      case perr::unknown_epoch:
        return problem_type(ProblemKind::unknown_epoch);
      case perr::sender_mismatch:
        return problem_type(ProblemKind::sender_mismatch);
      case perr::payload_too_large:
        return problem_type(ProblemKind::envelope_too_large);
      case perr::epoch_expired:
      case perr::epoch_not_yet_valid:
        return problem_type(ProblemKind::epoch_expired);
      default:
        return problem_type(ProblemKind::malformed_envelope);
    }
  }
  if (error == make_error_code(server::errc::envelope_too_large)) {
    return problem_type(ProblemKind::envelope_too_large);
  }
  if (error == make_error_code(server::errc::sender_organisation_mismatch)) {
    return problem_type(ProblemKind::sender_mismatch);
  }
  if (error == make_error_code(server::errc::clock_skew)) {
    return problem_type(ProblemKind::clock_skew);
  }
  if (error.category() == case_category()) {
    switch (static_cast<case_errc>(error.value())) {
      case case_errc::not_found:
        return problem_type(ProblemKind::not_found);
      case case_errc::transition_refused:
        return problem_type(ProblemKind::case_transition_refused);
      case case_errc::nonce_replayed:
        return problem_type(ProblemKind::case_statement_invalid);
      case case_errc::staff_unknown:
        return problem_type(ProblemKind::staff_unknown);
    }
  }
  if (error == make_error_code(store_errc::message_id_taken)) {
    return problem_type(ProblemKind::message_id_taken);
  }
  if (error == make_error_code(store_errc::not_found)) {
    return problem_type(ProblemKind::not_found);
  }
  if (error == make_error_code(store_errc::overloaded) ||
      error == make_error_code(sqlite::errc::busy)) {
    return problem_type(ProblemKind::overloaded);
  }
  if (error == make_error_code(sqlite::errc::full)) {
    return problem_type(ProblemKind::storage_full);
  }
  if (error == make_error_code(store_errc::mailbox_full)) {
    return problem_type(ProblemKind::mailbox_full);
  }
  if (error == make_error_code(store_errc::mailbox_held)) {
    return problem_type(ProblemKind::mailbox_held);
  }
  if (error == make_error_code(store_errc::recipient_removed)) {
    return problem_type(ProblemKind::recipient_removed);
  }
  if (error == make_error_code(store_errc::sender_removed)) {
    return problem_type(ProblemKind::organisation_removed);
  }
  if (error == make_error_code(store_errc::consent_revoked)) {
    return problem_type(ProblemKind::consent_revoked);
  }
  if (error == make_error_code(store_errc::blob_unknown)) {
    return problem_type(ProblemKind::blob_unknown);
  }
  if (error == make_error_code(store_errc::expired)) {
    return problem_type(ProblemKind::message_expired);
  }
  if (error == make_error_code(store_errc::purged)) {
    return problem_type(ProblemKind::message_purged);
  }
  if (error.category() == referral_category()) {
    return problem_type(error == make_error_code(referral_errc::not_found)
                            ? ProblemKind::referral_not_found
                            : ProblemKind::transition_invalid);
  }
  if (error.category() == blob_category()) {
    switch (static_cast<blob_errc>(error.value())) {
      case blob_errc::too_large:
        return problem_type(ProblemKind::blob_too_large);
      case blob_errc::quota_full:
        return problem_type(ProblemKind::blob_quota_full);
      case blob_errc::id_taken:
        return problem_type(ProblemKind::blob_id_taken);
      case blob_errc::write_failed:
        return problem_type(ProblemKind::storage_full);
      case blob_errc::incomplete:
        return problem_type(ProblemKind::malformed_request);
    }
  }
  if (error.category() == directory_category()) {
    switch (static_cast<directory_errc>(error.value())) {
      case directory_errc::not_found:
        return problem_type(ProblemKind::not_found);
      case directory_errc::organisation_exists:
      case directory_errc::device_exists:
      case directory_errc::not_pending:
      case directory_errc::mailbox_exists:
        return problem_type(ProblemKind::conflict);
      case directory_errc::certificate_invalid:
      case directory_errc::certificate_mismatch:
        return problem_type(ProblemKind::certificate_invalid);
      case directory_errc::epoch_not_next:
        return problem_type(ProblemKind::epoch_not_next);
      case directory_errc::members_mismatch:
      case directory_errc::member_not_enrolled:
        return problem_type(ProblemKind::members_invalid);
      case directory_errc::seed_box_invalid:
      case directory_errc::name_invalid:
      case directory_errc::offer_not_allowed:
      case directory_errc::clb_invalid:
      case directory_errc::municipality_invalid:
        return problem_type(ProblemKind::invalid_field);
      case directory_errc::epoch_outside_window:
        return problem_type(ProblemKind::epoch_expired);
      case directory_errc::member_role_mismatch:
        return problem_type(ProblemKind::member_role_mismatch);
      case directory_errc::action_replayed:
        return problem_type(ProblemKind::admin_signature_invalid);
      case directory_errc::person_role_conflict:
      case directory_errc::person_id_conflict:
        return problem_type(ProblemKind::person_conflict);
      case directory_errc::organisation_removed:
        return problem_type(ProblemKind::organisation_removed);
    }
  }
  return problem_type(ProblemKind::internal);
}

std::string to_json(const Problem& problem, boost::json::object extensions) {
  boost::json::object doc;
  doc["type"] = problem.kind.type;
  doc["status"] = problem.kind.status;
  doc["title"] = problem.kind.title_en;
  doc["title_nl"] = problem.kind.title_nl;
  std::string detail(problem.kind.detail);
  if (!problem.extra_detail.empty()) {
    detail += " ";
    detail += problem.extra_detail;
  }
  doc["detail"] = detail;
  if (!problem.instance.empty()) {
    doc["instance"] = "urn:draaischijf:request:" + problem.instance;
  }
  if (!problem.rule_ids.empty()) {
    boost::json::array rules;
    for (const std::string& id : problem.rule_ids) {
      rules.emplace_back(id);
    }
    doc["rule_ids"] = std::move(rules);
  }
  for (auto& [key, value] : extensions) {
    doc[key] = std::move(value);
  }
  return boost::json::serialize(doc);
}

}  // namespace draaischijf::server
