#pragma once

// A device at work: the daily operations of CLB, school and partner software on top of one
// profile. Every key, device and epoch the hub serves is verified against the pinned
// organisation keys before use; envelopes are sealed on the device and opened on the device.
//
//   auto profile = Profile::open(dir).value();
//   auto client = Client::open(profile, Unlock::with_key_file(key).value()).value();
//   client.send({.kind = MessageKind::signaal, .recipients = {onthaal}, .fragments = ...});
//   client.sync();                       // fetch, verify, store; tells the hub "delivered"
//   for (auto& m : client.inbox(true).value()) { auto opened = client.read(m.mailbox_id, ...); }

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/hub_connection.hpp>
#include <draaischijf/client/key_store.hpp>
#include <draaischijf/client/profile.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/policies/consent_json.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/envelope.hpp>

namespace draaischijf::client {

/// A file to send as an attachment: encrypted and uploaded as it is read, never held whole.
struct AttachmentFile {
  protocol::DataCategory category = protocol::DataCategory::verslag;
  std::filesystem::path path;
  std::string media_type = "application/octet-stream";
  std::string file_name;  // as the recipient sees it; the path's file name when empty
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
  protocol::Hash256 pupil_pseudonym{};
  /// Circumstances the sender attests (docs/POLICY.md 3); the hub audits them.
  policies::FlagSet attestations;
  /// Ids of second approvals the hub holds for exactly this message (Client::approve).
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
  std::vector<std::string> flags;  // gap:N, replay, out-of-order
  std::string problem;             // why it was refused; empty when it verified
  bool read = false;
};

/// An attachment of a received message, as its sender signed it; the blob itself is fetched
/// with Client::save_attachment.
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
struct Withdrawal {
  protocol::Id mailbox_id{};  // the recipient mailbox it was queued in
  std::int64_t sequence = 0;
  protocol::Id message_id{};
};

struct SyncReport {
  std::size_t mailboxes = 0;
  std::size_t new_messages = 0;
  std::size_t refused = 0;  // of the new ones: stored with their problem, never shown as content
  std::vector<InboxEntry> arrived;    // the new ones, in the order they were stored
  std::vector<Withdrawal> withdrawn;  // taken back before this device fetched them
};

/// How long Client::follow runs, and how it waits.
struct FollowOptions {
  /// Asked between waits: false ends follow() (a CLI's SIGINT, a service's shutdown).
  std::function<bool()> keep_going = [] { return true; };
  /// The longest a wait for a notification lasts before keep_going is asked again.
  std::chrono::milliseconds wait{500};
  /// Reconnection backoff after the stream was lost: doubled from first to max.
  std::chrono::milliseconds first_delay{200};
  std::chrono::milliseconds max_delay{10000};
  /// Told once of each withdrawal the stream announces: of a message queued for one of this
  /// device's mailboxes, or of one its organisation sent.
  std::function<void(const Withdrawal&)> on_withdrawn = [](const Withdrawal&) {};
};

struct DeliveryState {
  protocol::Id mailbox_id{};
  std::string state;  // queued, delivered, read, withdrawn
};

struct DirectoryOrganisation {
  protocol::Id org_id{};
  std::string type;
  std::string name;
  bool trusted = false;  // the hub's key equals the pinned one
  std::string fingerprint;
};

struct DirectoryMailbox {
  protocol::Id mailbox_id{};
  protocol::Id org_id{};
  std::string name;
  std::uint32_t epoch = 0;
  bool accepting = true;
};

/// A consent record the CLB registered with the hub.
struct Consent {
  protocol::Id consent_id{};
  policies::ConsentEntry entry;  // entry.record.revoked once revoked
  std::int64_t registered_at_ms = 0;
  protocol::Id registered_by{};  // the registering device
  std::optional<std::int64_t> revoked_at_ms;
};

/// One line of the hub's disclosure register: a message about the pupil that was allowed out.
struct Disclosure {
  std::int64_t at_ms = 0;
  protocol::Id message_id{};
  std::string sender_staff;
  std::string sender_role;
  protocol::Id recipient_org{};
  protocol::Id recipient_mailbox{};
  std::string kind;
  std::string purpose;
  std::string categories;   // comma separated
  std::string legal_basis;  // consent:ID or rule:IDS
  std::string rule_ids;
  std::string policy_version;
  std::string approved_by;  // the staff ids of counted second approvals
};

/// A second approval this device signed and the hub now holds.
struct GivenApproval {
  protocol::Id approval_id{};
  protocol::Id message_id{};
  protocol::Id thread_id{};  // the sender must send in exactly this thread
  std::string role;          // the approving role, as this device's certificate says
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
  protocol::Id staff_id{};
  std::string role;
  std::string fingerprint;  // device_fingerprint of the keys it asks to have certified
};

class Client {
 public:
  [[nodiscard]] static protocol::Result<Client> open(const Profile& profile, const Unlock& unlock,
                                                     RetryPolicy retry = {});
  /// For tests that put a stand-in between the client and the hub.
  [[nodiscard]] static protocol::Result<Client> open_with(const Profile& profile,
                                                          DeviceSecrets secrets,
                                                          std::unique_ptr<HubTransport> hub);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  [[nodiscard]] const DeviceSecrets& device() const noexcept;
  [[nodiscard]] const TrustFile& trust() const noexcept;
  /// The hub's problem document behind the last client_errc::hub_refused, policy_refused (also
  /// of the pre-check: status 0) or consent_invalid.
  [[nodiscard]] const HubProblem& last_problem() const noexcept;
  /// A check of your own before the engine's pre-check (tests, stricter local rules).
  void set_policy_check(PolicyCheck check);
  /// send()'s pre-check with the hub's rule set: fetched once (GET /v1/policy) and used only if
  /// it verifies against the operator key pinned in the trust file (policy_untrusted if not).
  /// Without a pinned key it is off and only the hub checks. send() loads it by itself; call
  /// this to learn beforehand.
  [[nodiscard]] protocol::Result<PolicyCheckStatus> policy_check_status();
  /// Called as attachments go up (send) and come down (save_attachment).
  void set_progress(ProgressCallback progress);

  // Directory, verified.
  [[nodiscard]] protocol::Result<std::vector<DirectoryOrganisation>> organisations();
  [[nodiscard]] protocol::Result<std::vector<DirectoryMailbox>> mailboxes(const protocol::Id& org);
  /// The device's certificate as the hub serves it, verified against its organisation's key.
  [[nodiscard]] protocol::Result<protocol::DeviceCertificate> device_certificate(
      const protocol::Id& device_id);
  /// The mailbox's current epoch certificate, verified.
  [[nodiscard]] protocol::Result<protocol::MailboxEpochCertificate> mailbox_certificate(
      const protocol::Id& mailbox_id);
  /// Pins an organisation's key after comparing the hub's key with `expected_fingerprint`.
  [[nodiscard]] protocol::Result<void> pin_organisation(const protocol::Id& org_id,
                                                        std::string_view expected_fingerprint);
  /// Pins the hub operator's policy key (from the operator, out of band): from now on send()
  /// checks the policy with the rule set it signed.
  [[nodiscard]] protocol::Result<void> pin_policy_key(const protocol::SigningPublicKey& key);

  // Messages.
  /// Refused before anything is encrypted when the pre-check says no, and by the hub when its
  /// policy does (both client_errc::policy_refused, with last_problem().policy).
  [[nodiscard]] protocol::Result<SendResult> send(Composition composition);
  /// Second approval, on the approving colleague's device: signs the composition the sender
  /// will send with this device's key and hands it to the hub. Its message_id should be the one
  /// the sender's refusal named (PolicyRefusal::message_id; drawn when zero), its thread_id
  /// likewise (drawn when zero); both are returned, and the sender sends with them and the
  /// approval id. Text fragments only (approval_unsupported with attachments).
  [[nodiscard]] protocol::Result<GivenApproval> approve(Composition composition);
  [[nodiscard]] protocol::Result<SyncReport> sync();
  [[nodiscard]] protocol::Result<std::vector<InboxEntry>> inbox(bool unread_only);
  /// Keeps the local inbox current until options.keep_going() says stop: catches up by cursor,
  /// then listens on the hub's notification stream (/v1/stream) and syncs when a message
  /// arrives. A lost stream or a restarted hub is met with reconnection (backoff) and another
  /// catch-up, so no message is missed; messages are stored once by mailbox and sequence, so
  /// none is shown twice. `on_sync` sees every sync that stored something.
  [[nodiscard]] protocol::Result<void> follow(const std::function<void(const SyncReport&)>& on_sync,
                                              const FollowOptions& options = {});
  /// Opens and verifies a stored message, marks it read and, when the organisation allows read
  /// receipts, tells the hub.
  [[nodiscard]] protocol::Result<ReadMessage> read(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence);
  /// Fetches attachment `index` of a stored message, decrypting it into `target` as it
  /// arrives; `target` appears only once the blob verified (FINAL chunk, size and the hash the
  /// sender signed). Returns the plaintext size.
  [[nodiscard]] protocol::Result<std::uint64_t> save_attachment(
      const protocol::Id& mailbox_id, std::int64_t sequence, std::size_t index,
      const std::filesystem::path& target);
  /// Records the read acknowledgement without opening (for software that processed it).
  [[nodiscard]] protocol::Result<void> acknowledge(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence);
  [[nodiscard]] protocol::Result<std::vector<DeliveryState>> status(const protocol::Id& message_id);

  // Consent and the disclosure register (CLB devices; docs/POLICY.md 2).
  /// Registers the record; the hub checks it (consent_invalid with last_problem().issues) and
  /// gives it its id.
  [[nodiscard]] protocol::Result<protocol::Id> register_consent(
      const policies::ConsentEntry& entry);
  [[nodiscard]] protocol::Result<std::vector<Consent>> consents(const protocol::Hash256& pupil);
  [[nodiscard]] protocol::Result<Consent> consent(const protocol::Id& consent_id);
  /// Revokes from now on; returns the messages still queued under it, which the hub withdrew.
  [[nodiscard]] protocol::Result<std::vector<Withdrawal>> revoke_consent(
      const protocol::Id& consent_id);
  [[nodiscard]] protocol::Result<std::vector<Disclosure>> disclosures(
      const protocol::Hash256& pupil);
  /// Resolves the CLI's short reference: a hub sequence unique in the local inbox.
  [[nodiscard]] protocol::Result<InboxEntry> find(std::int64_t sequence);

  // Enrolment and administration.
  [[nodiscard]] protocol::Result<void> request_enrolment();
  [[nodiscard]] protocol::Result<std::vector<PendingDevice>> pending_enrolments();
  /// Signs the device certificate after comparing the fingerprint, then adds the device to
  /// `mailboxes` (a new epoch each, so it can read their whole history).
  [[nodiscard]] protocol::Result<void> approve(const protocol::Id& device_id,
                                               std::string_view expected_fingerprint,
                                               const std::vector<protocol::Id>& mailboxes);
  /// Removes the device and rotates every mailbox of the organisation it was a member of.
  [[nodiscard]] protocol::Result<std::vector<protocol::Id>> remove_member(
      const protocol::Id& device_id);
  /// Rotates a mailbox to a new epoch with `members` (its current members when empty).
  [[nodiscard]] protocol::Result<std::uint32_t> rotate(const protocol::Id& mailbox_id,
                                                       std::vector<protocol::Id> members = {});
  /// The mailbox's age identity for one epoch (AGE-SECRET-KEY-1...), for archives.
  [[nodiscard]] protocol::Result<protocol::age::X25519Identity> export_mailbox_key(
      const protocol::Id& mailbox_id, std::uint32_t epoch);

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

[[nodiscard]] std::string categories_text(protocol::CategorySet categories);

}  // namespace draaischijf::client
