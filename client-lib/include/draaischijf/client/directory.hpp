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

  /// Every organisation, `trusted` when the hub's key equals the pinned one.
  [[nodiscard]] protocol::Result<std::vector<DirectoryOrganisation>> organisations();
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

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
