#pragma once

// What can go wrong in a client operation beyond the protocol's own errors, each with a message
// that says what to do next. A refusal by the hub also leaves its problem document in
// Client::last_problem().

#include <optional>
#include <string>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::client {

enum class client_errc {
  profile_invalid = 1,     // the profile folder is missing a file or a setting is malformed
  untrusted_organisation,  // no pinned key for the organisation
  directory_tampered,      // the hub served a key, device or epoch its organisation did not sign
  hub_refused,             // the hub answered with a problem document
  hub_answer_invalid,      // the hub's answer is not what the protocol says
  not_a_member,            // this device holds no key for the mailbox
  unknown_mailbox,         // no such mailbox (or not visible to this device)
  mailbox_held,            // the mailbox waits for its organisation to rotate it
  receipt_invalid,         // the hub's receipt does not verify, names other bytes, or does
                           // not name one decision for each recipient mailbox
  policy_refused,          // the pre-check or the hub's policy said no; nothing was sent
  not_an_admin,            // this profile holds no organisation signing key
  fingerprint_mismatch,    // the fingerprint given does not match the key the hub serves
  not_found,               // no such message in the local inbox
  state_failed,            // the local state database cannot be read or written
  file_unreadable,         // a file to attach cannot be read
  file_unwritable,         // a received attachment cannot be written where asked
  attachment_invalid,      // an attachment blob fails decryption, its size or its hash
  consent_invalid,         // the hub refused a consent record; last_problem().issues say why
  policy_untrusted,        // the hub's rule set does not verify against the pinned operator key
  approval_unsupported,    // the CLI's approve (the restated composition) with files
  name_unsafe,             // a name holds control, escape, bidi or line-separator characters
  already_pinned,          // another key is pinned for the organisation: only `replace` changes it
  trust_file_invalid,      // the trust file has a malformed, unsafe or repeated line
  file_exists,             // a file to save is there already (or its .part file): not replaced
  member_role_mismatch,    // a member's certified role does not fit the mailbox's function
  no_pupil_key,            // this device has not received its organisation's pupil key yet
  unknown_person,          // no enrolled device of the organisation is certified for that staff id
  no_clb_recorded,         // a signaal without --to: the directory names no CLB for this school
  no_intake_mailbox,       // the school's CLB has no single accepting onthaal mailbox
  bundle_invalid,          // a directory bundle that does not parse
  bundle_untrusted,        // no operator key pinned, or the bundle's signature is not its
  bundle_rollback,         // a bundle older than the last one imported
  bundle_key_changed,      // the bundle changes a pinned organisation key (not accepted)
  notice_invalid,       // a hub notice that does not parse, verify or belong to this organisation
  too_many_recipients,  // more than 16 mailboxes, the team's Sent copy included
  log_checkpoint_invalid,  // a log checkpoint not signed by the pinned hub key (or none pinned)
  log_rollback,            // a checkpoint smaller than the one this device accepted before
  log_fork,                // a checkpoint that does not extend the one accepted before
  not_in_log,            // an organisation key or epoch certificate the directory log does not hold
  monitor_alert,         // the monitor found entries about this organisation it did not make
  organisation_removed,  // the operator's directory bundle lists the organisation as removed
  split_view,  // a sender's gossiped checkpoint and this device's show two histories of a log
  register_unproved,  // a disclosure register line the hub's record log does not prove
};

[[nodiscard]] const boost::system::error_category& client_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(client_errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

/// One reason of a policy decision, in the rule set's words.
struct PolicyReason {
  std::string rule_id;
  std::string nl;
  std::string en;
  std::string source;
};

/// Why the policy refused a message: the hub's policy-refused problem, or this device's
/// pre-check with the same rules (then nothing was encrypted or sent).
struct PolicyRefusal {
  bool by_hub = false;
  std::string outcome;  // deny, needs_consent, needs_second_approval
  std::vector<std::string> rule_ids;
  std::string consent_from;   // ouders, leerling or beiden; empty when no consent is asked
  std::string approval_role;  // the role whose second approval is missing; empty when none
  std::vector<PolicyReason> reasons;
  protocol::Id recipient_org{};
  std::string policy_version;
  /// Why a consent reference or an approval the message named did not count.
  std::vector<std::string> notes;
  /// The refused draft's ids: an approval must be given for exactly these, so the sender
  /// sends again with them (Composition::message_id, thread_id).
  protocol::Id message_id{};
  protocol::Id thread_id{};
};

/// One thing wrong with a consent record the hub refused to register (consent_invalid).
struct ConsentIssueText {
  std::string issue;  // policies::ConsentIssue name: giver_should_be_pupil, ...
  std::string rule_id;
  std::string nl;
  std::string en;
};

/// The hub's problem document, as far as a person needs it.
struct HubProblem {
  unsigned status = 0;
  std::string type;  // urn:draaischijf:problem:...
  std::string title;
  std::string detail;
  std::optional<PolicyRefusal> policy;   // with client_errc::policy_refused
  std::vector<ConsentIssueText> issues;  // with client_errc::consent_invalid
  unsigned retry_after_seconds = 0;      // a 429's or 503's Retry-After: when to ask again
};

}  // namespace draaischijf::client

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::client::client_errc> : std::true_type {};
}  // namespace boost::system
