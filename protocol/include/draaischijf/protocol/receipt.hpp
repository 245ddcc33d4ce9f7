#pragma once

// The hub's receipt for an accepted envelope: proof for the sender that the hub stored exactly
// these bytes at that time under that sequence number, and on which policy decisions it let each
// recipient mailbox have them (the rule set's version, the deciding rules, the legal basis and
// the approvers), so a hub that later claims another basis is contradicted by what the sender
// holds. Version 2 is signed with the hub's own Ed25519 key, which clients pin like an
// organisation key; version 3 is not signed at all: its authority is the record log, which holds
// an entry made from it at an index a checkpoint signed by the same key covers (check_logged),
// so the hub signs once per group commit instead of once per message. docs/PROTOCOL.md 8.4 gives
// every byte.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::protocol {

/// Bounds on the receipt's decision text (printable ASCII, 0x20..0x7e). A rule set's version
/// is a short label; rule ids are a few "Rnn" joined by commas; a legal basis is "rule:" and
/// the rule ids or "consent:" and a 32-digit consent id.
inline constexpr std::size_t kRuleSetVersionMax = 64;
inline constexpr std::size_t kRuleIdsMax = 128;
inline constexpr std::size_t kLegalBasisMax = 255;

/// The policy's allow for one recipient mailbox, as the hub signs it.
struct ReceiptDecision {
  Id mailbox_id{};
  std::string rule_ids;       // the deciding rules, comma separated: "R06", "R03,R05"
  std::string legal_basis;    // "consent:<hex id>" or "rule:<rule ids>"
  std::vector<Id> approvers;  // staff ids of the second approvals that counted; may be empty
  bool operator==(const ReceiptDecision&) const = default;
};

/// What the receipt says the policy decided: the rule set's version and one decision per
/// recipient mailbox (1..kMaxRecipients, in the envelope's order). The hub keeps these bytes
/// with the envelope, so a replay is answered with the decisions made when it was stored.
struct ReceiptDecisions {
  std::string rule_set_version;
  std::vector<ReceiptDecision> decisions;
  bool operator==(const ReceiptDecisions&) const = default;
};

/// Version 2: signed by the hub key. Version 3: proved by the record log (no key id, no
/// signature: the checkpoint names and is signed by the key).
inline constexpr std::uint8_t kSignedReceiptVersion = 2;
inline constexpr std::uint8_t kLoggedReceiptVersion = 3;

struct Receipt {
  std::uint8_t version = kSignedReceiptVersion;
  Id message_id{};
  Hash256 envelope_hash{};
  std::uint64_t received_at_ms = 0;
  std::uint64_t sequence = 0;
  ReceiptDecisions decided;
  KeyId hub_key{};        // version 2 only
  Signature signature{};  // version 2 only
};

/// The encoded size of ReceiptDecisions, and of a receipt, at their smallest (one decision,
/// empty texts, no approvers) and largest.
inline constexpr std::size_t kDecisionsMinSize = 1 + 1 + (16 + 1 + 1 + 1);
inline constexpr std::size_t kDecisionsMaxSize =
    1 + kRuleSetVersionMax + 1 +
    kMaxRecipients * (16 + 1 + kRuleIdsMax + 1 + kLegalBasisMax + 1 + 16 * kMaxApprovals);
inline constexpr std::size_t kReceiptMinSize = 4 + 1 + 16 + 32 + 8 + 8 + kDecisionsMinSize + 96;
inline constexpr std::size_t kReceiptMaxSize = 4 + 1 + 16 + 32 + 8 + 8 + kDecisionsMaxSize + 96;
inline constexpr std::size_t kLoggedReceiptMinSize = kReceiptMinSize - 96;
inline constexpr std::size_t kLoggedReceiptMaxSize = kReceiptMaxSize - 96;

/// field_out_of_range for a count or text outside its bound, non_canonical for text that is not
/// printable ASCII.
[[nodiscard]] Result<void> check_decisions(const ReceiptDecisions& decided);
/// The decisions as they stand in the receipt (the hub stores exactly these bytes).
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_decisions(const ReceiptDecisions& decided);
[[nodiscard]] Result<ReceiptDecisions> parse_decisions(std::span<const std::uint8_t> in);

/// Refuses decisions check_decisions() refuses: no receipt is signed that would not parse.
[[nodiscard]] Result<Receipt> sign_receipt(const Id& message_id, const Hash256& envelope_hash,
                                           std::uint64_t received_at_ms, std::uint64_t sequence,
                                           ReceiptDecisions decided, const SigningKey& hub_key);
/// A version 3 receipt: the same statement, unsigned, for the record log to prove.
[[nodiscard]] Result<Receipt> logged_receipt(const Id& message_id, const Hash256& envelope_hash,
                                             std::uint64_t received_at_ms, std::uint64_t sequence,
                                             ReceiptDecisions decided);
/// Version 2: errc::certificate_untrusted for another hub key, errc::signature_invalid for a bad
/// signature. Version 3 carries no signature (unsupported_version): check_logged() proves it.
[[nodiscard]] Result<void> verify(const Receipt& receipt, const SigningPublicKey& hub_key);
/// For a receipt as sign_receipt(), logged_receipt() or parse_receipt() gave it (its decisions
/// within bounds).
[[nodiscard]] std::vector<std::uint8_t> encode(const Receipt& receipt);
/// Versions 2 and 3; version 1 (without decisions) is refused with unsupported_version.
[[nodiscard]] Result<Receipt> parse_receipt(std::span<const std::uint8_t> in);

/// hash256("draaischijf/receipt/v3", the encoded version 3 receipt): what the hub's audit row
/// of the acceptance names (`receipt=<hex>` in its detail).
[[nodiscard]] Hash256 receipt_digest(const Receipt& receipt);
/// The record-log entry of the acceptance's audit row (docs/PROTOCOL.md 13.4):
/// hash256("draaischijf/receipt-record/v1", receipt digest ‖ the row's audit-record hash). The
/// sender rebuilds it from its receipt and the row hash the hub answers with; the hub's `audit
/// verify` from the row alone.
[[nodiscard]] Hash256 receipt_record_entry(const Hash256& receipt_digest, const Hash256& row_hash);

/// That a version 3 receipt is in the record log: its entry (receipt_record_entry) is leaf
/// `index` of the checkpoint's tree by `proof`. unsupported_version for a version 2 receipt;
/// tlog_errc::proof_malformed or proof_mismatch otherwise. The caller has verified the
/// checkpoint's signature and that it extends the one it holds.
[[nodiscard]] Result<void> check_logged(const Receipt& receipt, const Hash256& row_hash,
                                        std::uint64_t index, const note::Checkpoint& checkpoint,
                                        std::span<const merkle::Hash> proof);

}  // namespace draaischijf::protocol
