#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/hub_connection.hpp>

namespace draaischijf::client {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<client_errc>(value)) {
    case client_errc::profile_invalid:
      return "the device profile is incomplete or damaged; create it again with "
             "`draaischijf init` or `draaischijf enrol`";
    case client_errc::untrusted_organisation:
      return "the organisation's signing key is not pinned on this device; compare its "
             "fingerprint with the organisation out of band, then run `draaischijf trust add`";
    case client_errc::directory_tampered:
      return "the hub served directory data its organisation did not sign (a swapped key, an "
             "added device or an unsigned epoch); nothing was used. Tell the hub operator";
    case client_errc::hub_refused:
      return "the hub refused the request";
    case client_errc::hub_answer_invalid:
      return "the hub's answer does not follow the protocol";
    case client_errc::not_a_member:
      return "this device holds no key for that mailbox; ask an organisation admin to add it";
    case client_errc::unknown_mailbox:
      return "no such mailbox; list them with `draaischijf directory`";
    case client_errc::mailbox_held:
      return "the mailbox is held until its organisation rotates it after removing a member; "
             "try again later";
    case client_errc::receipt_invalid:
      return "the hub's receipt does not verify against the pinned hub key, or does not name "
             "this message or a policy decision for each of its recipients";
    case client_errc::policy_refused:
      return "the policy does not allow this message; it was not sent (the reasons below say "
             "why, and what to do)";
    case client_errc::not_an_admin:
      return "this profile holds no organisation signing key; run this as an organisation "
             "admin";
    case client_errc::fingerprint_mismatch:
      return "the fingerprint does not match the key the hub serves; do not trust it and "
             "check with the other side";
    case client_errc::not_found:
      return "no such message in the local inbox; run `draaischijf inbox` first";
    case client_errc::state_failed:
      return "the local state database cannot be read or written";
    case client_errc::file_unreadable:
      return "a file to attach cannot be read; check the path and its permissions";
    case client_errc::file_unwritable:
      return "the attachment cannot be written there; check the folder, its permissions and "
             "free space";
    case client_errc::attachment_invalid:
      return "the attachment does not match what the sender signed (altered, cut short or "
             "extended); nothing was kept. Tell the sender and the hub operator";
    case client_errc::consent_invalid:
      return "the hub refused the consent record; correct what the issues name and register "
             "it again";
    case client_errc::policy_untrusted:
      return "the hub's policy rule set does not verify against the operator key pinned on "
             "this device; nothing was sent. Tell the hub operator";
    case client_errc::approval_unsupported:
      return "an approval given with `approve` covers text fragments only: ask for it with "
             "`approval request` instead, which carries the files to the approver";
    case client_errc::name_unsafe:
      return "the hub sent a name with control, escape, bidi or line-separator characters; "
             "nothing was stored. Tell the hub operator";
    case client_errc::already_pinned:
      return "another key is already pinned for this organisation; if the organisation really "
             "changed its key, compare both fingerprints with it and run `draaischijf trust "
             "replace`";
    case client_errc::trust_file_invalid:
      return "the trust file has a malformed, unsafe or repeated line and was not used; "
             "restore it from a backup or pin the organisations again";
    case client_errc::file_exists:
      return "a file of that name (or its .part file) is there already and was left as it is; "
             "save to another folder, remove it, or add --force to replace it";
    case client_errc::member_role_mismatch:
      return "a member device's certified role does not fit the mailbox's function (a mailbox "
             "for one staff role takes devices with that role and the admin only); nothing was "
             "changed. Leave the device out or create a general mailbox";
    case client_errc::no_pupil_key:
      return "this device has not received its organisation's pupil key, so it cannot name a "
             "pupil; ask the organisation admin to send it (draaischijf admin pupil-key DEVICE)";
    case client_errc::unknown_person:
      return "no enrolled device of this organisation is certified for that person (staff id); "
             "run `draaischijf admin devices` to pick one, or certify a new person";
    case client_errc::no_clb_recorded:
      return "the directory names no CLB for this school, so a signaal has no default "
             "recipient; give --to MAILBOX, or ask the hub operator to record the school's CLB "
             "(draaischijf-hub org set --clb)";
    case client_errc::no_intake_mailbox:
      return "the school's CLB has no single accepting onthaal mailbox (a mailbox its "
             "organisation signed for the role clb_onthaal); give --to MAILBOX (`draaischijf "
             "directory CLB_ORG` lists them)";
    case client_errc::bundle_invalid:
      return "the file is not a Draaischijf directory bundle (or it is damaged); nothing was "
             "pinned. Ask the hub operator for the bundle again";
    case client_errc::bundle_untrusted:
      return "the directory bundle is not signed by the operator key pinned on this device (or "
             "none is pinned: `draaischijf trust add --policy-key`); nothing was pinned. Tell "
             "the hub operator";
    case client_errc::bundle_rollback:
      return "the directory bundle is older than the one imported before (a lower sequence "
             "number); nothing was pinned. Import the newest bundle from the hub operator";
    case client_errc::bundle_key_changed:
      return "the directory bundle changes the key of an organisation pinned on this device; "
             "nothing was pinned. Confirm each change with the organisation out of band, then "
             "import again with --accept-changes";
    case client_errc::notice_invalid:
      return "a notice from the hub does not verify against the pinned hub key or is not for "
             "this organisation; nothing was shown. Check the hub key in the trust file with the "
             "hub's operator";
    case client_errc::too_many_recipients:
      return "a message goes to at most 16 mailboxes, and the copy for your team's Sent folder "
             "(your organisation's general mailbox) counts as one; nothing was sent. Send to "
             "fewer mailboxes at a time";
    case client_errc::log_checkpoint_invalid:
      return "the hub's transparency-log checkpoint is not signed by the hub key pinned on this "
             "device (or no hub key is pinned); nothing was used and the checkpoint kept before "
             "stays. Check the hub key in the trust file with the hub's operator";
    case client_errc::log_rollback:
      return "the hub served a transparency-log checkpoint smaller than the one this device "
             "accepted before (a rolled-back log); nothing was used and the checkpoint kept "
             "before stays. Tell the hub operator and your organisation's admin";
    case client_errc::log_fork:
      return "the hub served a transparency-log checkpoint that does not extend the one this "
             "device accepted before (a forked log: another history shown to this device); "
             "nothing was used and the checkpoint kept before stays. Tell the hub operator and "
             "your organisation's admin";
    case client_errc::not_in_log:
      return "the hub served an organisation key or mailbox epoch certificate that is not in "
             "its directory log (or with an inclusion proof that does not verify); nothing was "
             "used. Tell the hub operator and the organisation concerned";
    case client_errc::monitor_alert:
      return "the directory log holds entries about your organisation that its own devices did "
             "not make (listed above); check them with your organisation's admins and tell "
             "the hub operator";
    case client_errc::organisation_removed:
      return "the hub operator removed this organisation from the hub (the directory bundle you "
             "imported lists it as removed); nothing was sent. Send to the organisation that "
             "took over its work, and look it up with draaischijf directory";
    case client_errc::split_view:
      return "the hub showed the sender of a message another history of its transparency log "
             "than it showed this device (a split view, caught by the checkpoint the sender "
             "signed into the message); the message is authentic and was opened, and both "
             "signed checkpoints are kept as evidence (draaischijf admin monitor lists them). "
             "Tell the hub operator and your organisation's admin";
    case client_errc::register_unproved:
      return "the hub's disclosure register does not agree with its record log: a line differs "
             "from the audit row of its decision, or that row is not in the log where the hub "
             "says; do not rely on this register and tell the hub operator and your DPO";
  }
  return "unknown client error";
}

const char* describe_connection(int value) noexcept {
  switch (static_cast<connection_errc>(value)) {
    case connection_errc::tls_setup_failed:
      return "the device's TLS files (hub root, certificate, key) cannot be used; check their "
             "paths and that the key belongs to the certificate";
    case connection_errc::unreachable:
      return "the hub cannot be reached; check the address and that the hub runs";
    case connection_errc::handshake_failed:
      return "the TLS handshake failed: the hub refused this device's certificate or is not "
             "the hub the root names";
    case connection_errc::timeout:
      return "the hub did not answer in time";
    case connection_errc::bad_response:
      return "the hub's answer is not valid HTTP/1.1";
    case connection_errc::handshake_interrupted:
      return "the hub closed the connection during the TLS handshake without saying why; it "
             "may be down or restarting: try again in a moment";
    case connection_errc::upload_source_short:
      return "the file being uploaded became shorter while it was sent; send it again";
  }
  return "unknown connection error";
}

}  // namespace

const boost::system::error_category& client_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.client", describe);
  return category;
}

const boost::system::error_category& connection_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.connection",
                                                       describe_connection);
  return category;
}

}  // namespace draaischijf::client
