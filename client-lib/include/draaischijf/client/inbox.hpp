#pragma once

// What arrives at the device: sync (cursor paging per mailbox, fetch, open and verify, flag
// per-device sequence gaps, replays and reordering, store durably, then acknowledge delivery),
// follow (the hub's notification stream with catch-ups and reconnection), the local inbox,
// read (opens again, marks read, sends the read receipt when the profile allows), attachments
// (decrypted chunk by chunk, the file appears only once it verified), acknowledgements and the
// delivery status of what this device sent.
//
//   Inbox inbox{session};
//   inbox.sync();
//   for (const auto& m : inbox.list(/*unread_only=*/true).value()) {
//     auto read = inbox.read(m.mailbox_id, m.sequence);
//   }

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <boost/json/object.hpp>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>

namespace draaischijf::client {

class Inbox {
 public:
  /// `session` must outlive this handle.
  explicit Inbox(Session& session) noexcept : state_(&session.state()) {}

  /// Fetches what is new in every mailbox of this device, verifies and stores it, then tells
  /// the hub "delivered"; withdrawn messages are reported, never fetched.
  [[nodiscard]] protocol::Result<SyncReport> sync();
  /// Keeps the local inbox current until options.keep_going() says stop: catches up by cursor,
  /// then listens on the hub's notification stream (/v1/stream) and syncs when a message
  /// arrives. A lost stream or a restarted hub is met with reconnection (backoff) and another
  /// catch-up, so no message is missed; messages are stored once by mailbox and sequence, so
  /// none is shown twice. `on_sync` sees every sync that stored something.
  [[nodiscard]] protocol::Result<void> follow(const std::function<void(const SyncReport&)>& on_sync,
                                              const FollowOptions& options = {});
  /// The local inbox, oldest first.
  [[nodiscard]] protocol::Result<std::vector<InboxEntry>> list(bool unread_only);
  /// Resolves the CLI's short reference: a hub sequence unique in the local inbox.
  [[nodiscard]] protocol::Result<InboxEntry> find(std::int64_t sequence);
  /// Opens and verifies a stored message, marks it read and, when the organisation allows read
  /// receipts, tells the hub.
  [[nodiscard]] protocol::Result<ReadMessage> read(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence);
  /// The thread and pupil of a stored message, opened again and verified but not marked read
  /// and not acknowledged: for a list that groups messages by thread or pupil.
  [[nodiscard]] protocol::Result<MessageTopic> topic(const protocol::Id& mailbox_id,
                                                     std::int64_t sequence);
  /// Fetches attachment `index` of a stored message, decrypting it into `target` as it
  /// arrives; `target` appears only once the blob verified (FINAL chunk, size and the hash the
  /// sender signed). Returns the plaintext size. The file is made 0600; an existing `target`
  /// (or `target`.part) is replaced only with `replace_existing` (file_exists otherwise), and
  /// a symbolic link in either place is never followed.
  [[nodiscard]] protocol::Result<std::uint64_t> save_attachment(const protocol::Id& mailbox_id,
                                                                std::int64_t sequence,
                                                                std::size_t index,
                                                                const std::filesystem::path& target,
                                                                bool replace_existing = false);
  /// Records the read acknowledgement without opening (for software that processed it).
  [[nodiscard]] protocol::Result<void> acknowledge(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence);
  /// Queued, delivered, read or withdrawn, per recipient mailbox, of a message this device's
  /// organisation sent.
  [[nodiscard]] protocol::Result<std::vector<DeliveryState>> status(const protocol::Id& message_id);
  /// The team's most recent sends, newest first, at most `limit`: this device's own and those
  /// of colleagues whose copy reached the team's Sent folder (sync first to see the latest),
  /// each with the delivery state of every recipient.
  [[nodiscard]] protocol::Result<std::vector<SentEntry>> sent(std::size_t limit);

 private:
  detail::SessionState* state_;
};

/// A message in a list as the CLI's --json and the web inbox give it: ids in hex, the verified
/// sender, kind, categories, flags, `verified` (false when it was refused; `problem` says why)
/// and `read`. One shape for both, so a program reading either reads the other.
[[nodiscard]] boost::json::object inbox_entry_json(const InboxEntry& entry);

}  // namespace draaischijf::client
