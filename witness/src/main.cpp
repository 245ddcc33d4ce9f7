// draaischijf-witness: a C2SP tlog-witness for the hub's transparency logs (witness/README.md).
//
//   draaischijf-witness init --dir DIR --name NAME [--host HOST]...
//   draaischijf-witness serve --config DIR/witness.toml
//   draaischijf-witness vkey --config DIR/witness.toml
//
// Exit codes: 0 done, 1 refused or failed (the reason on standard error), 2 usage.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <draaischijf/witness/config.hpp>
#include <draaischijf/witness/witness.hpp>

#include "server.hpp"
#include "tls_identity.hpp"

namespace {

using namespace draaischijf;

constexpr std::string_view kUsage =
    "usage: draaischijf-witness init --dir DIR --name NAME [--host HOST]...\n"
    "         creates DIR/witness.toml, the cosigning key DIR/witness.key (mode 0600) and a\n"
    "         self-signed TLS certificate DIR/tls.pem for HOST (default 127.0.0.1 and\n"
    "         localhost); prints the witness's vkey for the logs and clients to configure\n"
    "       draaischijf-witness serve --config FILE\n"
    "         answers POST /add-checkpoint (c2sp.org/tlog-witness) until SIGTERM\n"
    "       draaischijf-witness vkey --config FILE\n"
    "         prints the witness's vkey\n";

struct Args {
  std::string dir, name, config;
  std::vector<std::string> hosts;
};

// Options after the command word; false on anything unknown or a missing value.
bool parse_args(int argc, char** argv, Args& out) {
  for (int i = 2; i < argc; i += 2) {
    const std::string_view option = argv[i];
    if (i + 1 >= argc) {
      return false;
    }
    const std::string value = argv[i + 1];
    if (option == "--dir") {
      out.dir = value;
    } else if (option == "--name") {
      out.name = value;
    } else if (option == "--config") {
      out.config = value;
    } else if (option == "--host") {
      out.hosts.push_back(value);
    } else {
      return false;
    }
  }
  return true;
}

std::string vkey_of(const std::string& name, const protocol::SigningKey& key) {
  return protocol::note::encode_vkey({name, protocol::note::kCosignatureV1, key.public_key()});
}

int init(const Args& args) {
  if (args.dir.empty() || args.name.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::filesystem::path dir = args.dir;
  const auto config_path = dir / "witness.toml";
  if (std::filesystem::exists(config_path)) {
    std::cerr << "draaischijf-witness: " << config_path.string()
              << " exists: this folder already holds a witness; its key is never replaced\n";
    return 1;
  }
  std::filesystem::create_directories(dir);
  std::ofstream(config_path) << witness::initial_config(args.name);
  // The name is checked by the same reader serve uses before anything secret is made.
  const witness::WitnessConfig config = witness::read_config(config_path);
  const auto key = witness::create_key_file(config.key_file);
  witness::write_self_signed(
      config.tls_certificate, config.tls_private_key,
      args.hosts.empty() ? std::vector<std::string>{"127.0.0.1", "localhost"} : args.hosts);
  std::cout << "witness " << config.name << " in " << dir.string() << "\n"
            << "vkey: " << vkey_of(config.name, key) << "\n"
            << "TLS certificate for the logs to pin: " << config.tls_certificate.string() << "\n"
            << "Add a [[log]] (origin, vkey) to " << config_path.string()
            << " for each log to follow, then run: draaischijf-witness serve --config "
            << config_path.string() << "\n";
  return 0;
}

int run(const std::string& command, const Args& args) {
  if (command == "init") {
    return init(args);
  }
  if ((command != "serve" && command != "vkey") || args.config.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const witness::WitnessConfig config = witness::read_config(args.config);
  auto key = witness::read_key_file(config.key_file);
  if (command == "vkey") {
    std::cout << vkey_of(config.name, key) << "\n";
    return 0;
  }
  witness::Witness core(config.state_file, config.name, std::move(key), config.logs,
                        protocol::system_clock());
  witness::serve(config, core);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2 || !parse_args(argc, argv, args)) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    return run(argv[1], args);
  } catch (const std::exception& error) {
    std::cerr << "draaischijf-witness: " << error.what() << "\n";
    return 1;
  }
}
