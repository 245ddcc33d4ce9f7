#include <draaischijf/server/message_store.hpp>

namespace draaischijf::server {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<store_errc>(value)) {
    case store_errc::message_id_taken:
      return "message id is already in use";
    case store_errc::not_found:
      return "no such message in this mailbox";
    case store_errc::overloaded:
      return "the hub's write queue is full";
  }
  return "unknown store error";
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

sqlite::Result<void> insert_audit(sqlite::Database& db, std::int64_t at_ms, std::string_view event,
                                  std::span<const std::uint8_t> org,
                                  std::span<const std::uint8_t> device,
                                  std::span<const std::uint8_t> message, std::string_view detail) {
  auto audit = db.prepare(
      "INSERT INTO audit (at_ms, event, org_id, device_id, message_id, detail) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!audit) {
    return audit.error();
  }
  audit->bind(1, at_ms)
      .bind(2, event)
      .bind(3, org)
      .bind(4, device)
      .bind(5, message)
      .bind(6, detail);
  return audit->run();
}

// A replay of a stored message id by the same organisation gets the original receipt; the same
// id from another organisation is refused without telling anything about the original.
sqlite::Result<Accepted> original_of(sqlite::Database& db, const Submission& s) {
  auto select = db.prepare(
      "SELECT sequence, received_at_ms, envelope_hash, sender_org FROM envelopes "
      "WHERE message_id = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, s.message_id);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row || fixed<16>(select->column_blob(3)) != s.sender_org) {
    return make_error_code(store_errc::message_id_taken);
  }
  return Accepted{select->column_int64(0), select->column_int64(1),
                  fixed<32>(select->column_blob(2)), true};
}

sqlite::Result<Accepted> store(sqlite::Database& db, const Submission& s) {
  auto insert = db.prepare(
      "INSERT INTO envelopes (message_id, sender_org, sender_device, kind, received_at_ms, "
      "envelope_hash, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) {
    return insert.error();
  }
  const protocol::Hash256 hash = protocol::envelope_hash(s.envelope);
  insert->bind(1, s.message_id)
      .bind(2, s.sender_org)
      .bind(3, s.sender_device)
      .bind(4, static_cast<std::int64_t>(s.kind))
      .bind(5, s.received_at_ms)
      .bind(6, hash)
      .bind(7, static_cast<std::int64_t>(s.envelope.size()))
      .bind(8, s.envelope);
  if (auto inserted = insert->run(); !inserted) {
    if (inserted.error() == sqlite::errc::constraint_violation) {
      return original_of(db, s);
    }
    return inserted.error();
  }
  const std::int64_t sequence = db.last_insert_rowid();
  auto queue = db.prepare("INSERT INTO queue (mailbox_id, sequence, epoch) VALUES (?, ?, ?)");
  if (!queue) {
    return queue.error();
  }
  for (const protocol::RecipientMailbox& r : s.recipients) {
    queue->bind(1, r.mailbox_id).bind(2, sequence).bind(3, static_cast<std::int64_t>(r.epoch));
    if (auto queued = queue->run(); !queued) {
      return queued.error();
    }
    queue->reset();
  }
  const std::string detail = "kind=" + std::string(protocol::name_of(s.kind)) +
                             " recipients=" + std::to_string(s.recipients.size());
  if (auto audited = insert_audit(db, s.received_at_ms, "envelope.accepted", s.sender_org,
                                  s.sender_device, s.message_id, detail);
      !audited) {
    return audited.error();
  }
  return Accepted{sequence, s.received_at_ms, hash, false};
}

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.store", describe);
  return category;
}

sqlite::Result<std::unique_ptr<MessageStore>> MessageStore::open(const std::string& path,
                                                                 GroupCommitWriter::Limits limits) {
  auto writer_db = sqlite::Database::open(path);
  if (!writer_db) {
    return writer_db.error();
  }
  auto reader_db = sqlite::Database::open(path);
  if (!reader_db) {
    return reader_db.error();
  }
  return std::unique_ptr<MessageStore>(new MessageStore(
      std::make_unique<GroupCommitWriter>(std::move(*writer_db), limits), std::move(*reader_db)));
}

bool MessageStore::submit(Submission submission, SubmitDone done) {
  auto outcome = std::make_shared<sqlite::Result<Accepted>>(make_error_code(store_errc::not_found));
  auto shared = std::make_shared<Submission>(std::move(submission));
  return writer_->submit(
      [shared, outcome](sqlite::Database& db) -> sqlite::Result<void> {
        *outcome = store(db, *shared);
        if (!*outcome) {
          return outcome->error();
        }
        // A replay wrote nothing (its INSERT failed on the unique id): it succeeds with the
        // original receipt.
        return {};
      },
      [outcome, done = std::move(done)](sqlite::Result<void> committed) {
        done(committed ? *outcome : sqlite::Result<Accepted>(committed.error()));
      });
}

bool MessageStore::acknowledge(const protocol::Id& mailbox_id, std::int64_t sequence,
                               const protocol::Id& device_id, std::int64_t at_ms, Done done) {
  return writer_->submit(
      [=](sqlite::Database& db) -> sqlite::Result<void> {
        auto update = db.prepare(
            "UPDATE queue SET state = 'delivered', delivered_at_ms = ?, delivered_by = ? "
            "WHERE mailbox_id = ? AND sequence = ? AND state = 'queued'");
        if (!update) {
          return update.error();
        }
        update->bind(1, at_ms).bind(2, device_id).bind(3, mailbox_id).bind(4, sequence);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        if (db.changes() == 0) {
          // Already delivered is fine (acknowledgements are retried); unknown is not.
          auto exists = db.prepare("SELECT 1 FROM queue WHERE mailbox_id = ? AND sequence = ?");
          if (!exists) {
            return exists.error();
          }
          exists->bind(1, mailbox_id).bind(2, sequence);
          auto row = exists->step();
          if (!row) {
            return row.error();
          }
          return *row ? sqlite::Result<void>() : make_error_code(store_errc::not_found);
        }
        return insert_audit(db, at_ms, "envelope.delivered", {}, device_id, {},
                            "sequence=" + std::to_string(sequence));
      },
      std::move(done));
}

sqlite::Result<std::vector<QueueEntry>> MessageStore::list(const protocol::Id& mailbox_id,
                                                           std::int64_t after, std::size_t limit) {
  const std::lock_guard lock(reader_mutex_);
  auto select = reader_.prepare(
      "SELECT q.sequence, e.message_id, e.sender_org, e.received_at_ms, e.size, q.state "
      "FROM queue q JOIN envelopes e ON e.sequence = q.sequence "
      "WHERE q.mailbox_id = ? AND q.sequence > ? ORDER BY q.sequence LIMIT ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, mailbox_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
  std::vector<QueueEntry> entries;
  while (true) {
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return entries;
    }
    entries.push_back({select->column_int64(0), fixed<16>(select->column_blob(1)),
                       fixed<16>(select->column_blob(2)), select->column_int64(3),
                       select->column_int64(4), select->column_text(5)});
  }
}

sqlite::Result<std::vector<std::uint8_t>> MessageStore::fetch(const protocol::Id& mailbox_id,
                                                              std::int64_t sequence) {
  const std::lock_guard lock(reader_mutex_);
  auto select = reader_.prepare(
      "SELECT e.body FROM queue q JOIN envelopes e ON e.sequence = q.sequence "
      "WHERE q.mailbox_id = ? AND q.sequence = ? AND q.state <> 'withdrawn'");
  if (!select) {
    return select.error();
  }
  select->bind(1, mailbox_id).bind(2, sequence);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return make_error_code(store_errc::not_found);
  }
  const auto body = select->column_blob(0);
  return std::vector<std::uint8_t>(body.begin(), body.end());
}

sqlite::Result<std::vector<std::pair<protocol::Id, std::string>>> MessageStore::delivery_status(
    const protocol::Id& message_id, const protocol::Id& sender_org) {
  const std::lock_guard lock(reader_mutex_);
  auto select = reader_.prepare(
      "SELECT q.mailbox_id, q.state FROM envelopes e JOIN queue q ON q.sequence = e.sequence "
      "WHERE e.message_id = ? AND e.sender_org = ? ORDER BY q.mailbox_id");
  if (!select) {
    return select.error();
  }
  select->bind(1, message_id).bind(2, sender_org);
  std::vector<std::pair<protocol::Id, std::string>> states;
  while (true) {
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    states.emplace_back(fixed<16>(select->column_blob(0)), select->column_text(1));
  }
  if (states.empty()) {
    return make_error_code(store_errc::not_found);  // missing and foreign look the same
  }
  return states;
}

sqlite::Result<std::int64_t> MessageStore::audit_count(std::string_view event) {
  const std::lock_guard lock(reader_mutex_);
  auto select = reader_.prepare("SELECT count(*) FROM audit WHERE event = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, event);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  return select->column_int64(0);
}

}  // namespace draaischijf::server
