#pragma once

// Envelope v3: what a sender submits to the hub and a recipient opens.
//
//   OUTER   labels the hub reads to route, check policy, grant attachments and audit (never
//           content)
//   BODY    an age v1 file with one X25519 stanza per recipient mailbox epoch key
//   INNER   the age plaintext: sender device certificate, sequence, thread link, the pupil
//           binding, fragments, attachment descriptors, the second approvals themselves, then an
//           Ed25519 signature over OUTER, the age header and INNER, then zero padding to a 4 KiB
//           multiple.
//
// Version 2 carries what version 1 left to the sender's word or the hub's honesty: the signed
// approvals (a recipient checks that the approved content is what it opened), the pupil binding
// (the outer pseudonym is checked against the pupil named inside) and each attachment's
// plaintext hash (so attachments can be approved before they are encrypted). Version 3 adds
// the attachment blob ids to the signed outer labels, so the hub grants a blob to exactly the
// mailboxes of an envelope its policy admitted (and every recipient checks the list against the
// descriptors inside). Versions 1 and 2 are refused everywhere (PROTOCOL.md 7.15 says why).
// Inner version 3 (the outer part is unchanged) ends the signed region with the sender's latest
// accepted checkpoints of the hub's transparency logs, so that two parties who write to each
// other compare the views the hub showed them (docs/TRANSPARENCY.md); inner version 2, without
// them, still opens, so stored messages stay readable.
//
// docs/PROTOCOL.md gives every byte. Parsers never throw: each refusal is a specific errc.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/protocol/secret.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

inline constexpr std::size_t kMaxRecipients = 16;
inline constexpr std::size_t kMaxApprovals = 8;
inline constexpr std::size_t kMaxFragments = 1024;
inline constexpr std::size_t kMaxAttachments = 64;
inline constexpr std::size_t kInnerPadding = 4096;
/// Gossiped checkpoints: at most one per log origin, and the hub keeps two logs.
inline constexpr std::size_t kMaxGossipedCheckpoints = 2;

struct RecipientMailbox {
  Id mailbox_id{};
  std::uint32_t epoch = 0;
  bool operator==(const RecipientMailbox&) const = default;
};

/// The part of the envelope the hub reads. Every field is covered by the sender's signature.
struct OuterHeader {
  Id message_id{};
  std::uint64_t created_at_ms = 0;  // milliseconds since the Unix epoch, UTC
  Id sender_org{};
  MessageKind kind = MessageKind::signaal;
  Purpose purpose = Purpose::begeleiding;
  CategorySet categories;
  std::uint32_t attestations = 0;  // bit n = policies::Flag n; bits >= kAttestationCount zero
  Id consent_reference{};     // zero: no consent record (an exception route or no personal data)
  Hash256 pupil_pseudonym{};  // zero: no pupil
  std::vector<Id> approvals;  // ids of second approvals the hub holds (approval.hpp), ascending
  /// The attachment descriptors' blob ids, ascending (a set, at most kMaxAttachments): the
  /// blobs the hub lets this envelope's recipient mailboxes download.
  std::vector<Id> attachments;
  std::vector<RecipientMailbox> recipients;  // in the order of the age stanzas
  Hash256 key_commitment{};
};

/// A parsed, structurally valid envelope; views point into the input.
struct ParsedEnvelope {
  OuterHeader outer;
  std::span<const std::uint8_t> outer_bytes;  // magic through body length
  std::span<const std::uint8_t> body;         // the whole age file
  std::span<const std::uint8_t> age_header;   // the age header bytes, MAC line included
  std::span<const std::uint8_t> payload;      // nonce and sealed chunks
  age::Header header;
  std::size_t inner_size = 0;  // plaintext size the payload will give
};

/// Structure only, no keys needed: what the hub checks before storing.
[[nodiscard]] Result<ParsedEnvelope> parse_envelope(std::span<const std::uint8_t> envelope);

/// The mailbox epochs a sender must use now: errc::stale_epoch when the envelope names an older
/// epoch than `current`, errc::unknown_epoch for a newer one or a mailbox not in `current`.
[[nodiscard]] Result<void> check_recipient_epochs(const OuterHeader& outer,
                                                  std::span<const RecipientMailbox> current);

struct Fragment {
  DataCategory category = DataCategory::identificatie;
  GuidanceDomain domain = GuidanceDomain::none;
  std::string media_type;  // printable ASCII, at most 255 bytes
  SecretBytes body;
};

/// How to find, decrypt and check one attachment (a separate secretstream blob).
struct AttachmentDescriptor {
  Id id{};
  SecretKey<32> key;
  std::array<std::uint8_t, 24> stream_header{};
  std::uint64_t ciphertext_size = 0;
  Hash256 ciphertext_hash{};  // BLAKE2b-256 of the ciphertext
  Hash256 plaintext_hash{};   // BLAKE2b-256 of the file itself: what an approver approves
  std::string media_type;     // printable ASCII, at most 255 bytes
  std::string file_name;      // display-safe UTF-8, at most 65535 bytes
};

struct Draft {
  /// Zero: seal() draws a fresh random id. Non-zero: the id a second approval was asked for
  /// (approval.hpp); the sender draws it with random_id() before asking and never reuses it.
  Id message_id{};
  MessageKind kind = MessageKind::signaal;
  Purpose purpose = Purpose::begeleiding;
  std::uint32_t attestations = 0;  // bit n = policies::Flag n (vocabulary.hpp)
  Id consent_reference{};
  /// The pupil the message is about (pupil.hpp): required when a fragment's category names a
  /// pupil; its pseudonym becomes the outer label.
  std::optional<PupilBinding> pupil;
  /// Encoded second approvals (approval.hpp), carried inside; their ids become the outer list.
  std::vector<std::vector<std::uint8_t>> approvals;
  Id thread_id{};  // random for a new thread: it also keeps approval content hashes unguessable
  Hash256 previous_hash{};  // the previous envelope of the thread; zero for the first
  std::vector<Fragment> fragments;
  std::vector<AttachmentDescriptor> attachments;
  /// The sender's latest accepted checkpoint of each transparency log it follows: each the
  /// signed note as the hub (and its witnesses) signed it, byte for byte (note.hpp), at most
  /// one per origin. seal() writes them sorted by origin; empty is fine (nothing accepted yet).
  std::vector<std::string> checkpoints;
};

struct Sender {
  const DeviceCertificate& certificate;
  const SigningKey& signing_key;
  std::uint64_t sequence = 0;
};

/// Seals and signs. The recipients' epoch certificates must already be verified by the caller.
/// Fails with field_out_of_range / too_many_recipients / duplicate_recipient on a bad draft
/// (field_out_of_range includes an attestation bit >= kAttestationCount and an approval that
/// does not parse), pupil_missing when a category names a pupil and the draft names none,
/// non_canonical for two approvals with one id or two attachments with one id. The outer
/// attachment list is the draft's attachment ids, sorted.
[[nodiscard]] Result<std::vector<std::uint8_t>> seal(
    const Draft& draft, const Sender& sender, std::span<const MailboxEpochCertificate> recipients,
    std::uint64_t created_at_ms);

/// As seal(), writing into `out` (replacing its contents) so a sender that seals many envelopes
/// reuses one buffer instead of faulting in fresh memory each time. On error `out` holds no
/// envelope.
[[nodiscard]] Result<void> seal_into(const Draft& draft, const Sender& sender,
                                     std::span<const MailboxEpochCertificate> recipients,
                                     std::uint64_t created_at_ms, std::vector<std::uint8_t>& out);

/// The mailbox keys a device holds, per (mailbox, epoch).
class MailboxKeyring {
 public:
  void add(const Id& mailbox_id, std::uint32_t epoch, age::X25519Identity identity);
  [[nodiscard]] const age::X25519Identity* find(const Id& mailbox_id, std::uint32_t epoch) const;
  [[nodiscard]] bool holds_mailbox(const Id& mailbox_id) const;

 private:
  std::map<std::pair<Id, std::uint32_t>, age::X25519Identity> keys_;
};

/// The organisation signing keys a device trusts (verified out of band at enrolment).
class TrustStore {
 public:
  void add(const Id& org_id, const SigningPublicKey& key) { keys_[org_id] = key; }
  [[nodiscard]] const SigningPublicKey* find(const Id& org_id) const;

 private:
  std::map<Id, SigningPublicKey> keys_;
};

struct FragmentView {
  DataCategory category = DataCategory::identificatie;
  GuidanceDomain domain = GuidanceDomain::none;
  std::string media_type;
  std::span<const std::uint8_t> body;  // into OpenedEnvelope::plaintext
};

struct OpenedEnvelope {
  OuterHeader outer;
  DeviceCertificate sender;
  std::uint64_t sequence = 0;
  Id thread_id{};
  Hash256 previous_hash{};
  std::optional<PupilBinding> pupil;  // checked against outer.pupil_pseudonym
  std::vector<FragmentView> fragments;
  std::vector<AttachmentDescriptor> attachments;
  /// The second approvals, each verified (approval.hpp) and in the outer list's order.
  std::vector<std::span<const std::uint8_t>> approvals;  // into plaintext
  /// 2 or 3 (PROTOCOL.md 7.7): version 2 carries no checkpoints.
  std::uint8_t inner_version = 0;
  /// The checkpoints the sender gossiped (Draft::checkpoints), signed notes in origin order,
  /// each a well-formed checkpoint; the hub's signature on them is the reader's to check.
  std::vector<std::string> checkpoints;
  /// The decrypted inner part. The fragment views point into it; moving the OpenedEnvelope
  /// keeps them valid (the buffer does not move).
  SecretBytes plaintext;
};

/// Decrypts and verifies everything: recipient, key commitment, header MAC, payload, sender
/// certificate against the trust store, signature, that the outer labels match the content
/// (label_mismatch), that the outer attachment list names exactly the attachment descriptors
/// inside (attachment_list_mismatch), that the pseudonym is the pupil's (pupil_mismatch), and
/// that every second approval is signed by a certified colleague of another person than the
/// sender, for these labels (approval_mismatch) and for exactly this content
/// (approval_content_mismatch).
[[nodiscard]] Result<OpenedEnvelope> open(std::span<const std::uint8_t> envelope,
                                          const MailboxKeyring& keyring, const TrustStore& trust);

/// BLAKE2b-256 naming an envelope: a reply's previous_hash, the hub's receipt. Not computed by
/// open(): hashing a large envelope costs as much as decrypting it, and only replies need it.
[[nodiscard]] Hash256 envelope_hash(std::span<const std::uint8_t> envelope);

}  // namespace draaischijf::protocol
