#pragma once

// Enrolment and the organisation admin's work: a new device asks to be enrolled; the admin
// (a device holding the organisation signing key) compares its fingerprint, certifies it and
// adds it to mailboxes with a new epoch each, removes members with a rotation of every mailbox
// they were in, rotates mailboxes and exports a mailbox's age key for archives. Every change at
// the hub (removal, rotation) is signed with the organisation key (docs/PROTOCOL.md 7.13).
//
//   Administration admin{session};
//   for (const auto& p : admin.pending_enrolments().value()) { /* compare p.fingerprint */ }
//   admin.approve_enrolment(device_id, fingerprint_the_device_shows, Person::new_person(),
//   {intake});

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/age.hpp>

namespace draaischijf::client {

class Administration {
 public:
  /// `session` must outlive this handle.
  explicit Administration(Session& session) noexcept : state_(&session.state()) {}

  /// This (new) device asks the hub to be enrolled with its public keys, saying it belongs to
  /// `claimed_person` (the staff id of the person's other devices) when given. Asking again
  /// replaces the claim.
  [[nodiscard]] protocol::Result<void> request_enrolment(
      std::optional<protocol::Id> claimed_person = std::nullopt);
  /// The organisation's devices waiting for approval with the person each claims, checked
  /// against the organisation's verified device certificates (admin).
  [[nodiscard]] protocol::Result<std::vector<PendingDevice>> pending_enrolments();
  /// The organisation's enrolled devices with the person each is certified for (admin).
  [[nodiscard]] protocol::Result<std::vector<OrganisationDevice>> devices();
  /// Signs the device certificate for `person` after comparing the fingerprint (keys and the
  /// claimed role), then adds the device to `mailboxes` (a new epoch each, so it can read their
  /// whole history). An existing person must be certified on an enrolled device of the
  /// organisation (unknown_person). Admin only (not_an_admin).
  [[nodiscard]] protocol::Result<void> approve_enrolment(
      const protocol::Id& device_id, std::string_view expected_fingerprint, const Person& person,
      const std::vector<protocol::Id>& mailboxes);
  /// Removes the device and rotates every mailbox of the organisation it was a member of;
  /// returns those mailboxes.
  /// Seals the organisation's pupil key to an enrolled device of the organisation and leaves
  /// it at the hub (approve_enrolment does this for every device it approves).
  [[nodiscard]] protocol::Result<void> send_pupil_key(const protocol::Id& device_id);
  [[nodiscard]] protocol::Result<std::vector<protocol::Id>> remove_member(
      const protocol::Id& device_id);
  /// Rotates a mailbox to a new epoch with `members` (its current members when empty), keeping
  /// its function; the new epoch is valid for protocol::kEpochValiditySeconds. Refuses a member
  /// whose certified role does not fit the function (member_role_mismatch), posting nothing.
  [[nodiscard]] protocol::Result<std::uint32_t> rotate(const protocol::Id& mailbox_id,
                                                       std::vector<protocol::Id> members = {});
  /// Adds an enrolled device of the organisation to a mailbox: a new epoch with it, so it reads
  /// the mailbox's whole history. nullopt when it is a member already (nothing changes);
  /// member_role_mismatch when its role does not fit the mailbox's function.
  [[nodiscard]] protocol::Result<std::optional<std::uint32_t>> add_to_mailbox(
      const protocol::Id& mailbox_id, const protocol::Id& device_id);
  /// Takes a device out of a mailbox without removing it from the organisation: a new epoch
  /// without it, so it opens nothing sent to the mailbox afterwards. nullopt when it is no
  /// member (nothing changes). The caller keeps this admin device in (it holds the seed the
  /// next rotation needs).
  [[nodiscard]] protocol::Result<std::optional<std::uint32_t>> remove_from_mailbox(
      const protocol::Id& mailbox_id, const protocol::Id& device_id);
  /// Creates a mailbox serving `function` (none: a general mailbox) with `members` and this
  /// admin device; returns its id. Every member's role must fit the function
  /// (member_role_mismatch; docs/PROTOCOL.md 5.1).
  [[nodiscard]] protocol::Result<protocol::Id> create_mailbox(std::string_view name,
                                                              protocol::MailboxFunction function,
                                                              std::vector<protocol::Id> members);
  /// Gives a mailbox of the organisation a new display name (directory data: no new epoch),
  /// signed with the organisation key. A name that is not display safe is refused here
  /// (name_unsafe) before anything is signed; the hub refuses an empty one or one over 200
  /// bytes (hub_refused, invalid-field).
  [[nodiscard]] protocol::Result<void> rename_mailbox(const protocol::Id& mailbox_id,
                                                      std::string_view name);
  /// Rotates every mailbox of the organisation (this admin is a member of) whose current epoch
  /// ends within protocol::kEpochRenewalSeconds, so senders never meet an expired one; returns
  /// them. Run it at least weekly (`draaischijf admin renew`).
  [[nodiscard]] protocol::Result<std::vector<protocol::Id>> renew_expiring();
  /// The mailbox's age identity for one epoch (AGE-SECRET-KEY-1...), for archives.
  [[nodiscard]] protocol::Result<protocol::age::X25519Identity> export_mailbox_key(
      const protocol::Id& mailbox_id, std::uint32_t epoch);

 private:
  protocol::Result<std::optional<std::uint32_t>> change_membership(const protocol::Id& mailbox_id,
                                                                   const protocol::Id& device_id,
                                                                   bool add);
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
