#pragma once

// Where accepted envelopes live: the envelope, one queue entry per recipient mailbox, the
// grants of the attachment blobs it lists to those mailboxes and an audit row, written in one
// transaction through the group-commit writer. The same transaction checks every recipient
// against the directory (the mailbox exists and the envelope is sealed to its current epoch) and
// against the mailbox quota, and every listed blob against the blobs the sending device
// uploaded, so a rotation, a full mailbox or a swept blob can never slip in between the check
// and the store. Every read is scoped by mailbox, so a caller that
// checked the device's membership can never reach another mailbox's messages.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/store/referral_store.hpp>
#include <draaischijf/server/store/retention.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

enum class store_errc {
  message_id_taken = 1,  // the id is stored already, under another sender organisation
  not_found,
  overloaded,
  mailbox_full,     // the recipient mailbox's quota would be exceeded
  mailbox_held,     // a member was removed and the mailbox has not been rotated yet
  consent_revoked,  // the consent the decision rested on was revoked before the message was stored
  decisions_invalid,  // the policy's decisions do not fit a receipt (rule set version too long)
  blob_unknown,  // a listed attachment blob is missing or was not uploaded by the sending device
  expired,       // the entry was not acknowledged in time and left the queue (retention)
  purged,        // the ciphertext was deleted after every recipient had it (retention)
  recipient_removed,  // a recipient mailbox's organisation was removed by the operator
  sender_removed,     // the sending organisation was removed while its device was connected
};

[[nodiscard]] const boost::system::error_category& store_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(store_errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

/// One policy decision about one recipient mailbox, with the fields NEN 7513 asks of a log
/// entry (the event, time, organisation and message are the row's own). Never content.
struct PolicyRecord {
  protocol::Id recipient_org{};
  protocol::Id recipient_mailbox{};
  std::string outcome;         // allow, deny, needs_consent, needs_second_approval
  std::string user;            // the sender's staff id (hex)
  std::string role;            // the sender's role
  std::string on_behalf_of;    // the approvers' staff ids, comma separated; "" without
  std::string legal_basis;     // "consent:<id>,..." or "rule:<ids>" for a route without consent
  std::string rule_ids;        // the deciding rules, comma separated
  std::string policy_version;  // the rule set's version
  std::string kind;            // the message kind, purpose and categories (vocabulary names)
  std::string purpose;
  std::string categories;
  /// The copy for the sender's own team (its Sent folder, docs/POLICY.md R37): on record like
  /// every decision, but no disclosure to anyone, so not in the disclosure register.
  bool own_team_copy = false;
};

struct Submission {
  protocol::Id message_id{};
  protocol::Id sender_org{};
  protocol::Id sender_device{};
  protocol::MessageKind kind = protocol::MessageKind::signaal;
  /// From the outer labels: with the kind, they choose the retention periods stored with it.
  protocol::CategorySet categories;
  std::vector<protocol::RecipientMailbox> recipients;
  std::vector<std::uint8_t> envelope;
  std::int64_t received_at_ms = 0;
  /// From the outer labels; zero when the envelope names none. Kept so that revoking a
  /// consent can withdraw what still waits under it.
  protocol::Id consent_reference{};
  protocol::Hash256 pupil_pseudonym{};
  /// One allow per recipient mailbox: logged in the same transaction as the envelope, entered
  /// in the disclosure register when the message is about a pupil, and kept with the envelope
  /// as the receipt names them (a stored envelope always has them).
  std::vector<PolicyRecord> decisions;
  /// Set when the decision rested on the consent reference: the transaction checks that the
  /// consent is still unrevoked, so a revocation holds for the very next request.
  bool rests_on_consent = false;
  /// From the outer labels: the attachment blobs the envelope names. Each must be one the
  /// sending device uploaded (else store_errc::blob_unknown, nothing stored); storing grants it
  /// to every recipient mailbox, the only way a blob becomes downloadable for a mailbox.
  std::vector<protocol::Id> blobs;
  /// From the outer labels: a signaal to a CLB opens a case in the storing transaction, urgent
  /// for purpose verontrusting or a concern attestation (policies/case_states.hpp).
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  std::uint32_t attestations = 0;
  /// Set for a doorverwijzing or consultatie: the same transaction records one referral in
  /// state `sent` per recipient organisation, with these partner targets.
  std::optional<ReferralDue> referral;
};

/// One queue entry taken back because the consent it was sent under was revoked (its wire
/// form: policies/record_json.hpp).
using Withdrawal = policies::Withdrawal;

/// What the hub signs into a receipt.
struct Accepted {
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
  protocol::Hash256 envelope_hash{};
  bool duplicate = false;                // a replay: these are the original's values
  std::vector<protocol::Id> near_quota;  // recipient mailboxes above the warning threshold
  /// The policy's decisions as stored with the envelope; for a replay, the original's.
  protocol::ReceiptDecisions decided;
  /// A replay of an envelope stored before decisions were kept with it (schema version 8):
  /// `decided` is the verdict on the replay, not the original's, and is logged as such.
  bool decided_now = false;
  /// Where the acceptance's audit row is in the record log, its entry made from the version 3
  /// receipt (docs/PROTOCOL.md 13.4); none for an envelope stored before receipts were logged.
  struct Logged {
    std::uint64_t record_index = 0;
    protocol::Hash256 row_hash{};  // the row's audit-record hash, the entry's second half
  };
  std::optional<Logged> logged;
};

/// Why a submission was refused, when it was about one recipient mailbox.
struct Refusal {
  boost::system::error_code error;
  protocol::Id mailbox{};  // the stale, unknown or full mailbox; zero otherwise
};

/// For result<T, Refusal>::value() on a refusal (found by argument-dependent lookup).
[[noreturn]] inline void throw_exception_from_error(const Refusal& refusal,
                                                    const boost::source_location& location) {
  boost::system::throw_exception_from_error(refusal.error, location);
}

struct QueueEntry {
  std::int64_t sequence = 0;
  protocol::Id message_id{};
  protocol::Id sender_org{};
  std::int64_t received_at_ms = 0;
  std::int64_t size = 0;
  std::string state;  // queued, delivered, withdrawn, expired
};

/// One envelope of a batch (GET /v1/mailboxes/{id}/envelopes): its queue sequence and bytes.
struct QueuedEnvelope {
  std::int64_t sequence = 0;
  std::vector<std::uint8_t> body;
};

struct MailboxLimits {
  std::int64_t mailbox_quota_bytes = std::int64_t{1} << 30;  // queued, undelivered bytes
  double warning_fraction = 0.8;
};

/// The message store as the routes see it: a second backend (PostgreSQL) implements this.
/// Every change runs on the store's writer and calls `done` after its commit; it returns false
/// when the writer's queue is full (nothing stored, `done` not called).
class MessageStore {
 public:
  using SubmitDone = std::function<void(boost::system::result<Accepted, Refusal>)>;
  using Done = std::function<void(sqlite::Result<void>)>;
  using WithdrawDone = std::function<void(sqlite::Result<std::vector<Withdrawal>>)>;
  enum class Acknowledgement { delivered, read };

  virtual ~MessageStore() = default;

  /// Stores the envelope, its queue entries and an audit row in one transaction. `done` runs
  /// after COMMIT. false when the writer's queue is full (nothing stored, `done` not called).
  [[nodiscard]] virtual bool submit(Submission submission, SubmitDone done) = 0;

  /// Marks the entry delivered, or read (which implies delivered), with an audit row; both are
  /// idempotent. A delivered entry stops counting to the quota.
  [[nodiscard]] virtual bool acknowledge(const protocol::Id& mailbox_id, std::int64_t sequence,
                                         const protocol::Id& device_id, std::int64_t at_ms,
                                         Acknowledgement what, Done done) = 0;

  /// Withdraws every queued, undelivered entry of the envelopes `sender_org` sent under
  /// `consent_id`, with an audit row each; delivered ones stay (they have left the hub).
  /// Recipients then see them as withdrawn and cannot fetch them; the sender's delivery status
  /// says withdrawn. `done` gets what was withdrawn, after COMMIT.
  [[nodiscard]] virtual bool withdraw_under_consent(const protocol::Id& consent_id,
                                                    const protocol::Id& sender_org,
                                                    std::int64_t at_ms, WithdrawDone done) = 0;

  /// Logs a refused submission's decisions (nothing else is stored); `done` runs after COMMIT,
  /// so the refusal is on record before it is answered.
  [[nodiscard]] virtual bool record_refusal(const Submission& refused, Done done) = 0;

  /// Entries of one mailbox with a sequence above `after`, oldest first.
  [[nodiscard]] virtual sqlite::Result<std::vector<QueueEntry>> list(const protocol::Id& mailbox_id,
                                                                     std::int64_t after,
                                                                     std::size_t limit) = 0;
  /// The envelope bytes, only through a mailbox it was queued for.
  [[nodiscard]] virtual sqlite::Result<std::vector<std::uint8_t>> fetch(
      const protocol::Id& mailbox_id, std::int64_t sequence) = 0;
  /// The envelopes of one mailbox's entries above `after` that can be fetched (not withdrawn,
  /// expired or purged), oldest first: at most `limit`, and after the first no more than
  /// `max_bytes` of envelopes in all.
  [[nodiscard]] virtual sqlite::Result<std::vector<QueuedEnvelope>> fetch_after(
      const protocol::Id& mailbox_id, std::int64_t after, std::size_t limit,
      std::size_t max_bytes) = 0;
  /// Per recipient mailbox: its state (queued, delivered, read, withdrawn), for the sender
  /// organisation only.
  [[nodiscard]] virtual sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>>
  delivery_status(const protocol::Id& message_id, const protocol::Id& sender_org) = 0;
  /// When the envelope's ciphertext was deleted (retention); nullopt while the hub holds it.
  /// For the sender organisation only (else not_found).
  [[nodiscard]] virtual sqlite::Result<std::optional<std::int64_t>> purged_at(
      const protocol::Id& message_id, const protocol::Id& sender_org) = 0;
  [[nodiscard]] virtual sqlite::Result<std::int64_t> audit_count(std::string_view event) = 0;
};

/// The SQLite message store on the hub's Storage.
class SqliteMessageStore final : public MessageStore {
 public:
  using Limits = MailboxLimits;

  /// `retention` chooses the periods stored with each envelope (store/retention.hpp).
  explicit SqliteMessageStore(std::shared_ptr<Storage> storage, Limits limits = {},
                              RetentionPolicy retention = {})
      : storage_(std::move(storage)), limits_(limits), retention_(std::move(retention)) {}

  /// Stores the envelope, its queue entries and an audit row in one transaction. `done` runs
  /// after COMMIT. false when the writer's queue is full (nothing stored, `done` not called).
  [[nodiscard]] bool submit(Submission submission, SubmitDone done) override;

  /// Replaces the retention policy (a reload, SIGHUP): envelopes stored from now on get its
  /// periods; those stored before keep the periods fixed with them.
  void set_retention(RetentionPolicy retention) {
    const std::lock_guard lock(retention_mutex_);
    retention_ = std::move(retention);
  }

  /// Marks the entry delivered, or read (which implies delivered), with an audit row; both are
  /// idempotent. A delivered entry stops counting to the quota.
  [[nodiscard]] bool acknowledge(const protocol::Id& mailbox_id, std::int64_t sequence,
                                 const protocol::Id& device_id, std::int64_t at_ms,
                                 Acknowledgement what, Done done) override;

  /// Withdraws every queued, undelivered entry of the envelopes `sender_org` sent under
  /// `consent_id`, with an audit row each; delivered ones stay (they have left the hub).
  /// Recipients then see them as withdrawn and cannot fetch them; the sender's delivery status
  /// says withdrawn. `done` gets what was withdrawn, after COMMIT.
  [[nodiscard]] bool withdraw_under_consent(const protocol::Id& consent_id,
                                            const protocol::Id& sender_org, std::int64_t at_ms,
                                            WithdrawDone done) override;

  /// Logs a refused submission's decisions (nothing else is stored); `done` runs after COMMIT,
  /// so the refusal is on record before it is answered.
  [[nodiscard]] bool record_refusal(const Submission& refused, Done done) override;

  /// Entries of one mailbox with a sequence above `after`, oldest first.
  [[nodiscard]] sqlite::Result<std::vector<QueueEntry>> list(const protocol::Id& mailbox_id,
                                                             std::int64_t after,
                                                             std::size_t limit) override;
  /// The envelope bytes, only through a mailbox it was queued for.
  [[nodiscard]] sqlite::Result<std::vector<std::uint8_t>> fetch(const protocol::Id& mailbox_id,
                                                                std::int64_t sequence) override;
  [[nodiscard]] sqlite::Result<std::vector<QueuedEnvelope>> fetch_after(
      const protocol::Id& mailbox_id, std::int64_t after, std::size_t limit,
      std::size_t max_bytes) override;
  /// Per recipient mailbox: its state (queued, delivered, read, withdrawn), for the sender
  /// organisation only.
  [[nodiscard]] sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>> delivery_status(
      const protocol::Id& message_id, const protocol::Id& sender_org) override;
  [[nodiscard]] sqlite::Result<std::optional<std::int64_t>> purged_at(
      const protocol::Id& message_id, const protocol::Id& sender_org) override;
  [[nodiscard]] sqlite::Result<std::int64_t> audit_count(std::string_view event) override;

  [[nodiscard]] const GroupCommitWriter& writer() const { return storage_->writer(); }

 private:
  [[nodiscard]] static sqlite::Result<void> mark_delivered(sqlite::Database& db,
                                                           const protocol::Id& mailbox_id,
                                                           std::int64_t sequence,
                                                           const protocol::Id& device_id,
                                                           std::int64_t at_ms);
  std::shared_ptr<Storage> storage_;
  Limits limits_;
  mutable std::mutex retention_mutex_;  // replaced on an I/O thread, read by every submit
  RetentionPolicy retention_;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::store_errc> : std::true_type {};
}  // namespace boost::system
