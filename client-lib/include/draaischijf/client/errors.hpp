#pragma once

// What can go wrong in a client operation beyond the protocol's own errors, each with a message
// that says what to do next. A refusal by the hub also leaves its problem document in
// Client::last_problem().

#include <string>

#include <draaischijf/protocol/errors.hpp>

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
  receipt_invalid,         // the hub's receipt does not verify or names other bytes
  policy_refused,          // the policy check said no; nothing was sealed
  not_an_admin,            // this profile holds no organisation signing key
  fingerprint_mismatch,    // the fingerprint given does not match the key the hub serves
  not_found,               // no such message in the local inbox
  state_failed,            // the local state database cannot be read or written
  file_unreadable,         // a file to attach cannot be read
  file_unwritable,         // a received attachment cannot be written where asked
  attachment_invalid,      // an attachment blob fails decryption, its size or its hash
};

[[nodiscard]] const boost::system::error_category& client_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(client_errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

/// The hub's problem document, as far as a person needs it.
struct HubProblem {
  unsigned status = 0;
  std::string type;  // urn:draaischijf:problem:...
  std::string title;
  std::string detail;
};

}  // namespace draaischijf::client

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::client::client_errc> : std::true_type {};
}  // namespace boost::system
