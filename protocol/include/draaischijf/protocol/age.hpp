#pragma once

// age v1 (https://c2sp.org/age) with X25519 recipients: the content encryption of every
// envelope, so a mailbox key can always open an archived message with the stock `age` tool.
//
//   auto recipient = age::X25519Recipient::parse("age1...").value();
//   std::vector<std::uint8_t> file = age::encrypt(plaintext, {&recipient, 1});
//   auto opened = age::decrypt(file, {&identity, 1});  // Result<SecretBytes>

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol::age {

inline constexpr std::size_t kFileKeySize = 16;
inline constexpr std::size_t kNonceSize = 16;
inline constexpr std::size_t kChunkSize = std::size_t{64} * 1024;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kSealedChunkSize = kChunkSize + kTagSize;
inline constexpr std::string_view kVersionLine = "age-encryption.org/v1";

using FileKey = SecretKey<kFileKeySize>;
using PublicKey = std::array<std::uint8_t, 32>;

/// An X25519 public key in age's `age1...` form.
struct X25519Recipient {
  PublicKey public_key{};

  [[nodiscard]] static Result<X25519Recipient> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
};

/// An X25519 private key (`AGE-SECRET-KEY-1...`). Move-only; the scalar wipes itself.
class X25519Identity {
 public:
  [[nodiscard]] static X25519Identity generate();
  [[nodiscard]] static X25519Identity from_secret(SecretKey<32> secret);
  [[nodiscard]] static Result<X25519Identity> parse(std::string_view text);

  /// The `AGE-SECRET-KEY-1...` string. It is the secret itself: callers write it only to a
  /// protected file or an export the user asked for.
  [[nodiscard]] std::string expose_secret_string() const;
  [[nodiscard]] const SecretKey<32>& secret() const noexcept { return secret_; }
  [[nodiscard]] const PublicKey& public_key() const noexcept { return public_key_; }
  [[nodiscard]] X25519Recipient recipient() const { return {public_key_}; }

 private:
  X25519Identity(SecretKey<32> secret, const PublicKey& public_key)
      : secret_(std::move(secret)), public_key_(public_key) {}
  SecretKey<32> secret_;
  PublicKey public_key_{};
};

/// One recipient stanza as it appears in the header.
struct Stanza {
  std::string type;
  std::vector<std::string> args;
  std::vector<std::uint8_t> body;
};

/// A parsed header. `mac_input` is the length of the bytes the MAC covers (up to and including
/// "---"); `length` is the length of the whole header including its final newline.
struct Header {
  std::vector<Stanza> stanzas;
  std::array<std::uint8_t, 32> mac{};
  std::size_t mac_input = 0;
  std::size_t length = 0;
};

/// Parses the header at the start of `file`. Returns errc::truncated when `file` ends inside
/// the header (a streaming reader then reads more), errc::age_header_malformed otherwise.
[[nodiscard]] Result<Header> parse_header(std::span<const std::uint8_t> file);

/// Checks every X25519 stanza's shape, then tries each with each identity.
[[nodiscard]] Result<FileKey> unwrap_file_key(const Header& header,
                                              std::span<const X25519Identity> identities);
/// The ephemeral share of an X25519 stanza after checking the stanza's shape (one canonical
/// base64 argument of 32 bytes, a 32-byte body): age_header_malformed otherwise.
[[nodiscard]] Result<PublicKey> x25519_stanza_share(const Stanza& stanza);
/// false for the small-order points, with which every shared secret is all zero.
[[nodiscard]] bool is_usable_recipient_key(const PublicKey& key);
/// Tries one X25519 stanza with one identity: no_identity_matched when it does not open.
[[nodiscard]] Result<FileKey> unwrap_x25519(const Stanza& stanza, const X25519Identity& identity);
/// errc::age_header_mac_mismatch when the MAC is wrong for `file_key`.
[[nodiscard]] Result<void> verify_header_mac(const Header& header,
                                             std::span<const std::uint8_t> header_bytes,
                                             const FileKey& file_key);

/// Wraps `file_key` to `recipient` with a fresh ephemeral share.
[[nodiscard]] Stanza wrap_x25519(const FileKey& file_key, const X25519Recipient& recipient);
/// Writes the header text for `stanzas` and its MAC under `file_key`.
void serialize_header(std::span<const Stanza> stanzas, const FileKey& file_key,
                      std::vector<std::uint8_t>& out);
/// Wraps `file_key` to every recipient and writes the complete header.
void write_header(const FileKey& file_key, std::span<const X25519Recipient> recipients,
                  std::vector<std::uint8_t>& out);

/// The STREAM key of one payload. Chunks are independent given their index, which lets a caller
/// seal or open chunks in parallel.
class PayloadKey {
 public:
  [[nodiscard]] static PayloadKey derive(const FileKey& file_key,
                                         std::span<const std::uint8_t, kNonceSize> nonce);
  /// `out` must have room for plaintext.size() + kTagSize bytes.
  void seal_chunk(std::uint64_t index, bool last, std::span<const std::uint8_t> plaintext,
                  std::uint8_t* out) const;
  /// `out` must have room for sealed.size() - kTagSize bytes; false when authentication fails.
  [[nodiscard]] bool open_chunk(std::uint64_t index, bool last,
                                std::span<const std::uint8_t> sealed, std::uint8_t* out) const;

 private:
  explicit PayloadKey(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

/// Where decrypted (or encrypted) bytes go, one chunk at a time.
using ByteSink = std::function<void(std::span<const std::uint8_t>)>;

/// Push-based STREAM decryption: feed ciphertext in pieces of any size; plaintext leaves one
/// 64 KiB chunk at a time, so a payload is never held in memory whole by this class. At most one
/// sealed chunk is buffered, because only the end of input tells whether a full chunk is last.
class PayloadDecryptor {
 public:
  explicit PayloadDecryptor(const FileKey& file_key);
  [[nodiscard]] Result<void> update(std::span<const std::uint8_t> input, const ByteSink& sink);
  [[nodiscard]] Result<void> finish(const ByteSink& sink);

 private:
  [[nodiscard]] Result<void> open_pending(std::size_t size, bool last, const ByteSink& sink);
  FileKey file_key_;
  std::optional<PayloadKey> key_;
  std::vector<std::uint8_t> nonce_;
  std::vector<std::uint8_t> pending_;
  SecretBytes plaintext_;
  std::uint64_t index_ = 0;
  bool failed_ = false;
};

/// Push-based STREAM encryption writing the nonce first. Buffers at most one chunk.
class PayloadEncryptor {
 public:
  explicit PayloadEncryptor(const FileKey& file_key);
  void update(std::span<const std::uint8_t> plaintext, const ByteSink& sink);
  void finish(const ByteSink& sink);

 private:
  void seal_buffered(bool last, const ByteSink& sink);
  std::vector<std::uint8_t> sealed_;  // declared first: the constructor writes the nonce here
  PayloadKey key_;
  SecretBytes buffer_;
  std::uint64_t index_ = 0;
};

/// A whole age file in memory.
[[nodiscard]] std::vector<std::uint8_t> encrypt(std::span<const std::uint8_t> plaintext,
                                                std::span<const X25519Recipient> recipients);
[[nodiscard]] Result<SecretBytes> decrypt(std::span<const std::uint8_t> file,
                                          std::span<const X25519Identity> identities);

/// Stream to stream: reads `in` in blocks and writes plaintext as it is authenticated. Memory
/// stays bounded by one chunk whatever the file size. Plaintext written before an error is
/// unauthenticated beyond the last complete chunk; callers discard the output on error.
[[nodiscard]] Result<void> decrypt_stream(std::istream& in,
                                          std::span<const X25519Identity> identities,
                                          std::ostream& out);
void encrypt_stream(std::istream& in, std::span<const X25519Recipient> recipients,
                    std::ostream& out);

}  // namespace draaischijf::protocol::age
