#pragma once

// A device's private keys at rest: one file, sealed with XChaCha20-Poly1305 under a key that is
// either derived from a passphrase (Argon2id, libsodium's crypto_pwhash) or read from a key
// file. Written with mode 0600 through a synced temporary file, never over an existing store.
// What is opened lives in wiping secret types; nothing here logs or prints a secret.
//
// File (all integers big-endian):
//   "DRKS" | version u8 = 1 | kdf u8 (1 = Argon2id13 passphrase, 2 = 32-byte key file)
//   | opslimit u64 | memlimit u64 | salt[16] | nonce[24] | sealed payload (rest)
// The header is the AEAD's associated data, so its limits cannot be lowered unnoticed. The
// payload is org id[16] | device id[16] | staff id[16] | role (ascii8) | Ed25519 seed[32]
// | X25519 secret[32] | has organisation key u8 (0 or 1) | organisation Ed25519 seed[32] when 1.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::client {

enum class key_store_errc {
  cannot_open = 1,      // wrong passphrase or key file, or the file was altered
  damaged,              // not a key store, or cut short
  unsupported_version,  // written by a newer client
  file_failed,          // cannot be read or written
  exists,               // refusing to overwrite a key store
  weak_passphrase,      // shorter than kMinPassphrase
  too_costly,           // limits in the file above what this client accepts
};

[[nodiscard]] const boost::system::error_category& key_store_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(key_store_errc e) noexcept {
  return {static_cast<int>(e), key_store_category()};
}

/// Everything a device must keep secret, and the ids that say whose it is.
struct DeviceSecrets {
  protocol::Id org_id{};
  protocol::Id device_id{};
  protocol::Id staff_id{};
  std::string role;  // vocabulary name
  protocol::SigningKey signing;
  protocol::age::X25519Identity encryption;
  /// An organisation admin's device also keeps the organisation signing key, with which it
  /// signs device and mailbox-epoch certificates. Absent on every other device.
  std::optional<protocol::SigningKey> organisation;
};

/// What unlocks a store: a passphrase, or the 32 bytes of a key file.
struct Unlock {
  enum class Kind : std::uint8_t { passphrase = 1, key_file = 2 };
  Kind kind = Kind::passphrase;
  protocol::SecretBytes secret;

  [[nodiscard]] static Unlock with_passphrase(std::string_view passphrase);
  /// Reads a key file (exactly 32 bytes); fails with file_failed or damaged.
  [[nodiscard]] static protocol::Result<Unlock> with_key_file(const std::filesystem::path& path);
};

/// Argon2id cost. `moderate` (libsodium's MODERATE: 3 passes, 256 MiB) for devices;
/// `interactive` (2 passes, 64 MiB) where that is too slow. Tests use `interactive`.
struct KdfCost {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;
  [[nodiscard]] static KdfCost moderate() noexcept;
  [[nodiscard]] static KdfCost interactive() noexcept;
};

inline constexpr std::size_t kMinPassphrase = 12;

/// Creates `path` (mode 0600); fails with `exists` rather than replace a store.
[[nodiscard]] protocol::Result<void> save_key_store(const std::filesystem::path& path,
                                                    const DeviceSecrets& secrets,
                                                    const Unlock& unlock,
                                                    KdfCost cost = KdfCost::moderate());

[[nodiscard]] protocol::Result<DeviceSecrets> open_key_store(const std::filesystem::path& path,
                                                             const Unlock& unlock);

/// Writes a fresh random 32-byte key file (mode 0600, never over an existing file).
[[nodiscard]] protocol::Result<void> create_key_file(const std::filesystem::path& path);

}  // namespace draaischijf::client

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::client::key_store_errc> : std::true_type {};
}  // namespace boost::system
