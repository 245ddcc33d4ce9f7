#pragma once

// End-to-end certificates, signed by an organisation's Ed25519 signing key:
//  - a device certificate binds a device's signing key and encryption key to its organisation,
//    staff member (pseudonymous id) and role;
//  - a mailbox-epoch certificate binds a mailbox's X25519 key for one epoch to its members.
// The hub stores and serves them but cannot forge them: clients verify each against the
// organisation key they trust (docs/PROTOCOL.md, sections 4 and 5).

#include <cstdint>
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

struct MailboxEpochCertificate {
  Id mailbox_id{};
  Id org_id{};
  std::uint32_t epoch = 0;
  X25519PublicKey mailbox_key{};
  Hash256 members_hash{};
  Hash256 previous_certificate{};  // zero for the first epoch of a chain
  std::uint64_t created_at = 0;    // seconds since the Unix epoch, UTC
  KeyId issuer{};
  Signature signature{};
};

inline constexpr std::size_t kEpochCertificateSize =
    4 + 1 + 16 + 16 + 4 + 32 + 32 + 32 + 8 + 32 + 64;

[[nodiscard]] std::vector<std::uint8_t> encode(const MailboxEpochCertificate& certificate);
[[nodiscard]] Result<MailboxEpochCertificate> parse_epoch_certificate(
    std::span<const std::uint8_t> in);
[[nodiscard]] MailboxEpochCertificate issue(MailboxEpochCertificate certificate,
                                            const SigningKey& organisation_key);
[[nodiscard]] Result<void> verify(const MailboxEpochCertificate& certificate,
                                  const SigningPublicKey& organisation_key);
/// `next` follows `previous`: same mailbox and organisation, epoch + 1, hash link.
[[nodiscard]] Result<void> verify_succession(const MailboxEpochCertificate& previous,
                                             const MailboxEpochCertificate& next);
[[nodiscard]] Hash256 certificate_hash(const MailboxEpochCertificate& certificate);
/// The members hash over a set of device ids (order does not matter).
[[nodiscard]] Hash256 members_hash(std::span<const Id> device_ids);

}  // namespace draaischijf::protocol
