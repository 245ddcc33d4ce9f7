#pragma once

// The device's local state in one SQLite file: the inbox (envelopes as received, still sealed,
// with what their verification said), per-mailbox cursors, the highest epoch seen per mailbox,
// the sequence numbers seen per sending device, the device's own next sequence number, and what
// it sent with the hub's receipts. Plaintext is never stored: a message is opened again when it
// is read.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  /// The hub's signed receipt as it came (protocol/receipt.hpp): proof of what the hub stored
  /// and on which decisions. Empty for a send recorded before receipts were kept.
  std::vector<std::uint8_t> receipt;
};

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

 private:
  explicit LocalState(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace draaischijf::client
