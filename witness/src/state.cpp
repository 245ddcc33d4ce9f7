#include "state.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace draaischijf::witness {
namespace {

// Sizes are written as decimal text: a tree size may reach 2^64 - 1, beyond SQLite's integers.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS cosigned("
    "  origin TEXT PRIMARY KEY, size TEXT NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL,"
    "  cosigned_at_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS evidence("
    "  id INTEGER PRIMARY KEY, origin TEXT NOT NULL, reason TEXT NOT NULL,"
    "  request TEXT NOT NULL, received_at_ms INTEGER NOT NULL);";

// One prepared statement, finalized however the scope ends.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  [[nodiscard]] bool ok() const { return stmt_ != nullptr; }
  void text(int i, std::string_view value) {
    sqlite3_bind_text(stmt_, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void blob(int i, std::span<const std::uint8_t> value) {
    sqlite3_bind_blob(stmt_, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void integer(int i, std::int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
  [[nodiscard]] int step() { return ok() ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  [[nodiscard]] std::string column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  [[nodiscard]] std::span<const std::uint8_t> column_blob(int i) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, i));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))};
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

Witness::State::State(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
          SQLITE_OK ||
      !exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;") ||
      !exec(kSchema)) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open the witness state " + file.string() + ": " + why +
                             "; check that its folder exists and is writable");
  }
}

Witness::State::~State() { sqlite3_close(db_); }

bool Witness::State::exec(const char* sql) const {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool Witness::State::begin() { return exec("BEGIN IMMEDIATE"); }

void Witness::State::rollback() { (void)exec("ROLLBACK"); }

std::optional<Cosigned> Witness::State::read(std::string_view origin) const {
  Statement select(db_, "SELECT size, root FROM cosigned WHERE origin = ?1");
  select.text(1, origin);
  if (select.step() != SQLITE_ROW) {
    return std::nullopt;
  }
  Cosigned out;
  out.size = std::stoull(select.column_text(0));
  const auto root = select.column_blob(1);
  if (root.size() != out.root.size()) {
    throw std::runtime_error("the witness state is damaged: a stored root is not 32 bytes");
  }
  std::copy(root.begin(), root.end(), out.root.begin());
  return out;
}

bool Witness::State::store_and_commit(std::string_view origin, const Cosigned& latest,
                                      std::string_view note, std::int64_t at_ms) {
  Statement upsert(db_,
                   "INSERT INTO cosigned(origin, size, root, note, cosigned_at_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(origin) DO UPDATE SET "
                   "size = excluded.size, root = excluded.root, note = excluded.note, "
                   "cosigned_at_ms = excluded.cosigned_at_ms");
  upsert.text(1, origin);
  upsert.text(2, std::to_string(latest.size));
  upsert.blob(3, latest.root);
  upsert.text(4, note);
  upsert.integer(5, at_ms);
  if (upsert.step() != SQLITE_DONE || !exec("COMMIT")) {
    rollback();
    return false;
  }
  return true;
}

void Witness::State::keep_evidence(std::string_view origin, std::string_view reason,
                                   std::string_view request, std::int64_t at_ms) {
  Statement insert(db_,
                   "INSERT INTO evidence(origin, reason, request, received_at_ms) "
                   "VALUES (?1, ?2, ?3, ?4)");
  insert.text(1, origin);
  insert.text(2, reason);
  insert.text(3, request);
  insert.integer(4, at_ms);
  (void)insert.step();  // evidence is a courtesy to the log's auditors; the refusal stands alone
}

std::vector<Witness::Evidence> Witness::State::evidence() const {
  Statement select(db_, "SELECT origin, reason, request FROM evidence ORDER BY id");
  std::vector<Evidence> out;
  while (select.step() == SQLITE_ROW) {
    out.push_back({select.column_text(0), select.column_text(1), select.column_text(2)});
  }
  return out;
}

}  // namespace draaischijf::witness
