#include "admin/backup_command.hpp"

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include <draaischijf/server/core/config.hpp>

#include "admin/command_words.hpp"
#include "admin/hub_database.hpp"
#include "store/backup.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kHelp = "draaischijf-hub --help";
constexpr std::string_view kSecretsApart =
    "not included: the hub's signing key (hub-signing.key) and its TLS material; they are "
    "secrets backed up separately (docs/OPERATIONS.md, Backup and restore)\n";

int usage(std::ostream& err, std::string_view synopsis) {
  err << "usage: draaischijf-hub " << synopsis << "\n";
  return 2;
}

std::optional<fs::path> data_dir_of(const Words& words, std::ostream& err) {
  auto config = command_config(words.one("config"), err);
  if (!config) {
    return std::nullopt;
  }
  return std::move(config->server.data_dir);
}

std::uint64_t total_bytes(const backup::Manifest& manifest) {
  std::uint64_t total = 0;
  for (const auto& file : manifest.files) {
    total += file.size;
  }
  return total;
}

void describe(const backup::Manifest& manifest, std::ostream& out) {
  out << "schema version " << manifest.schema_version << ", " << manifest.files.size() << " files ("
      << total_bytes(manifest) << " bytes), rows:";
  for (const auto& [table, count] : manifest.row_counts) {
    out << " " << table << "=" << count;
  }
  out << "\n";
}

int make_backup(const Words& words, std::ostream& out, std::ostream& err,
                const protocol::Clock& clock) {
  const auto data_dir = data_dir_of(words, err);
  if (!data_dir) {
    return 2;
  }
  const fs::path target(words.positional.front());
  std::string detail;
  auto made = backup::create(*data_dir, target, clock.now_ms(), {}, detail);
  if (!made) {
    err << "error: backup failed: " << made.error().message()
        << (detail.empty() ? "" : " (" + detail + ")") << "; ";
    if (made.error() == make_error_code(backup::errc::target_not_empty)) {
      err << "give a new or empty folder\n";
    } else if (made.error() == make_error_code(backup::errc::no_database)) {
      err << "check server.data_dir in the configuration\n";
    } else {
      err << "check the disk and the data directory, then run the backup again\n";
    }
    return 1;
  }
  out << "backup written to " << target.string() << ": ";
  describe(*made, out);
  out << kSecretsApart;
  return 0;
}

int verify_backup(const Words& words, std::ostream& out, std::ostream& err) {
  const fs::path dir(words.positional.front());
  const auto problems = backup::verify(dir);
  if (!problems.empty()) {
    for (const auto& problem : problems) {
      err << "problem: " << problem << "\n";
    }
    err << "backup " << dir.string() << " does NOT verify (" << problems.size()
        << " problem(s)); do not restore it\n";
    return 1;
  }
  out << "backup " << dir.string() << " verifies: integrity_check ok, every file as the "
      << "manifest records it, every blob the database references present\n";
  return 0;
}

int restore_backup(const Words& words, std::ostream& out, std::ostream& err) {
  const auto data_dir = data_dir_of(words, err);
  if (!data_dir) {
    return 2;
  }
  const fs::path dir(words.positional.front());
  std::vector<std::string> problems;
  auto restored = backup::restore(dir, *data_dir, words.flag("force"), problems);
  if (!restored) {
    for (const auto& problem : problems) {
      err << "problem: " << problem << "\n";
    }
    err << "error: restore refused: " << restored.error().message() << "; ";
    if (restored.error() == make_error_code(backup::errc::hub_running)) {
      err << "stop the hub first\n";
    } else if (restored.error() == make_error_code(backup::errc::database_exists)) {
      err << "restore into an empty data directory, or pass --force to replace its database "
             "and blobs\n";
    } else if (restored.error() == make_error_code(backup::errc::backup_invalid)) {
      err << "restore another backup\n";
    } else {
      err << "check the disk and the data directory\n";
    }
    return 1;
  }
  out << "restored " << dir.string() << " into " << data_dir->string() << ": ";
  describe(*restored, out);
  out << kSecretsApart << "put hub-signing.key and the TLS files back before starting the hub\n";
  return 0;
}

}  // namespace

int backup_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err,
                   const protocol::Clock& clock) {
  Words words;
  const std::string_view command = args.empty() ? std::string_view() : args[0];
  if (command == "backup") {
    if (!parse_words(args, {"config"}, {}, command, kHelp, words, err) || !words.has("config") ||
        words.positional.size() != 1) {
      return usage(err, "backup --config FILE DIR");
    }
    return make_backup(words, out, err, clock);
  }
  if (command == "verify") {
    if (!parse_words(args, {}, {}, command, kHelp, words, err) || words.positional.size() != 1) {
      return usage(err, "verify DIR");
    }
    return verify_backup(words, out, err);
  }
  if (command == "restore") {
    if (!parse_words(args, {"config"}, {"force"}, command, kHelp, words, err) ||
        !words.has("config") || words.positional.size() != 1) {
      return usage(err, "restore --config FILE [--force] DIR");
    }
    return restore_backup(words, out, err);
  }
  return usage(err, "backup|verify|restore ...");
}

}  // namespace draaischijf::server
