#pragma once

// Attachment blobs (PROTOCOL.md 7.8): a file encrypted with libsodium's secretstream
// (XChaCha20-Poly1305) in chunks of kAttachmentChunk plaintext bytes, the last chunk tagged
// FINAL. The blob travels apart from the envelope; its key, header, size and hash travel inside
// the signed inner part (the attachment descriptor), so only recipients can open it and any
// change, truncation, reordering or extension of the blob is detected.
//
// Both directions work one chunk at a time, so a file of any size passes through a fixed
// amount of memory.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <sodium.h>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

/// Plaintext bytes per secretstream message. Every chunk grows by kAttachmentChunkOverhead.
inline constexpr std::size_t kAttachmentChunk = 64 * 1024;
inline constexpr std::size_t kAttachmentChunkOverhead =
    crypto_secretstream_xchacha20poly1305_ABYTES;
inline constexpr std::size_t kAttachmentCipherChunk = kAttachmentChunk + kAttachmentChunkOverhead;
using StreamHeader = std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES>;

/// Chunks of a plaintext of `size` bytes: at least one (an empty file is one empty FINAL chunk).
[[nodiscard]] constexpr std::uint64_t attachment_chunks(std::uint64_t size) noexcept {
  return size == 0 ? 1 : (size + kAttachmentChunk - 1) / kAttachmentChunk;
}
/// The blob's size for a plaintext of `size` bytes.
[[nodiscard]] constexpr std::uint64_t attachment_ciphertext_size(std::uint64_t size) noexcept {
  return size + attachment_chunks(size) * kAttachmentChunkOverhead;
}

/// The plaintext size behind a blob of `size` bytes (0 for a size no blob can have).
[[nodiscard]] constexpr std::uint64_t attachment_plaintext_size(std::uint64_t size) noexcept {
  const std::uint64_t chunks = (size + kAttachmentCipherChunk - 1) / kAttachmentCipherChunk;
  return size < chunks * kAttachmentChunkOverhead || size == 0
             ? 0
             : size - chunks * kAttachmentChunkOverhead;
}

/// BLAKE2b-256, unkeyed, no domain, fed as bytes arrive: an attachment's ciphertext hash and
/// plaintext hash (what `b2sum -l 256` prints). digest() may be asked at any point.
class StreamHash {
 public:
  StreamHash() noexcept { restart(); }
  StreamHash(const StreamHash&) = delete;
  StreamHash& operator=(const StreamHash&) = delete;
  // A plaintext hash in progress says something about the file: do not leave it behind.
  ~StreamHash() { sodium_memzero(&state_, sizeof state_); }
  void restart() noexcept { crypto_generichash_init(&state_, nullptr, 0, 32); }
  void update(std::span<const std::uint8_t> bytes) noexcept {
    crypto_generichash_update(&state_, bytes.data(), bytes.size());
  }
  [[nodiscard]] std::array<std::uint8_t, 32> digest() const noexcept {
    crypto_generichash_state copy = state_;
    std::array<std::uint8_t, 32> out{};
    crypto_generichash_final(&copy, out.data(), out.size());
    return out;
  }

 private:
  crypto_generichash_state state_{};
};

/// How the signed inner part binds an attachment to its data category: a fragment of that
/// category with this media type whose body is the attachment id (PROTOCOL.md 7.8).
inline constexpr std::string_view kAttachmentReferenceMediaType =
    "application/vnd.draaischijf.attachment-ref";

/// Encrypts one attachment. A fresh key and header are drawn at start; rewind() goes back to
/// the first chunk with the same key and header, so an upload cut off half-way can be sent
/// again byte for byte. Move-only; the key and stream state are wiped when it goes.
class AttachmentSealer {
 public:
  [[nodiscard]] static AttachmentSealer start();
  AttachmentSealer(AttachmentSealer&&) noexcept;
  AttachmentSealer& operator=(AttachmentSealer&&) noexcept;
  AttachmentSealer(const AttachmentSealer&) = delete;
  AttachmentSealer& operator=(const AttachmentSealer&) = delete;
  ~AttachmentSealer();

  [[nodiscard]] const SecretKey<32>& key() const noexcept { return key_; }
  [[nodiscard]] const StreamHeader& header() const noexcept { return header_; }
  void rewind() noexcept;
  /// Encrypts one chunk of at most kAttachmentChunk bytes into `out` (plain.size() +
  /// kAttachmentChunkOverhead bytes); `last` tags it FINAL.
  void seal_chunk(std::span<const std::uint8_t> plain, bool last, std::span<std::uint8_t> out);

 private:
  AttachmentSealer() = default;
  void wipe() noexcept;
  SecretKey<32> key_;
  StreamHeader header_{};
  crypto_secretstream_xchacha20poly1305_state initial_{};
  crypto_secretstream_xchacha20poly1305_state state_{};
};

/// Decrypts one attachment of known ciphertext size, chunk by chunk, refusing a chunk that
/// fails authentication (age_payload_corrupt), a FINAL tag before the last chunk or none on it
/// (age_payload_corrupt), and chunks beyond the announced size (age_trailing_data).
class AttachmentOpener {
 public:
  [[nodiscard]] static Result<AttachmentOpener> start(const SecretKey<32>& key,
                                                      const StreamHeader& header,
                                                      std::uint64_t ciphertext_size);
  AttachmentOpener(AttachmentOpener&&) noexcept;
  AttachmentOpener& operator=(AttachmentOpener&&) noexcept;
  AttachmentOpener(const AttachmentOpener&) = delete;
  AttachmentOpener& operator=(const AttachmentOpener&) = delete;
  ~AttachmentOpener();

  /// The size of the next ciphertext chunk to hand to open_chunk (0 when finished).
  [[nodiscard]] std::size_t next_chunk_size() const noexcept;
  /// Decrypts the next chunk into `out` (at least chunk.size() - overhead bytes); returns the
  /// plaintext size.
  [[nodiscard]] Result<std::size_t> open_chunk(std::span<const std::uint8_t> chunk,
                                               std::span<std::uint8_t> out);
  /// True once the FINAL chunk opened and the whole announced size was consumed.
  [[nodiscard]] bool finished() const noexcept { return remaining_ == 0 && final_seen_; }

 private:
  AttachmentOpener() = default;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::uint64_t remaining_ = 0;
  bool final_seen_ = false;
};

}  // namespace draaischijf::protocol
