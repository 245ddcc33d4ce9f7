#pragma once

// A consistent copy of the hub's data while the hub serves, its check and its restore.
//
// A backup is a folder: hub.db (one self-contained SQLite file in rollback-journal mode), blobs/
// (the attachment files its blob rows name, under their data_dir names) and manifest.json (when
// it was made, the schema version, the row count of every table and every file with its size
// and SHA-256). The database is copied with SQLite's online backup API inside one read
// transaction on the live file: the copy is the snapshot at its start, the group-commit writer
// goes on beside it (WAL), and the copy advances a few pages per step. The blob files are
// copied after, exactly those the copy's rows name: files are immutable once their row exists,
// so a blob that arrives during the backup is simply not in it, and a blob deleted after the
// snapshot (the orphan sweep) makes the backup start again.
//
// Not in a backup: the hub's receipt-signing key (hub-signing.key) and the TLS material. They
// are secrets kept and backed up apart from the data (docs/OPERATIONS.md, "Backup and restore").

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::server::backup {

inline constexpr std::string_view kManifestName = "manifest.json";
inline constexpr std::string_view kDatabaseName = "hub.db";
inline constexpr std::string_view kBlobFolder = "blobs";
inline constexpr std::string_view kFormat = "draaischijf-hub-backup/1";

enum class errc {
  no_database = 1,   // data_dir holds no hub.db
  target_not_empty,  // the backup folder exists and is not empty
  database_copy_failed,
  blob_missing,     // a blob the database names has no file, even after starting again
  blob_changed,     // a blob file does not hash to its row's hash
  write_failed,     // a file of the backup or the restore could not be written
  database_exists,  // restore: the data directory has a database or blobs (no --force)
  hub_running,      // restore: a hub holds the data directory
  backup_invalid,   // restore: the backup does not verify
};
[[nodiscard]] const boost::system::error_category& backup_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), backup_category()};
}

struct FileEntry {
  std::string path;  // relative to the backup folder, '/'-separated
  std::uint64_t size = 0;
  std::string sha256;  // lower-case hex
};

struct Manifest {
  std::int64_t created_at_ms = 0;
  std::int64_t schema_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> row_counts;  // by table name
  std::vector<FileEntry> files;
};

struct Options {
  int pages_per_step = 64;             // pages copied per sqlite3_backup_step
  std::chrono::milliseconds pause{1};  // between steps, so the copy never hogs the disk
  int attempts = 3;                    // starts, when blobs vanish during the copy
};

/// Makes a backup of data_dir in `target` (created; must be empty or missing). `detail` names
/// the file when a blob is missing or changed.
[[nodiscard]] protocol::Result<Manifest> create(const std::filesystem::path& data_dir,
                                                const std::filesystem::path& target,
                                                std::int64_t now_ms, const Options& options,
                                                std::string& detail);

/// Checks a backup folder; every problem found, each a sentence naming the file and the reason.
/// Empty: the backup is sound.
[[nodiscard]] std::vector<std::string> verify(const std::filesystem::path& dir);

/// Verifies `backup_dir`, then restores it into data_dir while holding data_dir's lock:
/// refused while a hub runs there, and when data_dir has a database or blobs unless `force`
/// (then they are replaced). The key files in data_dir are left alone. `problems` gets
/// verify()'s findings when the backup does not verify.
[[nodiscard]] protocol::Result<Manifest> restore(const std::filesystem::path& backup_dir,
                                                 const std::filesystem::path& data_dir, bool force,
                                                 std::vector<std::string>& problems);

/// The manifest as JSON text, and back.
[[nodiscard]] std::string manifest_json(const Manifest& manifest);
[[nodiscard]] protocol::Result<Manifest> parse_manifest(std::string_view text);

}  // namespace draaischijf::server::backup

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::backup::errc> : std::true_type {};
}  // namespace boost::system
