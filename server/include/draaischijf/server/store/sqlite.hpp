#pragma once

// A thin, move-only RAII layer over SQLite: a connection opened with the hub's durability
// settings (WAL, synchronous=FULL, foreign keys), prepared statements, and error codes in the
// draaischijf.sqlite category. Nothing here throws; every call that can fail returns a result.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <draaischijf/protocol/errors.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace draaischijf::server::sqlite {

enum class errc {
  open_failed = 1,
  prepare_failed,
  step_failed,
  constraint_violation,
  busy,
  io_error,
  corrupt,
  full,
  schema_too_new,
  integrity_check_failed,
};

[[nodiscard]] const boost::system::error_category& sqlite_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), sqlite_category()};
}

template <class T>
using Result = protocol::Result<T>;

class StatementPool;
class TransactionMemo;
struct TransactionHooks;

/// A prepared statement. One that came from Database::prepare() goes back to its connection's
/// pool when destroyed (reset, bindings cleared), so hot statements are parsed once.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* statement, StatementPool* pool) noexcept
      : statement_(statement), pool_(pool) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQL. Blobs and text are copied (SQLITE_TRANSIENT).
  Statement& bind(int index, std::span<const std::uint8_t> blob);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_null(int index);

  /// true: a row is ready; false: done.
  [[nodiscard]] Result<bool> step();
  /// Runs to completion, expecting no rows.
  [[nodiscard]] Result<void> run();
  /// Ready for new bindings and another run.
  void reset() noexcept;

  [[nodiscard]] std::int64_t column_int64(int column) const;
  /// Valid until the next step or reset.
  [[nodiscard]] std::span<const std::uint8_t> column_blob(int column) const;
  [[nodiscard]] std::string column_text(int column) const;
  [[nodiscard]] bool column_is_null(int column) const;

 private:
  sqlite3_stmt* statement_ = nullptr;
  StatementPool* pool_ = nullptr;
};

class Database {
 public:
  /// Opens (creating when missing) with WAL, synchronous=FULL, foreign_keys=ON and a busy
  /// timeout, then brings the schema up to date.
  [[nodiscard]] static Result<Database> open(const std::string& path);

  /// How open_unmigrated() opens a file: an existing one read-only or read-write, or a new one.
  enum class Access { read_only, read_write, create };
  /// Opens a database file as it is: no pragmas beyond the busy timeout and no migrations, so a
  /// backup, its copy or a live hub's file is read without being changed (a new file is 0600).
  [[nodiscard]] static Result<Database> open_unmigrated(const std::string& path, Access access);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs SQL text (any number of statements) without keeping anything prepared.
  [[nodiscard]] Result<void> exec(std::string_view sql);
  /// One statement, from the pool when it was prepared before. Every Statement must be
  /// destroyed before its Database.
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);
  /// prepare() and run() for a statement without rows (BEGIN, SAVEPOINT, COMMIT, ...).
  [[nodiscard]] Result<void> run(std::string_view sql);
  /// ROLLBACK TO the savepoint, dropping the transaction's memo (store/transaction_memo.hpp):
  /// SQLite has no hook for a rollback to a savepoint, so this is the only way to run one.
  [[nodiscard]] Result<void> rollback_to(std::string_view savepoint);
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  /// Whether a transaction is open. SQLite ends one by itself on some errors (SQLITE_FULL, I/O
  /// errors): then nothing of it is on disk any more.
  [[nodiscard]] bool in_transaction() const;
  /// The schema version recorded in the database.
  [[nodiscard]] Result<std::int64_t> schema_version();
  /// PRAGMA integrity_check == "ok".
  [[nodiscard]] Result<void> integrity_check();
  /// PRAGMA wal_checkpoint(TRUNCATE): folds the WAL into the database file on shutdown.
  [[nodiscard]] Result<void> checkpoint();
  /// The SQLite handle, for what this layer does not wrap (the online backup API).
  [[nodiscard]] sqlite3* native_handle() const noexcept { return db_; }

 private:
  explicit Database(sqlite3* db);
  friend TransactionMemo* transaction_memo(const Database& db);
  friend void keep_for_transaction(Database& db, std::unique_ptr<TransactionMemo> memo);

  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementPool> pool_;
  // Where SQLite's commit and rollback hooks drop the open transaction's memo; made the first
  // time a memo is kept (only the writer's connection ever keeps one).
  std::unique_ptr<TransactionHooks> hooks_;
};

/// Maps an SQLite result code to the category above.
[[nodiscard]] boost::system::error_code from_sqlite(int code) noexcept;

}  // namespace draaischijf::server::sqlite

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::sqlite::errc> : std::true_type {};
}  // namespace boost::system
