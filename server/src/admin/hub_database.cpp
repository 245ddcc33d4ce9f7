#include "admin/hub_database.hpp"

#include <filesystem>
#include <ostream>
#include <string>

namespace draaischijf::server {

std::optional<HubConfig> command_config(std::string_view path, std::ostream& err) {
  auto loaded = load_config(std::string(path));
  if (!loaded.ok()) {
    const auto& first = loaded.errors.front();
    err << "error: --config: " << (first.key.empty() ? std::string(path) : first.key) << ": "
        << first.message << "\n";
    return std::nullopt;
  }
  return std::move(loaded.config);
}

std::shared_ptr<Storage> open_hub_database(const HubConfig& config, WhenNoDatabase missing,
                                           std::ostream& err) {
  const auto database = config.server.data_dir / "hub.db";
  std::error_code ec;
  if (missing == WhenNoDatabase::create) {
    std::filesystem::create_directories(config.server.data_dir, ec);
  } else if (!std::filesystem::is_regular_file(database, ec)) {
    err << "error: no hub.db in " << config.server.data_dir.string()
        << "; check server.data_dir in the configuration file\n";
    return nullptr;
  }
  auto storage = Storage::open(database.string());
  if (!storage) {
    err << "error: opening the database: " << storage.error().message()
        << "; check server.data_dir\n";
    return nullptr;
  }
  return *storage;
}

}  // namespace draaischijf::server
