#pragma once

// RFC 9457 problem documents: every refusal the hub gives has a stable type (a URN that never
// changes meaning), a status, a Dutch and an English title, and a detail that tells the person
// or program what to do next. The catalog maps every error code the hub can meet to one.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

namespace draaischijf::server {

/// Every problem the hub can answer with, one per catalog entry and in catalog order (the
/// catalog checks this at compile time; the OpenAPI test checks the catalog against
/// openapi.json). A name that is not here does not compile, so no typo turns into a 500.
enum class ProblemKind : unsigned {
  internal,                 // internal
  malformed_envelope,       // malformed-envelope
  malformed_request,        // malformed-request
  header_too_large,         // header-too-large
  unsupported_version,      // unsupported-version
  recipients,               // recipients
  stale_epoch,              // stale-epoch
  unknown_epoch,            // unknown-epoch
  sender_mismatch,          // sender-mismatch
  envelope_too_large,       // envelope-too-large
  clock_skew,               // clock-skew
  message_id_taken,         // message-id-taken
  not_found,                // not-found
  overloaded,               // overloaded
  storage_full,             // storage-full
  policy_refused,           // policy-refused
  consent_revoked,          // consent-revoked
  consent_invalid,          // consent-invalid
  clb_only,                 // clb-only
  approval_invalid,         // approval-invalid
  mailbox_full,             // mailbox-full
  mailbox_held,             // mailbox-held
  forbidden,                // forbidden
  method_not_allowed,       // method-not-allowed
  rate_limited,             // rate-limited
  unknown_organisation,     // unknown-organisation
  device_removed,           // device-removed
  device_not_enrolled,      // device-not-enrolled
  conflict,                 // conflict
  certificate_invalid,      // certificate-invalid
  epoch_not_next,           // epoch-not-next
  members_invalid,          // members-invalid
  invalid_field,            // invalid-field
  blob_too_large,           // blob-too-large
  blob_quota_full,          // blob-quota-full
  blob_id_taken,            // blob-id-taken
  length_required,          // length-required
  role_not_permitted,       // role-not-permitted
  epoch_expired,            // epoch-expired
  member_role_mismatch,     // member-role-mismatch
  admin_signature_invalid,  // admin-signature-invalid
  blob_unknown,             // blob-unknown
  message_expired,          // message-expired
  message_purged,           // message-purged
  person_conflict,          // person-conflict
  case_statement_invalid,   // case-statement-invalid
  case_transition_refused,  // case-transition-refused
  staff_unknown,            // staff-unknown
  signalen_not_permitted,   // signalen-not-permitted
  referral_not_found,       // referral-not-found
  transition_invalid,       // transition-invalid
  statement_invalid,        // referral-statement-invalid
  referral_wrong_party,     // referral-wrong-party
  organisation_removed,     // organisation-removed
  recipient_removed,        // recipient-removed
  transfer_unsigned,        // transfer-announcement-unsigned
  transfer_invalid,         // transfer-announcement-invalid
  transfer_receiver,        // transfer-receiver-invalid
  transfer_told_date,       // transfer-told-date-invalid
};
inline constexpr std::size_t kProblemKinds =
    static_cast<std::size_t>(ProblemKind::transfer_told_date) + 1;

struct ProblemType {
  ProblemKind kind = ProblemKind::internal;
  unsigned status = 500;
  std::string_view type;  // urn:draaischijf:problem:<slug>
  std::string_view title_nl;
  std::string_view title_en;
  std::string_view detail;  // what to do
};

struct Problem {
  ProblemType kind;
  std::string instance;               // the request id, to quote to the hub operator
  std::vector<std::string> rule_ids;  // policy rules, when a policy said no
  std::string extra_detail;           // appended to the detail; never user data or content
};

/// The catalog entry for an error from any module the hub uses; unknown errors map to a 500.
[[nodiscard]] const ProblemType& problem_type_for(const boost::system::error_code& error);

/// The catalog entry of a problem that is not an error code (not_found, forbidden, ...).
[[nodiscard]] const ProblemType& problem_type(ProblemKind kind) noexcept;

/// application/problem+json. `title` is English; `title_nl` carries the Dutch one.
/// `extensions` are further members (RFC 9457, section 3.2) written as given after the
/// standard ones, for instance a policy refusal's outcome and reasons:
///   to_json(Problem{problem_type(ProblemKind::stale_epoch), id, {}, ""}, {{"mailbox", m}});
[[nodiscard]] std::string to_json(const Problem& problem, boost::json::object extensions = {});

/// Every entry, in ProblemKind order, for the OpenAPI document and the tests.
[[nodiscard]] std::span<const ProblemType> problem_catalog() noexcept;

}  // namespace draaischijf::server
