// The raw storage limit the hub is measured against: SQLite in WAL mode with synchronous=FULL,
// one writer inserting a 2 KiB row and an audit row per message, in transactions of a given
// size. Nothing else: no parsing, no TLS, no signatures, no queue entries.
//
//   storage_baseline DIR BATCH SECONDS [ROW_BYTES]    prints rows_per_s=...

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace {

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "storage_baseline: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: storage_baseline DIR BATCH SECONDS [ROW_BYTES]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const long batch = std::stol(argv[2]);
  const double seconds = std::stod(argv[3]);
  const std::size_t row_bytes = argc > 4 ? std::stoul(argv[4]) : 2048;
  std::filesystem::create_directories(dir);
  const auto file = dir / ("baseline-" + std::to_string(batch) + ".db");
  std::filesystem::remove(file);

  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db, "open");
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE envelopes(id INTEGER PRIMARY KEY, body BLOB NOT NULL);"
                     "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
                     " event TEXT NOT NULL, envelope INTEGER NOT NULL);",
                     nullptr, nullptr, nullptr),
        db, "schema");
  sqlite3_stmt* envelope = nullptr;
  sqlite3_stmt* audit = nullptr;
  check(sqlite3_prepare_v2(db, "INSERT INTO envelopes(body) VALUES (?)", -1, &envelope, nullptr),
        db, "prepare");
  check(sqlite3_prepare_v2(db, "INSERT INTO audit(at, event, envelope) VALUES (?, 'accepted', ?)",
                           -1, &audit, nullptr),
        db, "prepare");
  const std::vector<unsigned char> body(row_bytes, 0x5a);

  long rows = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(seconds));
  while (std::chrono::steady_clock::now() < deadline) {
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    for (long i = 0; i < batch; ++i) {
      sqlite3_bind_blob(envelope, 1, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      check(sqlite3_step(envelope), db, "insert");
      sqlite3_reset(envelope);
      sqlite3_bind_int64(audit, 1, rows);
      sqlite3_bind_int64(audit, 2, sqlite3_last_insert_rowid(db));
      check(sqlite3_step(audit), db, "audit");
      sqlite3_reset(audit);
      ++rows;
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sqlite3_finalize(envelope);
  sqlite3_finalize(audit);
  sqlite3_close(db);
  std::printf("batch=%ld\nrows=%ld\nrows_per_s=%.0f\n", batch, rows,
              static_cast<double>(rows) / elapsed);
  return 0;
}
