#include "admin/log_command.hpp"

#include <filesystem>
#include <ostream>
#include <stdexcept>

#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "core/key_file.hpp"

namespace draaischijf::server {

int log_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err) {
  const bool with_config = args.size() == 3 && args[1] == "--config";
  if (args.empty() || args[0] != "vkeys" || (args.size() != 1 && !with_config)) {
    err << "usage: draaischijf-hub log vkeys [--config FILE]\n";
    return 2;
  }
  HubConfig config;
  if (with_config) {
    auto loaded = load_config(std::string(args[2]));
    if (!loaded.ok()) {
      err << "error: " << args[2] << ": " << loaded.errors.front().key << ": "
          << loaded.errors.front().message << "\n";
      return 2;
    }
    config = loaded.config;
  }
  try {
    std::filesystem::create_directories(config.server.data_dir);
    const auto key = read_or_create_signing_key(config.server.data_dir / "hub-signing.key");
    for (const LogId log : {LogId::directory, LogId::record}) {
      const auto verifier = log_verifier(key.public_key(), log);
      out << verifier.name << " " << protocol::note::encode_vkey(verifier) << "\n";
    }
  } catch (const std::exception& failure) {
    err << "error: " << failure.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace draaischijf::server
