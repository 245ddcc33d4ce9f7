#pragma once

// A device's profile: one folder holding everything the device needs and nothing the hub has.
//
//   profile.conf      settings, "name value" lines (hub_host, hub_port, read_receipts)
//   keys.drks         the device's private keys, sealed at rest (key_store.hpp)
//   tls/ca.pem        the hub root the device pins
//   tls/device.pem    its client certificate chain; tls/device.key its TLS key (0600)
//   tls/request.csr   the certificate request while enrolment is pending
//   trust.txt         pinned organisation and hub keys (trust.hpp)
//   state.sqlite      local state: inbox, cursors, sequences, sent messages
//
// The folder is created with mode 0700.

#include <cstdint>
#include <filesystem>
#include <optional>

#include <draaischijf/client/hub_connection.hpp>
#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::client {

struct ProfileSettings {
  HubAddress hub;
  /// Whether reading a message tells its sender (an organisation's choice; on by default).
  bool read_receipts = true;
};

class Profile {
 public:
  /// Creates the folder (it must not exist yet, or be empty) and writes the settings.
  [[nodiscard]] static protocol::Result<Profile> create(const std::filesystem::path& dir,
                                                        const ProfileSettings& settings);
  /// client_errc::profile_invalid when the folder or its settings are missing or malformed.
  [[nodiscard]] static protocol::Result<Profile> open(const std::filesystem::path& dir);

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] const ProfileSettings& settings() const noexcept { return settings_; }
  [[nodiscard]] protocol::Result<void> save_settings(const ProfileSettings& settings);

  [[nodiscard]] std::filesystem::path key_store() const { return dir_ / "keys.drks"; }
  [[nodiscard]] std::filesystem::path trust_file() const { return dir_ / "trust.txt"; }
  /// The operator's signed directory bundle imported last (`trust import`), kept for its
  /// region, offers and CLBs.
  [[nodiscard]] std::filesystem::path directory_bundle() const { return dir_ / "directory.bundle"; }
  [[nodiscard]] std::filesystem::path state_file() const { return dir_ / "state.sqlite"; }
  /// The witnesses whose cosignatures this device demands on log checkpoints (witness_quorum.hpp).
  [[nodiscard]] std::filesystem::path witnesses_file() const { return dir_ / "witnesses.txt"; }
  [[nodiscard]] std::filesystem::path certificate_request() const {
    return dir_ / "tls" / "request.csr";
  }
  [[nodiscard]] DeviceTls tls() const {
    return {dir_ / "tls" / "ca.pem", dir_ / "tls" / "device.pem", dir_ / "tls" / "device.key"};
  }

 private:
  Profile(std::filesystem::path dir, ProfileSettings settings)
      : dir_(std::move(dir)), settings_(std::move(settings)) {}
  std::filesystem::path dir_;
  ProfileSettings settings_;
};

/// Parses "host:port" (port defaults to 8443); nullopt when malformed.
[[nodiscard]] std::optional<HubAddress> parse_hub_address(std::string_view text);

/// Writes `text` to `path` through a synced temporary file and a rename, with `mode`.
[[nodiscard]] protocol::Result<void> write_file_atomically(const std::filesystem::path& path,
                                                           std::string_view text,
                                                           unsigned mode = 0644);
/// Reads a whole (small) file; nullopt when it cannot be read.
[[nodiscard]] std::optional<std::string> read_small_file(const std::filesystem::path& path);

}  // namespace draaischijf::client
