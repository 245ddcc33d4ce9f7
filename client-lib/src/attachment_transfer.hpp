#pragma once

// Attachments on their way to and from the hub, one secretstream chunk at a time: the file is
// read, encrypted and hashed as the upload asks for bytes, and a download is decrypted and
// hashed as it arrives into a partial file that becomes the target only once the FINAL chunk,
// the size and the signed hash all check out. Memory stays at a few chunks whatever the size.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sodium.h>

#include <draaischijf/client/hub_connection.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/attachment.hpp>

namespace draaischijf::client {

/// BLAKE2b-256 of a file's bytes, read chunk by chunk: an attachment's plaintext hash, for an
/// approver who approves the file before the sender encrypts it.
[[nodiscard]] protocol::Result<protocol::Hash256> hash_file(const std::filesystem::path& path);

class SealingFileSource final : public UploadSource {
 public:
  [[nodiscard]] static protocol::Result<std::unique_ptr<SealingFileSource>> open(
      const std::filesystem::path& path, std::string name, const ProgressCallback& progress);
  ~SealingFileSource() override;

  [[nodiscard]] std::uint64_t size() const override;
  [[nodiscard]] protocol::Result<void> rewind() override;
  [[nodiscard]] protocol::Result<std::size_t> read(std::span<std::uint8_t> out) override;

  [[nodiscard]] const protocol::AttachmentSealer& sealer() const noexcept { return sealer_; }
  /// BLAKE2b-256 of the ciphertext and of the file: complete once every byte was read.
  [[nodiscard]] protocol::Hash256 hash() const { return cipher_hash_.digest(); }
  [[nodiscard]] protocol::Hash256 plaintext_hash() const { return plain_hash_.digest(); }

 private:
  SealingFileSource(std::FILE* file, std::uint64_t plain_size, std::string name,
                    const ProgressCallback& progress);
  protocol::Result<void> seal_next_chunk();

  std::FILE* file_;
  std::uint64_t plain_size_;
  std::string name_;
  const ProgressCallback& progress_;
  protocol::AttachmentSealer sealer_;
  protocol::StreamHash cipher_hash_;
  protocol::StreamHash plain_hash_;
  std::vector<std::uint8_t> plain_;
  std::vector<std::uint8_t> cipher_;  // the current chunk, served from cipher_at_
  std::size_t cipher_at_ = 0;
  std::uint64_t plain_read_ = 0;
  std::uint64_t served_ = 0;
};

class OpeningFileSink final : public DownloadSink {
 public:
  /// Writes to a partial file beside `target`, made 0600 (O_EXCL, O_NOFOLLOW). An existing
  /// target or partial file is file_exists, unless `replace_existing`.
  [[nodiscard]] static protocol::Result<std::unique_ptr<OpeningFileSink>> create(
      const std::filesystem::path& target, const protocol::AttachmentDescriptor& descriptor,
      const ProgressCallback& progress, bool replace_existing = false);
  ~OpeningFileSink() override;

  [[nodiscard]] protocol::Result<void> rewind() override;
  [[nodiscard]] protocol::Result<void> write(std::span<const std::uint8_t> bytes) override;
  /// Checks FINAL, size and both hashes, then moves the partial file to the target (never over an
  /// existing one unless `replace_existing`).
  [[nodiscard]] protocol::Result<std::uint64_t> finish();

 private:
  OpeningFileSink(std::filesystem::path target, const protocol::AttachmentDescriptor& descriptor,
                  const ProgressCallback& progress, bool replace_existing);
  protocol::Result<void> create_partial();
  protocol::Result<void> move_into_place();
  protocol::Result<void> open_pending_chunk();

  std::filesystem::path target_;
  std::filesystem::path partial_;
  const protocol::AttachmentDescriptor& descriptor_;
  const ProgressCallback& progress_;
  std::FILE* file_ = nullptr;
  std::optional<protocol::AttachmentOpener> opener_;
  protocol::StreamHash cipher_hash_;
  protocol::StreamHash plain_hash_;
  std::vector<std::uint8_t> pending_;  // ciphertext of the chunk being assembled
  std::vector<std::uint8_t> plain_;
  std::uint64_t received_ = 0;
  std::uint64_t written_ = 0;
  bool replace_existing_ = false;
};

}  // namespace draaischijf::client
