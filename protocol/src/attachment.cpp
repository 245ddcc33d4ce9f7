#include <algorithm>
#include <stdexcept>
#include <utility>

#include <draaischijf/protocol/attachment.hpp>

namespace draaischijf::protocol {

AttachmentSealer AttachmentSealer::start() {
  AttachmentSealer sealer;
  sealer.key_ = SecretKey<32>::random();
  crypto_secretstream_xchacha20poly1305_init_push(&sealer.initial_, sealer.header_.data(),
                                                  sealer.key_.expose().data());
  sealer.state_ = sealer.initial_;
  return sealer;
}

AttachmentSealer::AttachmentSealer(AttachmentSealer&& other) noexcept
    : key_(std::move(other.key_)),
      header_(other.header_),
      initial_(other.initial_),
      state_(other.state_) {
  other.wipe();
}

AttachmentSealer& AttachmentSealer::operator=(AttachmentSealer&& other) noexcept {
  if (this != &other) {
    key_ = std::move(other.key_);
    header_ = other.header_;
    initial_ = other.initial_;
    state_ = other.state_;
    other.wipe();
  }
  return *this;
}

AttachmentSealer::~AttachmentSealer() { wipe(); }

void AttachmentSealer::wipe() noexcept {
  secure_wipe(&initial_, sizeof initial_);
  secure_wipe(&state_, sizeof state_);
}

void AttachmentSealer::rewind() noexcept { state_ = initial_; }

void AttachmentSealer::seal_chunk(std::span<const std::uint8_t> plain, bool last,
                                  std::span<std::uint8_t> out) {
  if (plain.size() > kAttachmentChunk || out.size() < plain.size() + kAttachmentChunkOverhead) {
    throw std::logic_error("attachment chunk does not fit");  // a caller's bug, never input
  }
  crypto_secretstream_xchacha20poly1305_push(
      &state_, out.data(), nullptr, plain.data(), plain.size(), nullptr, 0,
      last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
}

Result<AttachmentOpener> AttachmentOpener::start(const SecretKey<32>& key,
                                                 const StreamHeader& header,
                                                 std::uint64_t ciphertext_size) {
  if (ciphertext_size < kAttachmentChunkOverhead) {
    return make_error_code(errc::age_payload_truncated);
  }
  AttachmentOpener opener;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&opener.state_, header.data(),
                                                      key.expose().data()) != 0) {
    return make_error_code(errc::age_payload_corrupt);
  }
  opener.remaining_ = ciphertext_size;
  return opener;
}

AttachmentOpener::AttachmentOpener(AttachmentOpener&& other) noexcept
    : state_(other.state_), remaining_(other.remaining_), final_seen_(other.final_seen_) {
  secure_wipe(&other.state_, sizeof other.state_);
  other.remaining_ = 0;
}

AttachmentOpener& AttachmentOpener::operator=(AttachmentOpener&& other) noexcept {
  if (this != &other) {
    state_ = other.state_;
    remaining_ = other.remaining_;
    final_seen_ = other.final_seen_;
    secure_wipe(&other.state_, sizeof other.state_);
    other.remaining_ = 0;
  }
  return *this;
}

AttachmentOpener::~AttachmentOpener() { secure_wipe(&state_, sizeof state_); }

std::size_t AttachmentOpener::next_chunk_size() const noexcept {
  if (final_seen_) {
    return 0;
  }
  return static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kAttachmentCipherChunk));
}

Result<std::size_t> AttachmentOpener::open_chunk(std::span<const std::uint8_t> chunk,
                                                 std::span<std::uint8_t> out) {
  if (final_seen_) {
    return make_error_code(errc::age_trailing_data);
  }
  if (chunk.size() != next_chunk_size() || chunk.size() < kAttachmentChunkOverhead ||
      out.size() < chunk.size() - kAttachmentChunkOverhead) {
    return make_error_code(errc::age_payload_truncated);
  }
  unsigned long long plain_size = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, out.data(), &plain_size, &tag,
                                                 chunk.data(), chunk.size(), nullptr, 0) != 0) {
    return make_error_code(errc::age_payload_corrupt);
  }
  remaining_ -= chunk.size();
  const bool final_tag = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  // The FINAL tag must sit exactly on the last chunk: earlier means the blob was extended, its
  // absence at the end that it was cut short.
  if (final_tag != (remaining_ == 0)) {
    return make_error_code(final_tag ? errc::age_trailing_data : errc::age_payload_truncated);
  }
  final_seen_ = final_tag;
  return static_cast<std::size_t>(plain_size);
}

}  // namespace draaischijf::protocol
