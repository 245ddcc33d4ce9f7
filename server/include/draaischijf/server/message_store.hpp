#pragma once

// Where accepted envelopes live: the envelope, one queue entry per recipient mailbox and an
// audit row, written in one transaction through the group-commit writer. Reads use a second
// connection (WAL lets them run beside the writer). Every read is scoped by mailbox, so a caller
// that checked the device's membership can never reach another mailbox's messages.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/server/group_commit.hpp>
#include <draaischijf/server/sqlite.hpp>

namespace draaischijf::server {

enum class store_errc {
  message_id_taken = 1,  // the id is stored already, under another sender organisation
  not_found,
  overloaded,
};

[[nodiscard]] const boost::system::error_category& store_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(store_errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

struct Submission {
  protocol::Id message_id{};
  protocol::Id sender_org{};
  protocol::Id sender_device{};
  protocol::MessageKind kind = protocol::MessageKind::signaal;
  std::vector<protocol::RecipientMailbox> recipients;
  std::vector<std::uint8_t> envelope;
  std::int64_t received_at_ms = 0;
};

/// What the hub signs into a receipt.
struct Accepted {
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
  protocol::Hash256 envelope_hash{};
  bool duplicate = false;  // a replay: these are the original's values
};

struct QueueEntry {
  std::int64_t sequence = 0;
  protocol::Id message_id{};
  protocol::Id sender_org{};
  std::int64_t received_at_ms = 0;
  std::int64_t size = 0;
  std::string state;  // queued, delivered, withdrawn
};

class MessageStore {
 public:
  using SubmitDone = std::function<void(sqlite::Result<Accepted>)>;
  using Done = std::function<void(sqlite::Result<void>)>;

  [[nodiscard]] static sqlite::Result<std::unique_ptr<MessageStore>> open(
      const std::string& path, GroupCommitWriter::Limits limits = {});

  /// Stores the envelope, its queue entries and an audit row in one transaction. `done` runs
  /// after COMMIT. false when the writer's queue is full (nothing stored, `done` not called).
  [[nodiscard]] bool submit(Submission submission, SubmitDone done);

  /// Marks the entry delivered (idempotent) with an audit row.
  [[nodiscard]] bool acknowledge(const protocol::Id& mailbox_id, std::int64_t sequence,
                                 const protocol::Id& device_id, std::int64_t at_ms, Done done);

  /// Entries of one mailbox with a sequence above `after`, oldest first.
  [[nodiscard]] sqlite::Result<std::vector<QueueEntry>> list(const protocol::Id& mailbox_id,
                                                             std::int64_t after, std::size_t limit);
  /// The envelope bytes, only through a mailbox it was queued for.
  [[nodiscard]] sqlite::Result<std::vector<std::uint8_t>> fetch(const protocol::Id& mailbox_id,
                                                                std::int64_t sequence);
  /// Per recipient mailbox: its state, for the sender organisation only.
  [[nodiscard]] sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>> delivery_status(
      const protocol::Id& message_id, const protocol::Id& sender_org);
  [[nodiscard]] sqlite::Result<std::int64_t> audit_count(std::string_view event);

  [[nodiscard]] const GroupCommitWriter& writer() const { return *writer_; }

 private:
  MessageStore(std::unique_ptr<GroupCommitWriter> writer, sqlite::Database reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}
  std::unique_ptr<GroupCommitWriter> writer_;
  std::mutex reader_mutex_;
  sqlite::Database reader_;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::store_errc> : std::true_type {};
}  // namespace boost::system
