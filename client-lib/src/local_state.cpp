#include "local_state.hpp"

#include <utility>

#include <sqlite3.h>

#include <draaischijf/client/errors.hpp>

namespace draaischijf::client {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (mailbox_id BLOB PRIMARY KEY, after INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS epochs (mailbox_id BLOB PRIMARY KEY, highest INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sender_sequences (
  device_id BLOB NOT NULL, sequence INTEGER NOT NULL, message_id BLOB NOT NULL,
  PRIMARY KEY (device_id, sequence));
CREATE TABLE IF NOT EXISTS sent (
  message_id BLOB PRIMARY KEY, kind TEXT NOT NULL, hub_sequence INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL, recipients TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen_envelopes (envelope_hash BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_checkpoints (
  origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log_inclusions (
  subject BLOB PRIMARY KEY, idx INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS monitor_positions (origin TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS own_entries (leaf BLOB PRIMARY KEY, how TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_forks (
  origin TEXT NOT NULL, own_note TEXT NOT NULL, other_note TEXT NOT NULL,
  message_id BLOB NOT NULL, detected_at_ms INTEGER NOT NULL,
  PRIMARY KEY (origin, own_note, other_note));
)sql";

// The inbox: one row per copy the hub delivered, keyed by mailbox and hub sequence; copies of
// one message id may stand side by side (then flagged `conflict`).
constexpr const char* kInbox = R"sql(
CREATE TABLE IF NOT EXISTS inbox (
  mailbox_id BLOB NOT NULL, sequence INTEGER NOT NULL, message_id BLOB NOT NULL,
  received_at_ms INTEGER NOT NULL, sender_org BLOB NOT NULL, sender_device BLOB NOT NULL,
  sender_role TEXT NOT NULL, kind TEXT NOT NULL, categories INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL, sender_sequence INTEGER NOT NULL, flags TEXT NOT NULL,
  problem TEXT NOT NULL, envelope BLOB NOT NULL, read_at_ms INTEGER,
  PRIMARY KEY (mailbox_id, sequence));
CREATE INDEX IF NOT EXISTS inbox_message ON inbox (mailbox_id, message_id);
-- The inbox's list reads every column but the envelope, in this order: from this index alone,
-- without walking each row's envelope to the read time stored after it (thousands of pages for
-- an inbox of thousands: docs/BENCHMARKS.md, "Web inbox").
CREATE INDEX IF NOT EXISTS inbox_listing ON inbox (received_at_ms, sequence, mailbox_id,
  message_id, sender_org, sender_device, sender_role, kind, categories, created_at_ms,
  sender_sequence, flags, problem, read_at_ms);
)sql";

// Before copies of one message id that differ were kept side by side, (mailbox_id, message_id)
// was UNIQUE: the first copy delivered won. A state file from then moves its inbox aside, gets
// the inbox of kInbox and takes the rows over, in one transaction.
constexpr const char* kMoveOldInboxAside = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE inbox RENAME TO inbox_unique_message_id;
DROP INDEX IF EXISTS inbox_message;
)sql";
constexpr const char* kTakeOldInboxOver = R"sql(
INSERT INTO inbox SELECT * FROM inbox_unique_message_id;
DROP TABLE inbox_unique_message_id;
COMMIT;
)sql";

protocol::Result<void> failed() { return make_error_code(client_errc::state_failed); }

// One prepared statement, finalized on every path.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  [[nodiscard]] bool ok() const noexcept { return stmt_ != nullptr; }
  Statement& bind(int i, std::span<const std::uint8_t> blob) {
    sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  Statement& bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return stmt_ == nullptr ? SQLITE_ERROR : sqlite3_step(stmt_); }
  [[nodiscard]] std::int64_t integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
  }
  [[nodiscard]] bool is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  [[nodiscard]] std::string text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    return data == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(data),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  [[nodiscard]] std::vector<std::uint8_t> blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    return {data, data + sqlite3_column_bytes(stmt_, column)};
  }
  [[nodiscard]] protocol::Id id(int column) const {
    protocol::Id out{};
    const auto bytes = blob(column);
    if (bytes.size() == out.size()) {
      std::copy(bytes.begin(), bytes.end(), out.begin());
    }
    return out;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

bool exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

constexpr const char* kMessageColumns =
    "mailbox_id, sequence, message_id, received_at_ms, sender_org, sender_device, sender_role, "
    "kind, categories, created_at_ms, sender_sequence, flags, problem, envelope, read_at_ms";
// The same columns with NULL in the envelope's place (message_from reads it as empty).
constexpr const char* kListedColumns =
    "mailbox_id, sequence, message_id, received_at_ms, sender_org, sender_device, sender_role, "
    "kind, categories, created_at_ms, sender_sequence, flags, problem, NULL, read_at_ms";

StoredMessage message_from(const Statement& row) {
  StoredMessage m;
  m.mailbox_id = row.id(0);
  m.sequence = row.integer(1);
  m.message_id = row.id(2);
  m.received_at_ms = row.integer(3);
  m.sender_org = row.id(4);
  m.sender_device = row.id(5);
  m.sender_role = row.text(6);
  m.kind = row.text(7);
  m.categories = static_cast<std::uint32_t>(row.integer(8));
  m.created_at_ms = row.integer(9);
  m.sender_sequence = row.integer(10);
  m.flags = row.text(11);
  m.problem = row.text(12);
  m.envelope = row.blob(13);
  if (!row.is_null(14)) {
    m.read_at_ms = row.integer(14);
  }
  return m;
}

protocol::Result<std::vector<StoredMessage>> all_rows(Statement& select) {
  std::vector<StoredMessage> out;
  int rc = 0;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back(message_from(select));
  }
  if (rc != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  return out;
}

// Creates the inbox, or rebuilds one from before copies were kept side by side.
bool open_inbox(sqlite3* db) {
  bool old_inbox = false;
  {
    Statement schema(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inbox'");
    old_inbox = schema.step() == SQLITE_ROW &&
                schema.text(0).find("UNIQUE (mailbox_id, message_id)") != std::string::npos;
  }
  if (!old_inbox) {
    return exec(db, kInbox);
  }
  if (!exec(db, kMoveOldInboxAside) || !exec(db, kInbox) || !exec(db, kTakeOldInboxOver)) {
    exec(db, "ROLLBACK");
    return false;
  }
  return true;
}

// Sends keep the hub's receipt. A state file from before gets the column, and its earlier sends
// keep NULL: their receipts were verified when they arrived, but not kept.
bool add_sent_receipt(sqlite3* db) {
  {
    Statement column(db, "SELECT 1 FROM pragma_table_info('sent') WHERE name = 'receipt'");
    const int rc = column.step();
    if (rc != SQLITE_DONE) {
      return rc == SQLITE_ROW;
    }
  }
  return exec(db, "ALTER TABLE sent ADD COLUMN receipt BLOB");
}

// The copies of `m`'s message id stored in its mailbox: true when one has the same envelope at
// the same sequence (then `m` is no new message); `others` counts those with another envelope,
// `elsewhere` those with the same envelope at another sequence.
protocol::Result<bool> same_copy_stored(sqlite3* db, const StoredMessage& m, int& others,
                                        int& elsewhere) {
  Statement select(db,
                   "SELECT envelope, sequence FROM inbox WHERE mailbox_id = ? AND message_id = ?");
  select.bind(1, m.mailbox_id).bind(2, m.message_id);
  int rc = 0;
  bool same = false;
  while ((rc = select.step()) == SQLITE_ROW) {
    if (select.blob(0) != m.envelope) {
      ++others;
    } else if (select.integer(1) == m.sequence) {
      same = true;
    } else {
      ++elsewhere;
    }
  }
  if (rc != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return same;
}

// Flags every stored copy of the message id in the mailbox as in conflict.
bool flag_conflict(sqlite3* db, const StoredMessage& m) {
  Statement update(db,
                   "UPDATE inbox SET flags = trim(flags || ' conflict') "
                   "WHERE mailbox_id = ? AND message_id = ? "
                   "AND (' ' || flags || ' ') NOT LIKE '% conflict %'");
  update.bind(1, m.mailbox_id).bind(2, m.message_id);
  return update.step() == SQLITE_DONE;
}

}  // namespace

protocol::Result<LocalState> LocalState::open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  LocalState state(db);  // closes the handle on every return, even a failed open
  if (rc != SQLITE_OK) {
    return make_error_code(client_errc::state_failed);
  }
  sqlite3_busy_timeout(db, 5000);
  if (!exec(db, kSchema) || !open_inbox(db) || !add_sent_receipt(db)) {
    return make_error_code(client_errc::state_failed);
  }
  return state;
}

LocalState::LocalState(LocalState&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
LocalState& LocalState::operator=(LocalState&& other) noexcept {
  std::swap(db_, other.db_);
  return *this;
}
LocalState::~LocalState() { sqlite3_close_v2(db_); }

protocol::Result<std::uint64_t> LocalState::take_sequence() {
  Statement update(db_,
                   "INSERT INTO counters (name, value) VALUES ('sequence', 1) "
                   "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
  if (update.step() != SQLITE_ROW) {
    return make_error_code(client_errc::state_failed);
  }
  const auto value = update.integer(0);
  if (update.step() != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  return static_cast<std::uint64_t>(value);
}

protocol::Result<std::int64_t> LocalState::cursor(const protocol::Id& mailbox_id) {
  Statement select(db_, "SELECT after FROM cursors WHERE mailbox_id = ?");
  select.bind(1, mailbox_id);
  const int rc = select.step();
  if (rc == SQLITE_ROW) {
    return select.integer(0);
  }
  return rc == SQLITE_DONE
             ? protocol::Result<std::int64_t>(0)
             : protocol::Result<std::int64_t>(make_error_code(client_errc::state_failed));
}

protocol::Result<void> LocalState::set_cursor(const protocol::Id& mailbox_id, std::int64_t after) {
  Statement upsert(db_,
                   "INSERT INTO cursors (mailbox_id, after) VALUES (?, ?) ON CONFLICT (mailbox_id) "
                   "DO UPDATE SET after = max(after, excluded.after)");
  upsert.bind(1, mailbox_id).bind(2, after);
  return upsert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<bool> LocalState::observe_epoch(const protocol::Id& mailbox_id,
                                                 std::uint32_t epoch) {
  Statement select(db_, "SELECT highest FROM epochs WHERE mailbox_id = ?");
  select.bind(1, mailbox_id);
  const int rc = select.step();
  if (rc == SQLITE_ROW && select.integer(0) > epoch) {
    return false;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  Statement upsert(
      db_,
      "INSERT INTO epochs (mailbox_id, highest) VALUES (?, ?) ON CONFLICT (mailbox_id) "
      "DO UPDATE SET highest = max(highest, excluded.highest)");
  upsert.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(epoch));
  if (upsert.step() != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return true;
}

protocol::Result<std::string> LocalState::check_sender_sequence(const protocol::Id& device_id,
                                                                std::uint64_t sequence,
                                                                const protocol::Id& message_id) {
  const auto value = static_cast<std::int64_t>(sequence);
  Statement same(db_,
                 "SELECT message_id FROM sender_sequences WHERE device_id = ? AND sequence = ?");
  same.bind(1, device_id).bind(2, value);
  int rc = same.step();
  if (rc == SQLITE_ROW) {
    // The same message reaching a second mailbox of this device is no replay.
    return same.id(0) == message_id ? std::string() : std::string("replay");
  }
  if (rc != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  Statement highest(db_, "SELECT max(sequence) FROM sender_sequences WHERE device_id = ?");
  highest.bind(1, device_id);
  if (highest.step() != SQLITE_ROW) {
    return make_error_code(client_errc::state_failed);
  }
  std::string flags;
  if (!highest.is_null(0)) {
    const auto top = highest.integer(0);
    if (value < top) {
      flags = "out-of-order";
    } else if (value > top + 1) {
      flags = "gap:" + std::to_string(value - top - 1);
    }
  }
  Statement insert(
      db_, "INSERT INTO sender_sequences (device_id, sequence, message_id) VALUES (?, ?, ?)");
  insert.bind(1, device_id).bind(2, value).bind(3, message_id);
  if (insert.step() != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  return flags;
}

namespace {

// Inserts `m`; false when its (mailbox, sequence) is stored already.
protocol::Result<bool> insert_message(sqlite3* db, const StoredMessage& m) {
  Statement insert(db,
                   "INSERT OR IGNORE INTO inbox (mailbox_id, sequence, message_id, received_at_ms, "
                   "sender_org, sender_device, sender_role, kind, categories, created_at_ms, "
                   "sender_sequence, flags, problem, envelope) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, m.mailbox_id)
      .bind(2, m.sequence)
      .bind(3, m.message_id)
      .bind(4, m.received_at_ms)
      .bind(5, m.sender_org)
      .bind(6, m.sender_device)
      .bind(7, m.sender_role)
      .bind(8, m.kind)
      .bind(9, static_cast<std::int64_t>(m.categories))
      .bind(10, m.created_at_ms)
      .bind(11, m.sender_sequence)
      .bind(12, m.flags)
      .bind(13, m.problem)
      .bind(14, m.envelope);
  if (insert.step() != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return sqlite3_changes(db) == 1;
}

}  // namespace

// A copy of a message id already stored with the same envelope at the same sequence is the
// same message (a sync resumed); one with another envelope is kept beside it, and every copy is
// flagged `conflict`: the first copy delivered must not hide the genuine one. The same envelope
// at another sequence of the mailbox was queued there once only: the hub served it again, and
// that copy is kept flagged `replay` so the reader sees it is not a new message.
protocol::Result<bool> LocalState::store(const StoredMessage& m) {
  if (!exec(db_, "BEGIN IMMEDIATE")) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  int others = 0;
  int elsewhere = 0;
  const auto same = same_copy_stored(db_, m, others, elsewhere);
  bool ok = same.has_value();
  bool added = false;
  if (ok && !*same) {
    StoredMessage copy;
    if (elsewhere > 0) {
      copy = m;
      copy.flags += copy.flags.empty() ? "replay" : " replay";
    }
    const auto inserted = insert_message(db_, elsewhere > 0 ? copy : m);
    ok = inserted.has_value();
    added = ok && *inserted;
    ok = ok && (!added || others == 0 || flag_conflict(db_, m));
  }
  if (!ok || !set_cursor(m.mailbox_id, m.sequence) || !exec(db_, "COMMIT")) {
    exec(db_, "ROLLBACK");
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return added;
}

namespace {

protocol::Result<std::vector<StoredMessage>> inbox_rows(sqlite3* db, const char* columns,
                                                        bool unread_only) {
  const std::string sql = std::string("SELECT ") + columns + " FROM inbox" +
                          (unread_only ? " WHERE read_at_ms IS NULL" : "") +
                          " ORDER BY received_at_ms, sequence";
  Statement select(db, sql.c_str());
  return all_rows(select);
}

}  // namespace

protocol::Result<std::vector<StoredMessage>> LocalState::messages(bool unread_only) {
  return inbox_rows(db_, kMessageColumns, unread_only);
}

protocol::Result<std::vector<StoredMessage>> LocalState::listed_messages(bool unread_only) {
  return inbox_rows(db_, kListedColumns, unread_only);
}

protocol::Result<StoredMessage> LocalState::message(const protocol::Id& mailbox_id,
                                                    std::int64_t sequence) {
  const std::string sql = std::string("SELECT ") + kMessageColumns +
                          " FROM inbox WHERE mailbox_id = ? AND sequence = ?";
  Statement select(db_, sql.c_str());
  select.bind(1, mailbox_id).bind(2, sequence);
  auto rows = all_rows(select);
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return make_error_code(client_errc::not_found);
  }
  return std::move(rows->front());
}

protocol::Result<std::vector<StoredMessage>> LocalState::messages_with_sequence(
    std::int64_t sequence) {
  const std::string sql =
      std::string("SELECT ") + kMessageColumns + " FROM inbox WHERE sequence = ?";
  Statement select(db_, sql.c_str());
  select.bind(1, sequence);
  return all_rows(select);
}

protocol::Result<void> LocalState::mark_read(const protocol::Id& mailbox_id, std::int64_t sequence,
                                             std::int64_t at_ms) {
  Statement update(db_,
                   "UPDATE inbox SET read_at_ms = coalesce(read_at_ms, ?) "
                   "WHERE mailbox_id = ? AND sequence = ?");
  update.bind(1, at_ms).bind(2, mailbox_id).bind(3, sequence);
  return update.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

// A retried send is recorded once; its receipt fills in one that was not kept before.
protocol::Result<void> LocalState::record_sent(const SentMessage& m) {
  Statement insert(db_,
                   "INSERT INTO sent (message_id, kind, hub_sequence, received_at_ms, "
                   "recipients, receipt) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) "
                   "DO UPDATE SET receipt = coalesce(receipt, excluded.receipt)");
  insert.bind(1, m.message_id)
      .bind(2, m.kind)
      .bind(3, m.hub_sequence)
      .bind(4, m.received_at_ms)
      .bind(5, m.recipients)
      .bind(6, m.receipt);
  return insert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<void> LocalState::note_envelope(const protocol::Hash256& envelope_hash) {
  Statement insert(db_, "INSERT OR IGNORE INTO seen_envelopes (envelope_hash) VALUES (?)");
  insert.bind(1, envelope_hash);
  return insert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<bool> LocalState::knows_envelope(const protocol::Hash256& envelope_hash) {
  Statement select(db_, "SELECT 1 FROM seen_envelopes WHERE envelope_hash = ?");
  select.bind(1, envelope_hash);
  const int rc = select.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return rc == SQLITE_ROW;
}

protocol::Result<std::optional<AcceptedCheckpoint>> LocalState::checkpoint(
    const std::string& origin) {
  Statement select(db_, "SELECT size, root, note FROM log_checkpoints WHERE origin = ?");
  select.bind(1, origin);
  const int rc = select.step();
  if (rc == SQLITE_DONE) {
    return std::optional<AcceptedCheckpoint>();
  }
  const auto root = rc == SQLITE_ROW ? select.blob(1) : std::vector<std::uint8_t>{};
  if (rc != SQLITE_ROW || root.size() != AcceptedCheckpoint{}.root.size()) {
    return make_error_code(client_errc::state_failed);
  }
  AcceptedCheckpoint out{select.text(2), static_cast<std::uint64_t>(select.integer(0)), {}};
  std::copy(root.begin(), root.end(), out.root.begin());
  return std::optional<AcceptedCheckpoint>(std::move(out));
}

protocol::Result<void> LocalState::accept_checkpoint(const std::string& origin,
                                                     const AcceptedCheckpoint& next) {
  // One statement, so the row changes whole or not at all.
  Statement upsert(db_,
                   "INSERT INTO log_checkpoints (origin, size, root, note) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = "
                   "excluded.root, note = excluded.note WHERE excluded.size >= size");
  upsert.bind(1, origin)
      .bind(2, static_cast<std::int64_t>(next.size))
      .bind(3, next.root)
      .bind(4, next.note);
  return upsert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<void> LocalState::record_fork(const LogForkEvidence& fork) {
  Statement insert(db_,
                   "INSERT OR IGNORE INTO log_forks (origin, own_note, other_note, message_id, "
                   "detected_at_ms) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, fork.origin)
      .bind(2, fork.own_note)
      .bind(3, fork.other_note)
      .bind(4, fork.message_id)
      .bind(5, fork.detected_at_ms);
  return insert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<std::vector<LogForkEvidence>> LocalState::forks() {
  Statement select(db_,
                   "SELECT origin, own_note, other_note, message_id, detected_at_ms FROM log_forks "
                   "ORDER BY detected_at_ms, origin");
  std::vector<LogForkEvidence> out;
  int rc = 0;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back(
        {select.text(0), select.text(1), select.text(2), select.id(3), select.integer(4)});
  }
  if (rc != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  return out;
}

protocol::Result<bool> LocalState::knows_logged(std::span<const std::uint8_t> subject) {
  Statement select(db_, "SELECT 1 FROM log_inclusions WHERE subject = ?");
  select.bind(1, subject);
  const int rc = select.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return rc == SQLITE_ROW;
}

protocol::Result<void> LocalState::note_logged(std::span<const std::uint8_t> subject,
                                               std::uint64_t index, std::uint64_t size) {
  Statement insert(db_,
                   "INSERT OR IGNORE INTO log_inclusions (subject, idx, size) VALUES (?, ?, ?)");
  insert.bind(1, subject)
      .bind(2, static_cast<std::int64_t>(index))
      .bind(3, static_cast<std::int64_t>(size));
  return insert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<void> LocalState::note_own_entry(std::span<const std::uint8_t> leaf,
                                                  const std::string& how) {
  Statement insert(db_, "INSERT OR IGNORE INTO own_entries (leaf, how) VALUES (?, ?)");
  insert.bind(1, leaf).bind(2, how);
  return insert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<bool> LocalState::is_own_entry(std::span<const std::uint8_t> leaf) {
  Statement select(db_, "SELECT 1 FROM own_entries WHERE leaf = ?");
  select.bind(1, leaf);
  const int rc = select.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return protocol::Result<bool>(boost::system::in_place_error,
                                  make_error_code(client_errc::state_failed));
  }
  return rc == SQLITE_ROW;
}

protocol::Result<std::uint64_t> LocalState::monitor_position(const std::string& origin) {
  Statement select(db_, "SELECT next FROM monitor_positions WHERE origin = ?");
  select.bind(1, origin);
  const int rc = select.step();
  if (rc == SQLITE_ROW) {
    return static_cast<std::uint64_t>(select.integer(0));
  }
  return rc == SQLITE_DONE
             ? protocol::Result<std::uint64_t>(0)
             : protocol::Result<std::uint64_t>(make_error_code(client_errc::state_failed));
}

protocol::Result<void> LocalState::set_monitor_position(const std::string& origin,
                                                        std::uint64_t next) {
  Statement upsert(db_,
                   "INSERT INTO monitor_positions (origin, next) VALUES (?, ?) "
                   "ON CONFLICT (origin) DO UPDATE SET next = max(next, excluded.next)");
  upsert.bind(1, origin).bind(2, static_cast<std::int64_t>(next));
  return upsert.step() == SQLITE_DONE ? protocol::Result<void>() : failed();
}

protocol::Result<std::vector<SentMessage>> LocalState::sent() {
  Statement select(db_,
                   "SELECT message_id, kind, hub_sequence, received_at_ms, recipients, receipt "
                   "FROM sent ORDER BY received_at_ms");
  std::vector<SentMessage> out;
  int rc = 0;
  while ((rc = select.step()) == SQLITE_ROW) {
    out.push_back({select.id(0), select.text(1), select.integer(2), select.integer(3),
                   select.text(4), select.blob(5)});
  }
  if (rc != SQLITE_DONE) {
    return make_error_code(client_errc::state_failed);
  }
  return out;
}

}  // namespace draaischijf::client
