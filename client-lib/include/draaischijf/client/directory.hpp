#pragma once

// The verified directory: organisations, mailboxes, devices and epoch certificates as the hub
// serves them, each checked against the organisation key pinned out of band before it is used.
// A hub that swaps a key, adds a member or serves an unsigned, re-signed or older epoch is
// refused with client_errc::directory_tampered. Pinning happens here too.
//
//   Directory directory{session};
//   for (const auto& org : directory.organisations().value()) {
//     if (!org.trusted) { /* compare org.fingerprint with the organisation, then: */
//       directory.pin_organisation(org.org_id, fingerprint_they_read_out); }
//   }

#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/epoch.hpp>

namespace draaischijf::client {

class Directory {
 public:
  /// `session` must outlive this handle.
  explicit Directory(Session& session) noexcept : state_(&session.state()) {}

  /// Every organisation the filter matches (all by default), `trusted` when the hub's key
  /// equals the pinned one; with the region, offers and CLB the hub records for it.
  [[nodiscard]] protocol::Result<std::vector<DirectoryOrganisation>> organisations(
      const DirectoryFilter& filter = {});
  /// Where a school's signaal goes when the sender names no mailbox: the onthaal mailbox of the
  /// school's own CLB, the one accepting mailbox that CLB signed for the role clb_onthaal
  /// (docs/PROTOCOL.md 4.3). The CLB must be pinned (untrusted_organisation otherwise);
  /// no_clb_recorded when the directory names none, no_intake_mailbox when there is no single
  /// such mailbox.
  [[nodiscard]] protocol::Result<protocol::Id> signaal_mailbox();
  /// The organisation's mailboxes, each with its current epoch certificate verified.
  [[nodiscard]] protocol::Result<std::vector<DirectoryMailbox>> mailboxes(const protocol::Id& org);
  /// The device's certificate as the hub serves it, verified against its organisation's key.
  [[nodiscard]] protocol::Result<protocol::DeviceCertificate> device_certificate(
      const protocol::Id& device_id);
  /// The mailbox's current epoch certificate, verified (and never older than one seen before).
  [[nodiscard]] protocol::Result<protocol::MailboxEpochCertificate> mailbox_certificate(
      const protocol::Id& mailbox_id);
  /// Pins an organisation's key after comparing the hub's key with `expected_fingerprint`.
  /// Another key for an organisation pinned before is refused (already_pinned) unless `mode`
  /// is PinMode::replace_existing, a person's explicit request.
  [[nodiscard]] protocol::Result<void> pin_organisation(const protocol::Id& org_id,
                                                        std::string_view expected_fingerprint,
                                                        PinMode mode = PinMode::only_new);
  /// Pins the hub operator's policy key (from the operator, out of band): from now on
  /// Outbox::send checks the policy with the rule set it signed. Replacing another pinned key
  /// likewise needs PinMode::replace_existing.
  [[nodiscard]] protocol::Result<void> pin_policy_key(const protocol::SigningPublicKey& key,
                                                      PinMode mode = PinMode::only_new);
  /// The operator's directory bundle checked against this device's trust (trust.hpp,
  /// plan_bundle_import): nothing changes yet, so the person can see what would.
  [[nodiscard]] protocol::Result<BundlePlan> check_bundle(std::span<const std::uint8_t> bundle);
  /// Pins what the plan lists and records its sequence, in the trust file and in memory
  /// together; a changed key only with `accept_changes` (bundle_key_changed otherwise).
  [[nodiscard]] protocol::Result<void> import_bundle(const BundlePlan& plan, bool accept_changes);

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
