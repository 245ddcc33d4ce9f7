// verify() and restore() of store/backup.hpp: the check a backup must pass, and the restore that
// runs it first.

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "store/backup.hpp"
#include "store/backup_files.hpp"
#include "store/data_dir_lock.hpp"
#include "store/schema.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server::backup {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;

// Only the names a backup writes: hub.db and blobs/<name>, nothing that climbs out.
bool allowed_path(const std::string& path) {
  if (path == kDatabaseName) {
    return true;
  }
  const std::string prefix = std::string(kBlobFolder) + "/";
  if (path.rfind(prefix, 0) != 0 || path.size() == prefix.size()) {
    return false;
  }
  const std::string name = path.substr(prefix.size());
  return name.find('/') == std::string::npos && name != "." && name != "..";
}

// Checks the files against the manifest; returns the BLAKE2b hash of each file that matched.
std::map<std::string, protocol::Hash256> check_files(const fs::path& dir, const Manifest& manifest,
                                                     std::vector<std::string>& problems) {
  std::map<std::string, protocol::Hash256> sound;
  for (const auto& file : manifest.files) {
    if (!allowed_path(file.path)) {
      problems.push_back(file.path + ": the manifest names a file outside the backup's layout");
      continue;
    }
    auto streamed = stream_file(dir / file.path, nullptr);
    if (!streamed) {
      problems.push_back(file.path + ": listed in the manifest but missing or unreadable");
    } else if (streamed->size != file.size) {
      problems.push_back(file.path + ": " + std::to_string(streamed->size) +
                         " bytes, the manifest says " + std::to_string(file.size) +
                         " (truncated or changed)");
    } else if (streamed->sha256 != file.sha256) {
      problems.push_back(file.path + ": SHA-256 differs from the manifest (corrupted)");
    } else {
      sound.emplace(file.path, streamed->blake2b);
    }
  }
  // Every file in the folder is the manifest itself or one it lists.
  std::set<std::string> listed;
  for (const auto& file : manifest.files) {
    listed.insert(file.path);
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory()) {
      continue;
    }
    const std::string relative = it->path().lexically_relative(dir).generic_string();
    if (relative != kManifestName && listed.count(relative) == 0) {
      problems.push_back(relative + ": not accounted for by the manifest");
    }
  }
  return sound;
}

// PRAGMA integrity_check's first line, or why it gave none.
std::string integrity_verdict(Database& db) {
  auto check = db.prepare("PRAGMA integrity_check");
  if (!check) {
    return check.error().message();
  }
  auto row = check->step();
  if (!row) {
    return row.error().message();
  }
  return *row ? check->column_text(0) : std::string("no answer");
}

// integrity_check, schema version, row counts and the blob rows against the files.
void check_database(const fs::path& dir, const Manifest& manifest,
                    const std::map<std::string, protocol::Hash256>& sound,
                    std::vector<std::string>& problems) {
  const std::string name(kDatabaseName);
  auto db = Database::open_unmigrated((dir / kDatabaseName).string(), Database::Access::read_only);
  if (!db) {
    problems.push_back(name + ": cannot be opened as a SQLite database");
    return;
  }
  if (const auto verdict = integrity_verdict(*db); verdict != "ok") {
    problems.push_back(name + ": PRAGMA integrity_check failed (" + verdict + ")");
    return;  // what follows would only read a broken file
  }
  const auto version = db->schema_version();
  constexpr auto kKnown = static_cast<std::int64_t>(schema::kMigrations.size());
  if (!version || *version < 1 || *version > kKnown) {
    problems.push_back(name + ": schema version " +
                       (version ? std::to_string(*version) : std::string("unreadable")) +
                       " is not one this hub knows (1 to " + std::to_string(kKnown) + ")");
    return;
  }
  if (*version != manifest.schema_version) {
    problems.push_back(name + ": schema version " + std::to_string(*version) +
                       ", the manifest says " + std::to_string(manifest.schema_version));
  }
  auto counts = row_counts(*db);
  if (!counts) {
    problems.push_back(name + ": cannot count its rows");
    return;
  }
  if (*counts != manifest.row_counts) {
    problems.push_back(name + ": its tables or row counts differ from the manifest's");
  }
  auto select = db->prepare("SELECT blob_id, hash FROM blobs");
  if (!select) {
    problems.push_back(name + ": cannot read its blob rows");
    return;
  }
  std::set<std::string> referenced;
  auto listed = rows::for_each_row(*select, [&](sqlite::Statement& blob) {
    const auto hash = rows::fixed<32>(blob.column_blob(1));
    const std::string file =
        std::string(kBlobFolder) + "/" + blob_file_name(rows::fixed<16>(blob.column_blob(0)), hash);
    referenced.insert(file);
    const auto it = sound.find(file);
    if (it == sound.end()) {
      problems.push_back(file + ": the database references this blob but the backup has no " +
                         "sound copy of it");
    } else if (it->second != hash) {
      problems.push_back(file + ": does not hash to the BLAKE2b hash its database row records");
    }
  });
  if (!listed) {
    problems.push_back(name + ": cannot read its blob rows");
  }
  for (const auto& file : manifest.files) {
    if (file.path != kDatabaseName && referenced.count(file.path) == 0) {
      problems.push_back(file.path + ": no database row references this blob");
    }
  }
}

bool has_data(const fs::path& data_dir) {
  std::error_code ec;
  for (const std::string suffix : {"", "-wal", "-journal"}) {
    if (fs::exists(data_dir / (std::string(kDatabaseName) + suffix), ec)) {
      return true;
    }
  }
  const auto blobs = data_dir / kBlobFolder;
  return fs::exists(blobs, ec) && !fs::is_empty(blobs, ec);
}

void remove_data(const fs::path& data_dir) {
  std::error_code ignored;
  for (const std::string suffix : {"", "-wal", "-shm", "-journal", ".restoring"}) {
    fs::remove(data_dir / (std::string(kDatabaseName) + suffix), ignored);
  }
  fs::remove_all(data_dir / kBlobFolder, ignored);
}

}  // namespace

std::vector<std::string> verify(const fs::path& dir) {
  std::ifstream in(dir / kManifestName);
  if (!in) {
    return {std::string(kManifestName) + ": missing; " + dir.string() + " is not a backup"};
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto manifest = parse_manifest(text.str());
  if (!manifest) {
    return {std::string(kManifestName) + ": not a manifest of format " + std::string(kFormat)};
  }
  std::vector<std::string> problems;
  const auto sound = check_files(dir, *manifest, problems);
  const bool listed = std::any_of(manifest->files.begin(), manifest->files.end(),
                                  [](const FileEntry& f) { return f.path == kDatabaseName; });
  if (!listed) {
    problems.push_back(std::string(kManifestName) + ": lists no hub.db");
  } else if (sound.count(std::string(kDatabaseName)) != 0 ||
             std::filesystem::exists(dir / kDatabaseName)) {
    check_database(dir, *manifest, sound, problems);
  }
  return problems;
}

protocol::Result<Manifest> restore(const fs::path& backup_dir, const fs::path& data_dir, bool force,
                                   std::vector<std::string>& problems) {
  problems = verify(backup_dir);
  if (!problems.empty()) {
    return make_error_code(errc::backup_invalid);
  }
  std::ifstream in(backup_dir / kManifestName);
  std::ostringstream text;
  text << in.rdbuf();
  auto manifest = parse_manifest(text.str());
  if (!manifest || !make_private_folder(data_dir)) {
    return make_error_code(!manifest ? errc::backup_invalid : errc::write_failed);
  }
  // Held to the end: no hub starts on the data directory while it is half restored.
  auto lock = DataDirLock::acquire(data_dir);
  if (!lock) {
    return lock.error() == make_error_code(data_dir_lock_errc::held)
               ? make_error_code(errc::hub_running)
               : make_error_code(errc::write_failed);
  }
  if (has_data(data_dir)) {
    if (!force) {
      return make_error_code(errc::database_exists);
    }
    remove_data(data_dir);
  }
  if (!make_private_folder(data_dir / kBlobFolder)) {
    return make_error_code(errc::write_failed);
  }
  // The blobs first, the database last under a temporary name and renamed: a restore that stops
  // half-way leaves no hub.db, so a hub never starts on part of one.
  const fs::path staged = data_dir / (std::string(kDatabaseName) + ".restoring");
  for (const auto& file : manifest->files) {
    const fs::path to = file.path == kDatabaseName ? staged : data_dir / file.path;
    auto copied = stream_file(backup_dir / file.path, &to);
    if (!copied || copied->sha256 != file.sha256) {
      remove_data(data_dir);
      return make_error_code(copied ? errc::backup_invalid : errc::write_failed);
    }
  }
  std::error_code renamed;
  fs::rename(staged, data_dir / kDatabaseName, renamed);
  if (renamed || !sync_folder(data_dir / kBlobFolder) || !sync_folder(data_dir)) {
    return make_error_code(errc::write_failed);
  }
  return manifest;
}

}  // namespace draaischijf::server::backup
