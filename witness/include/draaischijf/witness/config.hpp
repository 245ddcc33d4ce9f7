#pragma once

// The witness's one TOML file (draaischijf-witness.example.toml): its name, where it listens,
// its files, and the logs it follows. Every key is checked and unknown keys are refused, so a
// typo is not silently a default.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <draaischijf/witness/witness.hpp>

namespace draaischijf::witness {

struct WitnessConfig {
  std::string name;  // the witness's key name, e.g. "witness.clb-example.be/w1"
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 7380;  // 0: any free port (the log line "listening" says which)
  // Relative paths are relative to the configuration file's folder.
  std::filesystem::path key_file = "witness.key";
  std::filesystem::path state_file = "witness.db";
  std::filesystem::path tls_certificate = "tls.pem";
  std::filesystem::path tls_private_key = "tls.key";
  std::vector<LogKey> logs;
};

/// Throws std::runtime_error naming the file, the key and what to write instead.
[[nodiscard]] WitnessConfig read_config(const std::filesystem::path& file);

/// The configuration init writes: the name, the default files, no logs yet.
[[nodiscard]] std::string initial_config(std::string_view name);

}  // namespace draaischijf::witness
