#pragma once

// The value types of the client library: what callers compose, and what the directory, the
// outbox, the inbox and the administration hand back. Plain data, no I/O; the parts that
// produce them are in directory.hpp, outbox.hpp, inbox.hpp, administration.hpp (the consent
// registry's records, Consent and Disclosure, are in consent_registry.hpp).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/policies/record.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/receipt.hpp>

namespace draaischijf::client {

/// A file to send as an attachment: encrypted and uploaded as it is read, never held whole.
struct AttachmentFile {
  protocol::DataCategory category = protocol::DataCategory::verslag;
  std::filesystem::path path;
  std::string media_type = "application/octet-stream";
  std::string file_name;  // as the recipient sees it; the path's file name when empty
};

/// An attachment encrypted and uploaded before its message is sent (upload_attachment in
/// outbox.hpp): the blob's descriptor, with the key only the envelope will carry, and the
/// data category the message names it under. Move-only: the key wipes itself.
struct UploadedAttachment {
  protocol::DataCategory category = protocol::DataCategory::verslag;
  protocol::AttachmentDescriptor descriptor;
};

/// Progress of one attachment on its way up or down, in ciphertext bytes.
struct TransferProgress {
  std::string_view file_name;
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  bool upload = true;
};
using ProgressCallback = std::function<void(const TransferProgress&)>;

/// What the sender composes. Categories on the outer label are derived from the fragments and
/// the attachments.
struct Composition {
  protocol::MessageKind kind = protocol::MessageKind::signaal;
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  std::vector<protocol::Id> recipients;  // mailbox ids
  protocol::Id consent_reference{};
  /// The organisation's own reference for the pupil the message is about (a dossier number):
  /// the library derives the pseudonym with the organisation's pupil key (protocol/pupil.hpp).
  /// Empty: no pupil, or, for a reply, the pupil of the message replied to.
  std::string pupil;
  /// Circumstances the sender attests (docs/POLICY.md 3); the hub audits them.
  policies::FlagSet attestations;
  /// Ids of second approvals the hub holds for exactly this message
  /// (Outbox::approve_message); the library fetches them and carries them inside the envelope.
  std::vector<protocol::Id> approvals;
  /// Zero: a fresh random id. Set: the id a second approval was given for (never reused).
  protocol::Id message_id{};
  /// Zero: a fresh random thread (or the replied message's). Set: the thread an approval was
  /// given for, since the approval's content hash covers it.
  protocol::Id thread_id{};
  /// A reply names the received message (mailbox, hub sequence) it answers: the thread and the
  /// previous envelope's hash come from it.
  std::optional<std::pair<protocol::Id, std::int64_t>> reply_to;
  std::vector<protocol::Fragment> fragments;
  std::vector<AttachmentFile> attachments;
};

/// The policy pre-check's answer. Without a check installed every composition passes here; the
/// hub checks again on the labels.
struct PolicyVerdict {
  bool allowed = false;
  std::vector<std::string> reasons;      // why, and the way forward, for people
  std::optional<PolicyRefusal> refusal;  // the engine's decision, when it made one
};
using PolicyCheck =
    std::function<PolicyVerdict(const protocol::OuterHeader& labels, const Composition& draft)>;

struct SendResult {
  protocol::Id message_id{};
  std::int64_t hub_sequence = 0;
  std::int64_t received_at_ms = 0;
  bool duplicate = false;  // the hub had it already (a retried send)
  /// What the hub signed it decided, per recipient mailbox in the envelope's order: the rules,
  /// the legal basis and the approvers it let each have the message on, under this rule set.
  /// The hub-signed receipt itself is kept with the send in the local state.
  std::string rule_set_version;
  std::vector<protocol::ReceiptDecision> decisions;
  /// The team's Sent folder the message was also sealed to (the organisation's general
  /// mailbox, docs/PROTOCOL.md 7.9); none when the organisation has no accepting one.
  std::optional<protocol::Id> team_copy;
};

/// One message in the local inbox.
struct InboxEntry {
  protocol::Id mailbox_id{};
  std::int64_t sequence = 0;
  protocol::Id message_id{};
  std::int64_t received_at_ms = 0;
  protocol::Id sender_org{};
  std::string sender_org_name;
  protocol::Id sender_device{};
  std::string sender_role;
  std::string kind;
  protocol::CategorySet categories;
  std::vector<std::string> flags;  // gap:N, replay, out-of-order, conflict, created_after_receipt,
                                   // thread_gap
  std::string problem;             // why it was refused; empty when it verified
  bool read = false;
};

/// What a stored message is about, from its signed inner part (Inbox::topic): the thread and
/// the pupil. Plaintext: kept in memory by whoever asks, never written to disk by the library.
struct MessageTopic {
  protocol::Id thread_id{};
  protocol::Hash256 pupil_pseudonym{};  // the outer label; zero when it names no pupil
  std::string pupil_reference;          // the pupil as the binding inside names them
};

/// An attachment of a received message, as its sender signed it; the blob itself is fetched
/// with Inbox::save_attachment.
struct ReceivedAttachment {
  std::size_t index = 0;  // into opened.attachments
  protocol::DataCategory category = protocol::DataCategory::verslag;
  std::string media_type;
  std::string file_name;  // as the sender named it: never use it as a path unchecked
  std::uint64_t size = 0;
};

struct ReadMessage {
  InboxEntry entry;
  protocol::OpenedEnvelope opened;
  /// The fragments people read: opened.fragments without the attachment references.
  std::vector<const protocol::FragmentView*> fragments;
  std::vector<ReceivedAttachment> attachments;
  std::vector<std::uint8_t> envelope;  // as received, for archives (its body is an age file)
};

/// A queued message its sender's CLB took back: the consent it was sent under was revoked
/// before the recipient fetched it. Its content never reaches the recipient.
using Withdrawal = policies::Withdrawal;

struct SyncReport {
  std::size_t mailboxes = 0;
  std::size_t new_messages = 0;
  std::size_t refused = 0;  // of the new ones: stored with their problem, never shown as content
  std::vector<InboxEntry> arrived;    // the new ones, in the order they were stored
  std::vector<Withdrawal> withdrawn;  // taken back before this device fetched them
};

/// How long Inbox::follow runs, and how it waits.
struct FollowOptions {
  /// Asked between waits: false ends follow() (a CLI's SIGINT, a service's shutdown).
  std::function<bool()> keep_going = [] { return true; };
  /// The longest a wait for a notification lasts before keep_going is asked again.
  std::chrono::milliseconds wait{500};
  /// Reconnection backoff after the stream was lost: doubled from first to max.
  std::chrono::milliseconds first_delay{200};
  std::chrono::milliseconds max_delay{10000};
  /// A hub that answers 429 or 503 with a Retry-After is not asked again before it, up to
  /// this much (a hub cannot silence the device for longer).
  std::chrono::seconds longest_retry_after{300};
  /// Waits between tries. Empty: a real wait on the steady clock, cut short when keep_going
  /// turns false. A test puts a recorder here to see the waits without sleeping.
  std::function<void(std::chrono::milliseconds)> pause;
  /// Told once of each withdrawal the stream announces: of a message queued for one of this
  /// device's mailboxes, or of one its organisation sent.
  std::function<void(const Withdrawal&)> on_withdrawn = [](const Withdrawal&) {};
};

struct DeliveryState {
  protocol::Id mailbox_id{};
  std::string state;  // queued, delivered, read, withdrawn
};

/// A message the team sent, as `Inbox::sent` lists it: from this device's own record of its
/// sends and from the copies in the team's Sent folder (docs/PROTOCOL.md 7.9) this device
/// received, each with its recipients' delivery states as the hub reports them now.
struct SentEntry {
  protocol::Id message_id{};
  std::string kind;
  std::int64_t received_at_ms = 0;  // when the hub stored it, by the hub's receipt
  protocol::Id sender_device{};     // zero for this device's own sends
  bool by_this_device = false;
  std::vector<DeliveryState> recipients;
};

struct DirectoryOrganisation {
  protocol::Id org_id{};
  std::string type;
  std::string name;
  bool trusted = false;  // the hub's key equals the pinned one
  std::string fingerprint;
  // Where it works and what it offers (protocol/directory_vocabulary.hpp names): from the
  // operator's signed directory bundle this device imported last when it lists the
  // organisation (`region_signed`), else the hub's word.
  std::string province{};  // empty: not recorded
  std::string municipality{};
  std::vector<std::string> offers{};
  std::optional<protocol::Id> clb{};  // a school's own CLB
  bool region_signed = false;
};

/// A directory search: every field that is not empty must match (names as in
/// protocol/directory_vocabulary.hpp and vocabulary.hpp; the municipality in any case).
struct DirectoryFilter {
  std::string type;
  std::string province;
  std::string municipality;
  std::string offer;
};

struct DirectoryMailbox {
  protocol::Id mailbox_id{};
  protocol::Id org_id{};
  std::string name;
  std::uint32_t epoch = 0;
  bool accepting = true;
  protocol::MailboxFunction function;  // the staff role it serves, as its organisation signed
  std::uint64_t valid_until = 0;       // the current epoch's not_after, seconds
};

/// A second approval this device signed and the hub now holds.
struct GivenApproval {
  protocol::Id approval_id{};
  protocol::Id message_id{};
  protocol::Id thread_id{};  // the sender must send in exactly this thread
  std::string role;          // the approving role, as this device's certificate says
  protocol::Id person{};     // the approver's staff id, as this device's certificate says
  protocol::CategorySet categories;
  protocol::Hash256 content_hash{};
};

/// Whether send() checks the policy before encrypting.
struct PolicyCheckStatus {
  bool enabled = false;  // false: no operator policy key is pinned; only the hub checks
  std::string version;   // the rule set's version when enabled
};

struct PendingDevice {
  protocol::Id device_id{};
  std::string role;         // the role it claims (its client certificate), as the hub relays it
  std::string fingerprint;  // device_fingerprint of the keys and role it asks to have certified
  // The person it says it belongs to (the staff id of that person's other devices), as the hub
  // relays it; not covered by the fingerprint: the person confirms it when reading that out.
  std::optional<protocol::Id> claimed_person{};
  // What the organisation's verified certificates say of that person: the role its enrolled
  // devices have and how many there are (0: nobody enrolled has that staff id).
  std::string claimed_person_role{};
  std::size_t claimed_person_devices = 0;
};

/// An enrolled device of the admin's own organisation, from its verified certificate.
struct OrganisationDevice {
  protocol::Id device_id{};
  protocol::Id person{};  // the staff id certified for it: one per person, on each of its devices
  std::string role;
};

/// Whose device an enrolment certifies. Four-eyes compares persons, so a second device of a
/// person must get that person's staff id; the device's own word on it is not asked.
class Person {
 public:
  /// A person already certified on an enrolled device of the organisation.
  [[nodiscard]] static Person existing(const protocol::Id& staff_id) noexcept {
    return Person{staff_id};
  }
  /// Someone without a device yet: the admin's client draws a fresh staff id.
  [[nodiscard]] static Person new_person() noexcept { return Person{std::nullopt}; }
  [[nodiscard]] const std::optional<protocol::Id>& staff_id() const noexcept { return staff_id_; }

 private:
  explicit Person(std::optional<protocol::Id> staff_id) noexcept : staff_id_(staff_id) {}
  std::optional<protocol::Id> staff_id_;
};

/// "leren_en_studeren,contact": the category names, comma separated.
[[nodiscard]] std::string categories_text(protocol::CategorySet categories);

}  // namespace draaischijf::client
