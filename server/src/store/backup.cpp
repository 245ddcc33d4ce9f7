#include "store/backup.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>
#include <sqlite3.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "core/utc_time.hpp"
#include "store/backup_files.hpp"
#include "store/data_dir_lock.hpp"
#include "store/schema.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server::backup {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;

const char* describe(int value) noexcept {
  switch (static_cast<errc>(value)) {
    case errc::no_database:
      return "the data directory holds no hub.db";
    case errc::target_not_empty:
      return "the backup folder exists and is not empty";
    case errc::database_copy_failed:
      return "the database could not be copied";
    case errc::blob_missing:
      return "a blob the database names has no file";
    case errc::blob_changed:
      return "a blob file does not match the hash its row records";
    case errc::write_failed:
      return "a file could not be written (disk full or permissions?)";
    case errc::database_exists:
      return "the data directory already has a database or blobs";
    case errc::hub_running:
      return "a hub is running on the data directory (it holds hub.lock)";
    case errc::backup_invalid:
      return "the backup does not verify";
  }
  return "unknown backup error";
}

// Copies the live database into `copy` with the online backup API, `pages_per_step` pages at a
// time, inside one read transaction on the source: every step reads the snapshot the first one
// saw, so the writer's commits meanwhile neither restart the copy nor wait for it (WAL).
protocol::Result<void> copy_database(const fs::path& source, const fs::path& copy,
                                     const Options& options) {
  auto from = Database::open_unmigrated(source.string(), Database::Access::read_write);
  if (!from) {
    return from.error();
  }
  if (auto begun = from->exec("BEGIN; SELECT count(*) FROM sqlite_master;"); !begun) {
    return begun.error();
  }
  auto to = Database::open_unmigrated(copy.string(), Database::Access::create);
  if (!to) {
    return to.error();
  }
  sqlite3_backup* job =
      sqlite3_backup_init(to->native_handle(), "main", from->native_handle(), "main");
  if (job == nullptr) {
    return make_error_code(errc::database_copy_failed);
  }
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(job, options.pages_per_step);
    if (rc == SQLITE_DONE) {
      break;
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
      break;
    }
    std::this_thread::sleep_for(options.pause);
  }
  const int finished = sqlite3_backup_finish(job);
  (void)from->exec("COMMIT");
  if (rc != SQLITE_DONE || finished != SQLITE_OK) {
    return sqlite::from_sqlite(rc != SQLITE_DONE ? rc : finished);
  }
  // One self-contained file: the copy leaves WAL mode, and is checked before anything counts it.
  if (auto mode = to->exec("PRAGMA journal_mode=DELETE"); !mode) {
    return mode.error();
  }
  return to->integrity_check();
}

struct BlobRow {
  std::string file;  // its name in blobs/
  protocol::Hash256 hash{};
};

sqlite::Result<std::vector<BlobRow>> blob_rows(Database& db) {
  auto select = db.prepare("SELECT blob_id, hash FROM blobs ORDER BY blob_id");
  if (!select) {
    return select.error();
  }
  std::vector<BlobRow> out;
  auto listed = rows::for_each_row(*select, [&out](sqlite::Statement& row) {
    const auto hash = rows::fixed<32>(row.column_blob(1));
    out.push_back({blob_file_name(rows::fixed<16>(row.column_blob(0)), hash), hash});
  });
  if (!listed) {
    return listed.error();
  }
  return out;
}

// One attempt: the database, then the files its blob rows name.
protocol::Result<Manifest> attempt(const fs::path& data_dir, const fs::path& target,
                                   const Options& options, std::string& detail) {
  const fs::path copy = target / kDatabaseName;
  if (auto copied = copy_database(data_dir / kDatabaseName, copy, options); !copied) {
    return copied.error();
  }
  auto db = Database::open_unmigrated(copy.string(), Database::Access::read_only);
  if (!db) {
    return db.error();
  }
  Manifest manifest;
  auto version = db->schema_version();
  auto counts = row_counts(*db);
  auto blobs = blob_rows(*db);
  if (!version || !counts || !blobs) {
    return make_error_code(errc::database_copy_failed);
  }
  manifest.schema_version = *version;
  manifest.row_counts = std::move(*counts);
  if (!make_private_folder(target / kBlobFolder)) {
    return make_error_code(errc::write_failed);
  }
  for (const auto& blob : *blobs) {
    const fs::path to = target / kBlobFolder / blob.file;
    auto streamed = stream_file(data_dir / kBlobFolder / blob.file, &to);
    if (!streamed || streamed->blake2b != blob.hash) {
      detail = std::string(kBlobFolder) + "/" + blob.file;
      return streamed ? make_error_code(errc::blob_changed) : streamed.error();
    }
    manifest.files.push_back(
        {std::string(kBlobFolder) + "/" + blob.file, streamed->size, streamed->sha256});
  }
  detail.clear();
  auto database = stream_file(copy, nullptr);
  if (!database) {
    return database.error();
  }
  manifest.files.insert(manifest.files.begin(),
                        {std::string(kDatabaseName), database->size, database->sha256});
  if (!sync_folder(target / kBlobFolder) || !sync_folder(target)) {
    return make_error_code(errc::write_failed);
  }
  return manifest;
}

void remove_attempt(const fs::path& target) {
  std::error_code ignored;
  fs::remove(target / kDatabaseName, ignored);
  fs::remove(target / (std::string(kDatabaseName) + "-journal"), ignored);
  fs::remove_all(target / kBlobFolder, ignored);
}

bool is_empty_or_missing(const fs::path& folder) {
  std::error_code ec;
  return !fs::exists(folder, ec) || (fs::is_directory(folder, ec) && fs::is_empty(folder, ec));
}

}  // namespace

const boost::system::error_category& backup_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.backup", describe);
  return category;
}

protocol::Result<Manifest> create(const fs::path& data_dir, const fs::path& target,
                                  std::int64_t now_ms, const Options& options,
                                  std::string& detail) {
  std::error_code ec;
  if (!fs::is_regular_file(data_dir / kDatabaseName, ec)) {
    return make_error_code(errc::no_database);
  }
  if (!is_empty_or_missing(target)) {
    return make_error_code(errc::target_not_empty);
  }
  if (!make_private_folder(target)) {
    return make_error_code(errc::write_failed);
  }
  protocol::Result<Manifest> made = make_error_code(errc::database_copy_failed);
  for (int i = 0; i < std::max(1, options.attempts); ++i) {
    remove_attempt(target);
    made = attempt(data_dir, target, options, detail);
    // Only a blob that vanished is worth another start: the orphan sweep deleted it after the
    // snapshot, and the next snapshot no longer names it.
    if (made || made.error() != make_error_code(errc::blob_missing)) {
      break;
    }
  }
  if (!made) {
    remove_attempt(target);
    return made.error();
  }
  made->created_at_ms = now_ms;
  if (!write_atomically(target / kManifestName, manifest_json(*made))) {
    return make_error_code(errc::write_failed);
  }
  return made;
}

std::string manifest_json(const Manifest& manifest) {
  boost::json::object counts;
  for (const auto& [table, count] : manifest.row_counts) {
    counts[table] = count;
  }
  boost::json::array files;
  for (const auto& file : manifest.files) {
    files.push_back({{"path", file.path}, {"size", file.size}, {"sha256", file.sha256}});
  }
  const boost::json::object root{
      {"format", kFormat},
      {"created_at", format_utc_ms(manifest.created_at_ms)},
      {"created_at_ms", manifest.created_at_ms},
      {"schema_version", manifest.schema_version},
      {"row_counts", std::move(counts)},
      {"files", std::move(files)},
      {"not_included",
       "the hub's signing key (hub-signing.key) and its TLS material: back them up separately"}};
  return boost::json::serialize(root) + "\n";
}

protocol::Result<Manifest> parse_manifest(std::string_view text) {
  const auto invalid = make_error_code(errc::backup_invalid);
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    return invalid;
  }
  const auto& root = value.as_object();
  const auto* format = root.if_contains("format");
  const auto* at = root.if_contains("created_at_ms");
  const auto* version = root.if_contains("schema_version");
  const auto* counts = root.if_contains("row_counts");
  const auto* files = root.if_contains("files");
  if (format == nullptr || !format->is_string() || format->as_string() != kFormat ||
      at == nullptr || !at->is_int64() || version == nullptr || !version->is_int64() ||
      counts == nullptr || !counts->is_object() || files == nullptr || !files->is_array()) {
    return invalid;
  }
  Manifest manifest;
  manifest.created_at_ms = at->as_int64();
  manifest.schema_version = version->as_int64();
  for (const auto& [table, count] : counts->as_object()) {
    if (!count.is_int64()) {
      return invalid;
    }
    manifest.row_counts.emplace_back(std::string(table), count.as_int64());
  }
  for (const auto& entry : files->as_array()) {
    const auto* file = entry.if_object();
    const auto* path = file != nullptr ? file->if_contains("path") : nullptr;
    const auto* size = file != nullptr ? file->if_contains("size") : nullptr;
    const auto* sha = file != nullptr ? file->if_contains("sha256") : nullptr;
    if (path == nullptr || !path->is_string() || size == nullptr ||
        !(size->is_uint64() || size->is_int64()) || sha == nullptr || !sha->is_string()) {
      return invalid;
    }
    manifest.files.push_back({std::string(path->as_string()), size->to_number<std::uint64_t>(),
                              std::string(sha->as_string())});
  }
  return manifest;
}

}  // namespace draaischijf::server::backup
