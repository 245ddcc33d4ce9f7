#include <fcntl.h>
#include <limits>
#include <map>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include <draaischijf/server/store/sqlite.hpp>
#include <draaischijf/server/store/transaction_memo.hpp>

#include "store/schema.hpp"

namespace draaischijf::server::sqlite {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<errc>(value)) {
    case errc::open_failed:
      return "database cannot be opened";
    case errc::prepare_failed:
      return "SQL statement does not prepare";
    case errc::step_failed:
      return "SQL statement failed";
    case errc::constraint_violation:
      return "a database constraint refused the change";
    case errc::busy:
      return "database is busy";
    case errc::io_error:
      return "database input/output error";
    case errc::corrupt:
      return "database file is corrupt";
    case errc::full:
      return "disk or database is full";
    case errc::schema_too_new:
      return "database schema is newer than this program";
    case errc::integrity_check_failed:
      return "database integrity check failed";
  }
  return "unknown database error";
}

std::string_view sql_text(const char* sql) { return sql; }

// A new database file is made 0600 before SQLite opens it: SQLite gives its -wal and -shm the
// database file's mode, so none of the three is ever readable by others.
void create_private_file(const std::string& path) {
  if (path != ":memory:" && !path.empty()) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

}  // namespace

const boost::system::error_category& sqlite_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.sqlite", describe);
  return category;
}

boost::system::error_code from_sqlite(int code) noexcept {
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return make_error_code(errc::constraint_violation);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make_error_code(errc::busy);
    case SQLITE_IOERR:
      return make_error_code(errc::io_error);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return make_error_code(errc::corrupt);
    case SQLITE_FULL:
      return make_error_code(errc::full);
    case SQLITE_CANTOPEN:
      return make_error_code(errc::open_failed);
    default:
      return make_error_code(errc::step_failed);
  }
}

// Idle prepared statements of one connection, by SQL text. A few of each are kept: the same
// text is prepared twice only when two statements of it are alive at once.
class StatementPool {
 public:
  StatementPool() = default;
  StatementPool(const StatementPool&) = delete;
  StatementPool& operator=(const StatementPool&) = delete;
  ~StatementPool() {
    for (auto& [sql, idle] : idle_) {
      for (sqlite3_stmt* statement : idle) {
        sqlite3_finalize(statement);
      }
    }
  }

  sqlite3_stmt* take(std::string_view sql) {
    const auto found = idle_.find(sql);
    if (found == idle_.end() || found->second.empty()) {
      return nullptr;
    }
    sqlite3_stmt* statement = found->second.back();
    found->second.pop_back();
    return statement;
  }

  void give_back(sqlite3_stmt* statement) noexcept {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    try {
      // Looked up by view: a statement seen before costs no allocation on its way back.
      const std::string_view sql = sqlite3_sql(statement);
      auto found = idle_.find(sql);
      if (found == idle_.end()) {
        found = idle_.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
      }
      if (found->second.size() < kKeptPerStatement) {
        found->second.push_back(statement);
        return;
      }
    } catch (const std::bad_alloc&) {  // not kept, then: finalized below
    }
    sqlite3_finalize(statement);
  }

 private:
  static constexpr std::size_t kKeptPerStatement = 4;
  std::map<std::string, std::vector<sqlite3_stmt*>, std::less<>> idle_;
};

namespace {

void release(sqlite3_stmt* statement, StatementPool* pool) noexcept {
  if (statement == nullptr) {
    return;
  }
  if (pool != nullptr) {
    pool->give_back(statement);
  } else {
    sqlite3_finalize(statement);
  }
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      pool_(std::exchange(other.pool_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release(statement_, pool_);
    statement_ = std::exchange(other.statement_, nullptr);
    pool_ = std::exchange(other.pool_, nullptr);
  }
  return *this;
}

Statement::~Statement() { release(statement_, pool_); }

Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
  // An empty blob is still a blob, not NULL: SQLite needs a non-null pointer for that.
  static constexpr std::uint8_t kEmpty = 0;
  sqlite3_bind_blob64(statement_, index, blob.empty() ? &kEmpty : blob.data(), blob.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  // Spelled out: an error_code also converts to bool, so the plain conversion is ambiguous.
  return Result<bool>(boost::system::in_place_error, from_sqlite(rc));
}

Result<void> Statement::run() {
  auto stepped = step();
  while (stepped && *stepped) {
    stepped = step();
  }
  if (!stepped) {
    return stepped.error();
  }
  return {};
}

void Statement::reset() noexcept {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::span<const std::uint8_t> Statement::column_blob(int column) const {
  const void* data = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (data == nullptr || size <= 0) {
    return {};
  }
  return {static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)};
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (text == nullptr || size <= 0) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

// What SQLite's commit and rollback hooks reach: the memo of the open transaction.
struct TransactionHooks {
  std::unique_ptr<TransactionMemo> memo;

  static int on_commit(void* self) noexcept {
    // Before the commit: if it fails instead, a memo dropped too early only costs a re-read.
    static_cast<TransactionHooks*>(self)->memo.reset();
    return 0;  // let the commit go ahead
  }
  static void on_rollback(void* self) noexcept {
    static_cast<TransactionHooks*>(self)->memo.reset();
  }
};

TransactionMemo* transaction_memo(const Database& db) {
  return db.hooks_ != nullptr ? db.hooks_->memo.get() : nullptr;
}

void keep_for_transaction(Database& db, std::unique_ptr<TransactionMemo> memo) {
  if (db.db_ == nullptr || !db.in_transaction()) {
    return;
  }
  if (db.hooks_ == nullptr) {
    // The hooks object lives on the heap, so its address (given to SQLite) survives a move of
    // the Database.
    db.hooks_ = std::make_unique<TransactionHooks>();
    sqlite3_commit_hook(db.db_, &TransactionHooks::on_commit, db.hooks_.get());
    sqlite3_rollback_hook(db.db_, &TransactionHooks::on_rollback, db.hooks_.get());
  }
  db.hooks_->memo = std::move(memo);
}

Database::Database(sqlite3* db) : db_(db), pool_(std::make_unique<StatementPool>()) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      pool_(std::move(other.pool_)),
      hooks_(std::move(other.hooks_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    pool_.reset();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    pool_ = std::move(other.pool_);
    hooks_ = std::move(other.hooks_);
  }
  return *this;
}

Database::~Database() {
  pool_.reset();          // finalizes the idle statements before the connection closes
  sqlite3_close_v2(db_);  // before hooks_ goes: SQLite calls no hook once it is closed
}

Result<void> Database::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return from_sqlite(rc);
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (sqlite3_stmt* pooled = pool_->take(sql)) {
    return Statement(pooled, pool_.get());
  }
  sqlite3_stmt* statement = nullptr;
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return make_error_code(errc::prepare_failed);
  }
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(statement);
    return make_error_code(errc::prepare_failed);
  }
  return Statement(statement, pool_.get());
}

Result<void> Database::run(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) {
    return statement.error();
  }
  return statement->run();
}

Result<void> Database::rollback_to(std::string_view savepoint) {
  if (hooks_ != nullptr) {
    hooks_->memo.reset();
  }
  return run(std::string("ROLLBACK TO ").append(savepoint));
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Result<std::int64_t> Database::schema_version() {
  auto statement = prepare("SELECT version FROM schema_version");
  if (!statement) {
    return statement.error();
  }
  auto row = statement->step();
  if (!row) {
    return row.error();
  }
  return *row ? statement->column_int64(0) : 0;
}

Result<void> Database::integrity_check() {
  auto statement = prepare("PRAGMA integrity_check");
  if (!statement) {
    return statement.error();
  }
  auto row = statement->step();
  if (!row) {
    return row.error();
  }
  if (!*row || statement->column_text(0) != "ok") {
    return make_error_code(errc::integrity_check_failed);
  }
  return {};
}

Result<void> Database::checkpoint() { return exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

Result<Database> Database::open_unmigrated(const std::string& path, Access access) {
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (access) {
    case Access::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Access::read_write:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Access::create:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      create_private_file(path);
      break;
  }
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  Database db(handle);
  if (rc != SQLITE_OK) {
    return make_error_code(errc::open_failed);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, 5000);
  return db;
}

Result<Database> Database::open(const std::string& path) {
  auto opened = open_unmigrated(path, Access::create);
  if (!opened) {
    return opened.error();
  }
  Database db = std::move(*opened);
  // FULL: the WAL is synced on every commit, so an answer given after COMMIT survives power loss.
  // A 32 MiB page cache (the default is 2 MiB) keeps the hot index and queue pages in memory
  // instead of re-reading them from the WAL at every transaction.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-32768"}) {
    if (auto ok = db.exec(sql_text(pragma)); !ok) {
      return ok.error();
    }
  }
  if (auto ok = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !ok) {
    return ok.error();
  }
  auto version = db.schema_version();
  if (!version) {
    return version.error();
  }
  if (*version > static_cast<std::int64_t>(schema::kMigrations.size())) {
    return make_error_code(errc::schema_too_new);
  }
  for (auto v = static_cast<std::size_t>(*version); v < schema::kMigrations.size(); ++v) {
    const std::string bump = v == 0
                                 ? "INSERT INTO schema_version VALUES (1)"
                                 : "UPDATE schema_version SET version = " + std::to_string(v + 1);
    const std::string migration =
        "BEGIN IMMEDIATE;" + std::string(schema::kMigrations[v]) + bump + ";COMMIT;";
    if (auto ok = db.exec(migration); !ok) {
      (void)db.exec("ROLLBACK");
      return ok.error();
    }
  }
  return db;
}

}  // namespace draaischijf::server::sqlite
