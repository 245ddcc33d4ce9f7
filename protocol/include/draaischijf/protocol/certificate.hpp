#pragma once

// End-to-end certificates, signed by an organisation's Ed25519 signing key:
//  - a device certificate binds a device's signing key and encryption key to its organisation,
//    staff member (pseudonymous id) and role;
//  - a mailbox-epoch certificate binds a mailbox's X25519 key for one epoch to its members.
// The hub stores and serves them but cannot forge them: clients verify each against the
// organisation key they trust (docs/PROTOCOL.md, sections 4 and 5).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

using X25519PublicKey = std::array<std::uint8_t, 32>;

struct DeviceCertificate {
  Id org_id{};
  OrgType org_type = OrgType::clb;
  Id device_id{};
  Id staff_id{};  // pseudonymous: the hub never learns staff names
  StaffRole role = StaffRole::clb_onthaal;
  SigningPublicKey signing_key{};
  X25519PublicKey encryption_key{};
  std::uint64_t not_before = 0;  // seconds since the Unix epoch, UTC
  std::uint64_t not_after = 0;
  KeyId issuer{};
  Signature signature{};
};

inline constexpr std::size_t kDeviceCertificateSize =
    4 + 1 + 16 + 1 + 16 + 16 + 1 + 32 + 32 + 8 + 8 + 32 + 64;

[[nodiscard]] std::vector<std::uint8_t> encode(const DeviceCertificate& certificate);
[[nodiscard]] Result<DeviceCertificate> parse_device_certificate(std::span<const std::uint8_t> in);
/// Fills issuer and signature from `organisation_key`.
[[nodiscard]] DeviceCertificate issue(DeviceCertificate certificate,
                                      const SigningKey& organisation_key);
/// Issuer, signature and validity at `at_seconds`.
[[nodiscard]] Result<void> verify(const DeviceCertificate& certificate,
                                  const SigningPublicKey& organisation_key,
                                  std::uint64_t at_seconds);

/// The organisation's word on what a mailbox is for: the staff role it serves (the policy
/// engine's recipient role), or none for a general mailbox of the organisation (wire code 0).
using MailboxFunction = std::optional<StaffRole>;

struct MailboxEpochCertificate {
  Id mailbox_id{};
  Id org_id{};
  std::uint32_t epoch = 0;
  MailboxFunction function;  // none: a general mailbox, no specific role
  X25519PublicKey mailbox_key{};
  Hash256 members_hash{};
  Hash256 previous_certificate{};  // zero for the first epoch of a chain
  std::uint64_t not_before = 0;    // seconds since the Unix epoch, UTC; both bounds inclusive
  std::uint64_t not_after = 0;
  KeyId issuer{};
  Signature signature{};
};

/// Version 2 (docs/PROTOCOL.md 5); version 1 (241 bytes, no function, no window) is refused.
inline constexpr std::size_t kEpochCertificateSize =
    4 + 1 + 16 + 16 + 4 + 1 + 32 + 32 + 32 + 8 + 8 + 32 + 64;
/// How long an admin's client makes a new epoch valid, and how long before the end it renews.
inline constexpr std::uint64_t kEpochValiditySeconds = 90ULL * 24 * 3600;
inline constexpr std::uint64_t kEpochRenewalSeconds = 14ULL * 24 * 3600;
/// A new epoch's window starts this much before its issuer's clock, so that a verifier whose
/// clock is a little behind does not refuse it as not yet valid.
inline constexpr std::uint64_t kEpochClockSkewSeconds = 300;

/// Gives `certificate` the default window for an epoch issued at `now_seconds`.
void set_default_window(MailboxEpochCertificate& certificate, std::uint64_t now_seconds) noexcept;

[[nodiscard]] std::vector<std::uint8_t> encode(const MailboxEpochCertificate& certificate);
[[nodiscard]] Result<MailboxEpochCertificate> parse_epoch_certificate(
    std::span<const std::uint8_t> in);
[[nodiscard]] MailboxEpochCertificate issue(MailboxEpochCertificate certificate,
                                            const SigningKey& organisation_key);
/// Issuer and signature only: what opening an old message needs, long after the epoch ended.
[[nodiscard]] Result<void> verify(const MailboxEpochCertificate& certificate,
                                  const SigningPublicKey& organisation_key);
/// Issuer, signature and the window at `at_seconds`: what sealing to the epoch needs
/// (epoch_not_yet_valid, epoch_expired).
[[nodiscard]] Result<void> verify(const MailboxEpochCertificate& certificate,
                                  const SigningPublicKey& organisation_key,
                                  std::uint64_t at_seconds);
/// The window alone, for whoever verified the signature before (the hub at submission).
[[nodiscard]] Result<void> check_window(const MailboxEpochCertificate& certificate,
                                        std::uint64_t at_seconds);
/// Whether a device certified with `role` may be a member of a mailbox with `function`: any
/// role fits a general mailbox; a specific function takes that role and the organisation's
/// admin (who holds every seed to rotate the mailbox). docs/PROTOCOL.md 5.1.
[[nodiscard]] bool fits_function(const MailboxFunction& function, StaffRole role) noexcept;
/// `next` follows `previous`: same mailbox and organisation, epoch + 1, hash link.
[[nodiscard]] Result<void> verify_succession(const MailboxEpochCertificate& previous,
                                             const MailboxEpochCertificate& next);
[[nodiscard]] Hash256 certificate_hash(const MailboxEpochCertificate& certificate);
/// The members hash over a set of device ids (order does not matter).
[[nodiscard]] Hash256 members_hash(std::span<const Id> device_ids);

}  // namespace draaischijf::protocol
