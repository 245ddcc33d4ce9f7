#pragma once

// The transparency-log checkpoint a device's local state holds, read with plain SQLite (the
// tests that need it link SQLite; the stand-in of tampering_hub.hpp does not).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace draaischijf::testing {

// The directory log's checkpoint a profile's local state holds, read with plain SQLite.
struct HeldCheckpoint {
  std::uint64_t size = 0;
  std::vector<std::uint8_t> root;
  std::string note;
  bool operator==(const HeldCheckpoint&) const = default;
};

// Prepares `sql` on the state file and hands the statement to `use`.
inline void with_statement(const std::filesystem::path& state_file, const char* sql,
                           const std::function<void(sqlite3_stmt*)>& use) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(state_file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
  use(statement);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

inline std::optional<HeldCheckpoint> held_checkpoint(const std::filesystem::path& state_file) {
  std::optional<HeldCheckpoint> out;
  with_statement(
      state_file, "SELECT size, root, note FROM log_checkpoints WHERE origin LIKE '%/directory'",
      [&](sqlite3_stmt* select) {
        if (sqlite3_step(select) != SQLITE_ROW) {
          return;
        }
        const auto* root = static_cast<const std::uint8_t*>(sqlite3_column_blob(select, 1));
        out = HeldCheckpoint{static_cast<std::uint64_t>(sqlite3_column_int64(select, 0)),
                             {root, root + sqlite3_column_bytes(select, 1)},
                             reinterpret_cast<const char*>(sqlite3_column_text(select, 2))};
      });
  return out;
}

// Replaces the directory checkpoint the state holds (a device whose state was tampered with).
inline void replace_held_checkpoint(const std::filesystem::path& state_file,
                                    const std::string& note, std::uint64_t size) {
  with_statement(
      state_file, "UPDATE log_checkpoints SET note = ?, size = ? WHERE origin LIKE '%/directory'",
      [&](sqlite3_stmt* update) {
        sqlite3_bind_text(update, 1, note.c_str(), static_cast<int>(note.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(update, 2, static_cast<sqlite3_int64>(size));
        EXPECT_EQ(sqlite3_step(update), SQLITE_DONE);
      });
}

}  // namespace draaischijf::testing
