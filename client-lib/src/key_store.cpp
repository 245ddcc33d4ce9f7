#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <draaischijf/client/key_store.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "sealed_store.hpp"

namespace draaischijf::client {
namespace {

using protocol::Result;
using protocol::SecretBytes;
using protocol::SecretKey;

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'K', 'S'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSaltSize = crypto_pwhash_SALTBYTES;
constexpr std::size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kHeaderSize = 4 + 1 + 1 + 8 + 8 + kSaltSize + kNonceSize;
// A file may not ask for more than this: a planted store must not make the client spend
// minutes or gigabytes before it can say no.
constexpr std::uint64_t kMaxOpslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
constexpr std::uint64_t kMaxMemlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;

const char* describe(int value) noexcept {
  switch (static_cast<key_store_errc>(value)) {
    case key_store_errc::cannot_open:
      return "the passphrase or key file does not open this key store (or the file was altered)";
    case key_store_errc::damaged:
      return "the file is not a Draaischijf key store or is cut short";
    case key_store_errc::unsupported_version:
      return "the key store was written by a newer client";
    case key_store_errc::file_failed:
      return "the key store file cannot be read or written";
    case key_store_errc::exists:
      return "a key store is already there; refusing to overwrite it";
    case key_store_errc::weak_passphrase:
      return "the passphrase is too short (at least 12 characters)";
    case key_store_errc::too_costly:
      return "the key store asks for more key-derivation work than this client allows";
  }
  return "unknown key store error";
}

// The sealing key: Argon2id over the passphrase, or the key file's bytes as they are.
Result<SecretKey<32>> sealing_key(const Unlock& unlock, std::span<const std::uint8_t> salt,
                                  std::uint64_t opslimit, std::uint64_t memlimit) {
  SecretKey<32> key;
  if (unlock.kind == Unlock::Kind::key_file) {
    if (unlock.secret.size() != key.kSize) {
      return make_error_code(key_store_errc::cannot_open);
    }
    std::copy(unlock.secret.expose().begin(), unlock.secret.expose().end(),
              key.expose_mutable().begin());
    return key;
  }
  const auto passphrase = unlock.secret.expose();
  if (crypto_pwhash(key.expose_mutable().data(), key.kSize,
                    reinterpret_cast<const char*>(passphrase.data()), passphrase.size(),
                    salt.data(), opslimit, static_cast<std::size_t>(memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error_code(key_store_errc::too_costly);  // out of memory for these limits
  }
  return key;
}

// Creates the file only if it is not there, 0600, synced; the bytes are public (sealed) or a
// key file's secret, which the caller wipes.
Result<void> write_new_file(const std::filesystem::path& path, std::span<const std::uint8_t> data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error_code(errno == EEXIST ? key_store_errc::exists : key_store_errc::file_failed);
  }
  const bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(path);
    return make_error_code(key_store_errc::file_failed);
  }
  return {};
}

Result<SecretBytes> read_file(const std::filesystem::path& path, std::size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error_code(key_store_errc::file_failed);
  }
  SecretBytes bytes(limit + 1);
  std::size_t total = 0;
  ssize_t n = 0;
  while (total < bytes.size() &&
         (n = ::read(fd, bytes.expose_mutable().data() + total, bytes.size() - total)) > 0) {
    total += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (n < 0) {
    return make_error_code(key_store_errc::file_failed);
  }
  if (total > limit) {
    return make_error_code(key_store_errc::damaged);
  }
  bytes.resize(total);
  return bytes;
}

}  // namespace

const boost::system::error_category& key_store_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.key_store", describe);
  return category;
}

Unlock Unlock::with_passphrase(std::string_view passphrase) {
  return {Kind::passphrase,
          SecretBytes::copy_of(
              {reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size()})};
}

Result<Unlock> Unlock::with_key_file(const std::filesystem::path& path) {
  auto bytes = read_file(path, 32);
  if (!bytes) {
    return bytes.error();
  }
  if (bytes->size() != 32) {
    return make_error_code(key_store_errc::damaged);
  }
  return Unlock{Kind::key_file, std::move(*bytes)};
}

KdfCost KdfCost::moderate() noexcept {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

KdfCost KdfCost::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Result<void> seal_store(const std::filesystem::path& path, const std::array<std::uint8_t, 4>& magic,
                        const protocol::SecretBuffer& payload, const Unlock& unlock, KdfCost cost) {
  if (unlock.kind == Unlock::Kind::passphrase && unlock.secret.size() < kMinPassphrase) {
    return make_error_code(key_store_errc::weak_passphrase);
  }
  if (cost.opslimit > kMaxOpslimit || cost.memlimit > kMaxMemlimit) {
    return make_error_code(key_store_errc::too_costly);
  }
  std::vector<std::uint8_t> file;
  protocol::wire::Writer header(file);
  header.bytes(magic);
  header.u8(kVersion);
  header.u8(static_cast<std::uint8_t>(unlock.kind));
  header.u64(cost.opslimit);
  header.u64(cost.memlimit);
  std::array<std::uint8_t, kSaltSize> salt{};
  std::array<std::uint8_t, kNonceSize> nonce{};
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  header.bytes(salt);
  header.bytes(nonce);

  auto key = sealing_key(unlock, salt, cost.opslimit, cost.memlimit);
  if (!key) {
    return key.error();
  }
  const std::size_t header_size = file.size();
  file.resize(header_size + payload.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long sealed = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(file.data() + header_size, &sealed, payload.data(),
                                             payload.size(), file.data(), header_size, nullptr,
                                             nonce.data(), key->expose().data());
  return write_new_file(path, file);
}

Result<SecretBytes> open_store(const std::filesystem::path& path,
                               const std::array<std::uint8_t, 4>& magic, const Unlock& unlock) {
  auto file = read_file(path, 64 * 1024);
  if (!file) {
    return file.error();
  }
  const auto bytes = file->expose();
  if (bytes.size() < kHeaderSize + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return make_error_code(key_store_errc::damaged);
  }
  protocol::wire::Reader header(bytes.first(kHeaderSize));
  const auto read_magic = header.fixed<4>();
  const auto version = header.u8();
  const auto kind = header.u8();
  const auto opslimit = header.u64();
  const auto memlimit = header.u64();
  const auto salt = header.take(kSaltSize);
  const auto nonce = header.take(kNonceSize);
  if (read_magic != magic) {
    return make_error_code(key_store_errc::damaged);
  }
  if (version != kVersion) {
    return make_error_code(key_store_errc::unsupported_version);
  }
  if (kind != static_cast<std::uint8_t>(unlock.kind)) {
    return make_error_code(key_store_errc::cannot_open);
  }
  if (opslimit > kMaxOpslimit || memlimit > kMaxMemlimit ||
      (kind == static_cast<std::uint8_t>(Unlock::Kind::passphrase) &&
       (opslimit < crypto_pwhash_OPSLIMIT_MIN || memlimit < crypto_pwhash_MEMLIMIT_MIN))) {
    return make_error_code(key_store_errc::too_costly);
  }
  auto key = sealing_key(unlock, salt, opslimit, memlimit);
  if (!key) {
    return key.error();
  }
  const auto sealed = bytes.subspan(kHeaderSize);
  SecretBytes payload(sealed.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long opened = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          payload.expose_mutable().data(), &opened, nullptr, sealed.data(), sealed.size(),
          bytes.data(), kHeaderSize, nonce.data(), key->expose().data()) != 0) {
    return make_error_code(key_store_errc::cannot_open);
  }
  return payload;
}

Result<void> save_key_store(const std::filesystem::path& path, const DeviceSecrets& secrets,
                            const Unlock& unlock, KdfCost cost) {
  protocol::SecretBuffer payload;
  protocol::wire::SecretWriter writer(payload);
  writer.bytes(secrets.org_id);
  writer.bytes(secrets.device_id);
  writer.bytes(secrets.staff_id);
  writer.text8(secrets.role);
  writer.bytes(secrets.signing.expose_seed().expose());
  writer.bytes(secrets.encryption.secret().expose());
  writer.u8(secrets.organisation ? 1 : 0);
  if (secrets.organisation) {
    writer.bytes(secrets.organisation->expose_seed().expose());
  }
  return seal_store(path, kMagic, payload, unlock, cost);
}

Result<DeviceSecrets> open_key_store(const std::filesystem::path& path, const Unlock& unlock) {
  auto payload = open_store(path, kMagic, unlock);
  if (!payload) {
    return payload.error();
  }
  protocol::wire::Reader reader(payload->expose());
  const auto org_id = reader.fixed<16>();
  const auto device_id = reader.fixed<16>();
  const auto staff_id = reader.fixed<16>();
  std::string role = reader.ascii8();
  const auto seed = reader.take(32);
  const auto encryption = reader.take(32);
  const auto has_organisation_key = reader.u8();
  const auto organisation_seed = has_organisation_key == 1 ? reader.take(32) : reader.take(0);
  if (has_organisation_key > 1 || !reader.finish()) {
    return make_error_code(key_store_errc::damaged);
  }
  DeviceSecrets secrets{
      org_id,
      device_id,
      staff_id,
      std::move(role),
      protocol::SigningKey::from_seed(SecretKey<32>::copy_of(seed.first<32>())),
      protocol::age::X25519Identity::from_secret(SecretKey<32>::copy_of(encryption.first<32>())),
      std::nullopt};
  if (has_organisation_key == 1) {
    secrets.organisation =
        protocol::SigningKey::from_seed(SecretKey<32>::copy_of(organisation_seed.first<32>()));
  }
  return secrets;
}

Result<void> create_key_file(const std::filesystem::path& path) {
  const auto key = SecretKey<32>::random();
  return write_new_file(path, key.expose());
}

}  // namespace draaischijf::client
