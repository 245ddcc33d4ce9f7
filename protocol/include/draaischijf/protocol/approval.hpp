#pragma once

// Second approval (docs/PROTOCOL.md 7.12): a colleague of the sender (the CLB-arts, the CLB
// director, ...) approves one specific message before it is sent. The approver's device signs a
// statement that names the message id the sender fixed in its draft, every outer label the hub
// will evaluate, the recipient mailboxes and a hash of the content. The sender lists the
// approval id in the envelope's outer part and carries the approval itself in the signed inner
// part (envelope v2); the hub holds a copy, checks it against the envelope's labels
// (check_approval_matches) and lets the policy count it; every recipient checks it again and
// checks that what it opened is what the approver saw (content_hash).
//
// Trust: verify_approval_signature() checks the signature with the signing key named in the
// embedded device certificate, nothing more. The caller must separately verify that certificate
// against the sender organisation's signing key (certificate.hpp verify(), at the approval's
// created_at), as for an envelope's sender certificate; until then an approval proves nothing.
// Which roles may approve what, and that the approver is not the sender, is policy (the hub),
// not protocol.
//
// Parsers never throw: each refusal is a specific errc.

#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

/// What the approver signs, apart from its own certificate.
struct ApprovalStatement {
  Id approval_id{};  // random; the id the envelope lists among its approvals
  Id message_id{};   // the envelope's message id (Draft::message_id, fixed before asking)
  Id sender_org{};   // the sending organisation, which is also the approver's
  MessageKind kind = MessageKind::signaal;
  Purpose purpose = Purpose::begeleiding;
  CategorySet categories;
  std::uint32_t attestations = 0;  // bit n = policies::Flag n
  Id consent_reference{};
  Hash256 pupil_pseudonym{};
  std::vector<Id> recipients;  // recipient mailbox ids, a set: no epochs, order does not matter
  Hash256 content_hash{};      // content_hash() of the draft as it will be sealed
  std::uint64_t created_at_ms = 0;
};

/// A structurally valid approval; the recipients are in ascending order.
struct ParsedApproval {
  ApprovalStatement statement;
  DeviceCertificate approver;  // its role is the approving role; its organisation the sender's
  Signature signature{};
};

/// The encoded size of an approval naming `recipients` mailboxes (PROTOCOL.md 7.12).
[[nodiscard]] constexpr std::size_t approval_size(std::size_t recipients) noexcept {
  return 4 + 1 + 16 + 16 + 16 + 2 + 2 + 4 + 4 + 16 + 32 + 32 + 8 + kDeviceCertificateSize + 1 +
         16 * recipients + 64;
}

/// The statement for a draft about to be sealed by `sender_org` to `recipient_mailboxes`: labels
/// as seal() will write them (categories from the fragments), a fresh approval id, the content
/// hash. The draft must already carry its message id and its final fragments and attachments.
[[nodiscard]] ApprovalStatement approval_statement(const Draft& draft, const Id& sender_org,
                                                   std::span<const Id> recipient_mailboxes,
                                                   std::uint64_t created_at_ms);

/// Signs `statement` with the approver device's signing key (the one `approver` names) and
/// returns the encoded approval. Refuses a zero approval or message id, an empty category set or
/// an unknown attestation bit (field_out_of_range), a recipient set that is empty, larger than
/// kMaxRecipients or repeats a mailbox (no_recipients, too_many_recipients, duplicate_recipient),
/// and an approver of another organisation than statement.sender_org (sender_mismatch).
[[nodiscard]] Result<std::vector<std::uint8_t>> sign_approval(const ApprovalStatement& statement,
                                                              const DeviceCertificate& approver,
                                                              const SigningKey& key);

/// Structure and canonical encoding only: truncated, bad_magic, unsupported_version,
/// no_recipients, too_many_recipients, non_canonical (recipients not strictly ascending),
/// trailing_data, then field_out_of_range (labels) and the embedded certificate's parse errors.
[[nodiscard]] Result<ParsedApproval> parse_approval(std::span<const std::uint8_t> in);

/// The one encoding of a parsed approval (parse then encode gives the input back).
[[nodiscard]] std::vector<std::uint8_t> encode(const ParsedApproval& approval);

/// sender_mismatch when the approver's certificate names another organisation than the
/// statement; signature_invalid when the signature does not verify under the certificate's
/// signing key. Does not verify the certificate itself (see the top of this header).
[[nodiscard]] Result<void> verify_approval_signature(const ParsedApproval& approval);

/// approval_mismatch unless the envelope lists this approval and carries exactly the approved
/// message id, sender organisation (also the approver's), kind, purpose, categories,
/// attestations, consent reference, pupil pseudonym and recipient mailbox set. What the hub can
/// check without keys; the content is for content_hash().
[[nodiscard]] Result<void> check_approval_matches(const ParsedApproval& approval,
                                                  const OuterHeader& outer);

/// BLAKE2b-256 over the content an approver sees: thread id, previous hash, every fragment but
/// the attachment references (category, domain, media type, body), and every attachment by its
/// category, plaintext hash, media type and file name (not its random id, key or ciphertext, so
/// a file is approved before it is encrypted). The sender computes it from its draft, a
/// recipient from the opened envelope (open() compares it with every carried approval); equal
/// content gives equal hashes. The thread id is in the hash because the hub stores the
/// approval: a random thread id it never sees stops it from confirming a guessed short body.
[[nodiscard]] Hash256 content_hash(const Draft& draft);
[[nodiscard]] Hash256 content_hash(const OpenedEnvelope& opened);

}  // namespace draaischijf::protocol
