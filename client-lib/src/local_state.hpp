#pragma once

// The device's local state in one SQLite file: the inbox (envelopes as received, still sealed,
// with what their verification said), per-mailbox cursors, the highest epoch seen per mailbox,
// the sequence numbers seen per sending device, the device's own next sequence number, and what
// it sent with the hub's receipts. Plaintext is never stored: a message is opened again when it
// is read.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/client/transparency.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

struct sqlite3;

namespace draaischijf::client {

struct StoredMessage {
  protocol::Id mailbox_id{};
  std::int64_t sequence = 0;  // the hub's
  protocol::Id message_id{};
  std::int64_t received_at_ms = 0;
  protocol::Id sender_org{};
  protocol::Id sender_device{};
  std::string sender_role;
  std::string kind;
  std::uint32_t categories = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t sender_sequence = 0;
  std::string flags;    // space-separated: gap:N, replay, out-of-order, conflict,
                        // created_after_receipt
  std::string problem;  // why it was refused; empty when it verified
  std::vector<std::uint8_t> envelope;
  std::optional<std::int64_t> read_at_ms;
};

struct SentMessage {
  protocol::Id message_id{};
  std::string kind;
  std::int64_t hub_sequence = 0;
  std::int64_t received_at_ms = 0;
  std::string recipients;  // space-separated mailbox ids
  /// The hub's receipt (protocol/receipt.hpp): proof of what the hub stored and on which
  /// decisions. A version 2 receipt as its signed bytes; a version 3 one as the JSON object
  /// {receipt, record_index, record_row_hash, checkpoint, proof} of the hub's answer, which
  /// proves it under the hub key. Empty for a send recorded before receipts were kept.
  std::vector<std::uint8_t> receipt;
};

/// A transparency log's checkpoint this device accepted (docs/TRANSPARENCY.md): the signed note
/// as the hub served it, and its size and root as parsed when it was accepted.
struct AcceptedCheckpoint {
  std::string note;
  std::uint64_t size = 0;
  std::array<std::uint8_t, 32> root{};
};

/// A split view caught by gossip, kept as evidence (transparency.hpp); never removed.
using LogForkEvidence = LogFork;

class LocalState {
 public:
  [[nodiscard]] static protocol::Result<LocalState> open(const std::filesystem::path& path);
  LocalState(LocalState&&) noexcept;
  LocalState& operator=(LocalState&&) noexcept;
  ~LocalState();

  /// The sequence number for the next envelope, made durable before it is returned so that a
  /// crash can never make the device use one twice.
  [[nodiscard]] protocol::Result<std::uint64_t> take_sequence();

  [[nodiscard]] protocol::Result<std::int64_t> cursor(const protocol::Id& mailbox_id);
  [[nodiscard]] protocol::Result<void> set_cursor(const protocol::Id& mailbox_id,
                                                  std::int64_t after);
  /// Records the epoch and answers false when a higher one was seen before (a rollback).
  [[nodiscard]] protocol::Result<bool> observe_epoch(const protocol::Id& mailbox_id,
                                                     std::uint32_t epoch);

  /// The flags for a sender's sequence number, recording it.
  [[nodiscard]] protocol::Result<std::string> check_sender_sequence(const protocol::Id& device_id,
                                                                    std::uint64_t sequence,
                                                                    const protocol::Id& message_id);

  /// Stores a received message and moves the mailbox's cursor to its sequence in one
  /// transaction; false when the message was already stored (the same envelope under the same
  /// message id, or the same hub sequence: it is never stored twice). Another envelope under a
  /// message id stored already is kept too, and every copy is flagged `conflict`.
  [[nodiscard]] protocol::Result<bool> store(const StoredMessage& message);
  [[nodiscard]] protocol::Result<std::vector<StoredMessage>> messages(bool unread_only);
  /// As messages(), with every envelope left empty: what a list of thousands shows, without
  /// reading and copying each message's ciphertext for it.
  [[nodiscard]] protocol::Result<std::vector<StoredMessage>> listed_messages(bool unread_only);
  [[nodiscard]] protocol::Result<StoredMessage> message(const protocol::Id& mailbox_id,
                                                        std::int64_t sequence);
  /// The stored message whose hub sequence is `sequence` in any mailbox (the CLI's short form).
  [[nodiscard]] protocol::Result<std::vector<StoredMessage>> messages_with_sequence(
      std::int64_t sequence);
  [[nodiscard]] protocol::Result<void> mark_read(const protocol::Id& mailbox_id,
                                                 std::int64_t sequence, std::int64_t at_ms);

  [[nodiscard]] protocol::Result<void> record_sent(const SentMessage& message);
  [[nodiscard]] protocol::Result<std::vector<SentMessage>> sent();
  /// Every envelope this device sent or received, by envelope hash: a reply whose previous
  /// envelope is not among them shows a gap in its thread (`thread_gap`).
  [[nodiscard]] protocol::Result<void> note_envelope(const protocol::Hash256& envelope_hash);
  [[nodiscard]] protocol::Result<bool> knows_envelope(const protocol::Hash256& envelope_hash);

  /// The latest checkpoint accepted for the log with that origin; nullopt before the first.
  [[nodiscard]] protocol::Result<std::optional<AcceptedCheckpoint>> checkpoint(
      const std::string& origin);
  /// Makes `next` the accepted checkpoint of `origin`, only if it is no smaller than the one
  /// stored (the caller checked consistency; this keeps a racing process from rolling it back).
  [[nodiscard]] protocol::Result<void> accept_checkpoint(const std::string& origin,
                                                         const AcceptedCheckpoint& next);
  /// Keeps the evidence of a fork (once per pair of notes).
  [[nodiscard]] protocol::Result<void> record_fork(const LogForkEvidence& fork);
  /// Every fork this device has detected, oldest first.
  [[nodiscard]] protocol::Result<std::vector<LogForkEvidence>> forks();
  /// What this device verified to be in the directory log: `subject` (an entry's leaf hash, or
  /// org id || key for an organisation key) at `index`, proved under a checkpoint of `size`.
  [[nodiscard]] protocol::Result<bool> knows_logged(std::span<const std::uint8_t> subject);
  [[nodiscard]] protocol::Result<void> note_logged(std::span<const std::uint8_t> subject,
                                                   std::uint64_t index, std::uint64_t size);
  /// Directory-log entries (by leaf hash) this profile made (`made`: an epoch certificate its
  /// organisation key signed) or whose alert an admin acknowledged (`acknowledged`).
  [[nodiscard]] protocol::Result<void> note_own_entry(std::span<const std::uint8_t> leaf,
                                                      const std::string& how);
  [[nodiscard]] protocol::Result<bool> is_own_entry(std::span<const std::uint8_t> leaf);
  /// The monitor's position in a log: the number of entries it has replayed (0 at first).
  [[nodiscard]] protocol::Result<std::uint64_t> monitor_position(const std::string& origin);
  [[nodiscard]] protocol::Result<void> set_monitor_position(const std::string& origin,
                                                            std::uint64_t next);

 private:
  explicit LocalState(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace draaischijf::client
