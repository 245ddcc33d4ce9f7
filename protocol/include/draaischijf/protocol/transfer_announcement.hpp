#pragma once

// Dossier transfer announcement (docs/PROTOCOL.md 7.20): on a change of school the old CLB's
// device signs that it will transfer a pupil's dossier to the new CLB, naming the pupil (its
// pseudonym), the receiving CLB's organisation id and the day the parents or the pupil were
// told. The hub checks it against its directory and its own clock before it records it, dates
// the announcement itself and computes R14's objection window from it; the statement is kept
// whole so anyone can later check who announced what (the hub is not trusted to say).
//
// The statement embeds the signer's device certificate, so a verifier needs only the signing
// key of the organisation it trusts. Parsers never throw: each refusal is a specific errc.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

struct TransferAnnouncement {
  Id sender_org{};             // the announcing (old) CLB; the signer's organisation
  Id receiving_org{};          // the new CLB the dossier goes to; not zero, not the sender
  Hash256 pupil{};             // the pupil pseudonym (7.14); not zero
  std::uint32_t told_day = 0;  // days since 1970-01-01: the day the parents or the pupil were
                               // told; not zero
  std::uint64_t created_at_ms = 0;
};

struct ParsedTransferAnnouncement {
  TransferAnnouncement statement;
  DeviceCertificate signer;
  Signature signature{};
};

inline constexpr std::string_view kTransferAnnouncementDomain =
    "draaischijf/transfer-announcement/v1";
inline constexpr std::size_t kTransferAnnouncementSize =
    4 + 1 + 16 + 16 + 32 + 4 + 8 + kDeviceCertificateSize + 64;

/// Signs with the signer device's key. field_out_of_range for a zero id, pupil or day, or a
/// receiving organisation equal to the sender; sender_mismatch when the certificate is of
/// another organisation than sender_org.
[[nodiscard]] Result<std::vector<std::uint8_t>> sign_transfer_announcement(
    const TransferAnnouncement& statement, const DeviceCertificate& signer, const SigningKey& key);

/// Structure and the same field rules: truncated, bad_magic, unsupported_version,
/// trailing_data, then field_out_of_range and the certificate's parse errors.
[[nodiscard]] Result<ParsedTransferAnnouncement> parse_transfer_announcement(
    std::span<const std::uint8_t> in);

[[nodiscard]] std::vector<std::uint8_t> encode(const ParsedTransferAnnouncement& statement);

/// sender_mismatch when the certificate names another organisation than the statement;
/// signature_invalid when the signature does not verify under the certificate's key. The
/// certificate itself must be verified separately against the organisation key (verify()).
[[nodiscard]] Result<void> verify_transfer_announcement_signature(
    const ParsedTransferAnnouncement& statement);

}  // namespace draaischijf::protocol
