#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {
namespace {

struct Sealed {
  SecretKey<32> key;
  StreamHeader header{};
  std::vector<std::uint8_t> blob;
};

std::vector<std::uint8_t> pattern(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = static_cast<std::uint8_t>((i * 131U) ^ (i >> 9U));
  }
  return out;
}

Sealed seal_all(AttachmentSealer& sealer, std::span<const std::uint8_t> plain) {
  Sealed sealed{SecretKey<32>::copy_of(sealer.key().expose()), sealer.header(), {}};
  sealed.blob.resize(attachment_ciphertext_size(plain.size()));
  std::size_t in = 0;
  std::size_t out = 0;
  do {
    const std::size_t n = std::min(kAttachmentChunk, plain.size() - in);
    sealer.seal_chunk(plain.subspan(in, n), in + n == plain.size(),
                      std::span(sealed.blob).subspan(out, n + kAttachmentChunkOverhead));
    in += n;
    out += n + kAttachmentChunkOverhead;
  } while (in < plain.size());
  EXPECT_EQ(out, sealed.blob.size());
  return sealed;
}

Result<std::vector<std::uint8_t>> open_all(const Sealed& sealed) {
  auto opener = AttachmentOpener::start(sealed.key, sealed.header, sealed.blob.size());
  if (!opener) {
    return opener.error();
  }
  std::vector<std::uint8_t> plain;
  std::vector<std::uint8_t> chunk_out(kAttachmentChunk);
  std::size_t at = 0;
  while (const std::size_t n = opener->next_chunk_size()) {
    auto opened = opener->open_chunk(std::span(sealed.blob).subspan(at, n), chunk_out);
    if (!opened) {
      return opened.error();
    }
    plain.insert(plain.end(), chunk_out.begin(),
                 chunk_out.begin() + static_cast<std::ptrdiff_t>(*opened));
    at += n;
  }
  if (!opener->finished()) {
    return make_error_code(errc::age_payload_truncated);
  }
  return plain;
}

TEST(AttachmentTest, SizesFollowTheChunking) {
  EXPECT_EQ(attachment_ciphertext_size(0), kAttachmentChunkOverhead);
  EXPECT_EQ(attachment_ciphertext_size(1), 1 + kAttachmentChunkOverhead);
  EXPECT_EQ(attachment_ciphertext_size(kAttachmentChunk), kAttachmentCipherChunk);
  EXPECT_EQ(attachment_ciphertext_size(kAttachmentChunk + 1),
            kAttachmentChunk + 1 + 2 * kAttachmentChunkOverhead);
}

TEST(AttachmentTest, RoundTripsAtEveryChunkBoundary) {
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, kAttachmentChunk - 1, kAttachmentChunk,
        kAttachmentChunk + 1, 3 * kAttachmentChunk + 7}) {
    auto sealer = AttachmentSealer::start();
    const auto plain = pattern(size);
    const auto sealed = seal_all(sealer, plain);
    auto opened = open_all(sealed);
    ASSERT_TRUE(opened) << size << ": " << opened.error().message();
    EXPECT_EQ(*opened, plain) << size;
  }
}

TEST(AttachmentTest, RewindReproducesTheSameBlob) {
  auto sealer = AttachmentSealer::start();
  const auto plain = pattern(2 * kAttachmentChunk + 5);
  const auto first = seal_all(sealer, plain);
  sealer.rewind();
  const auto again = seal_all(sealer, plain);
  EXPECT_EQ(first.blob, again.blob);
  EXPECT_NE(AttachmentSealer::start().header(), sealer.header());  // fresh per attachment
}

TEST(AttachmentTest, RefusesTamperingTruncationReorderingAndExtension) {
  auto sealer = AttachmentSealer::start();
  const auto plain = pattern(3 * kAttachmentChunk);
  const auto sealed = seal_all(sealer, plain);
  const auto copy = [&] {
    return Sealed{SecretKey<32>::copy_of(sealed.key.expose()), sealed.header, sealed.blob};
  };

  auto flipped = copy();
  flipped.blob[kAttachmentCipherChunk + 100] ^= 1U;
  EXPECT_EQ(open_all(flipped).error(), errc::age_payload_corrupt);

  // The last chunk dropped: the stream ends without FINAL.
  auto cut = copy();
  cut.blob.resize(2 * kAttachmentCipherChunk);
  EXPECT_EQ(open_all(cut).error(), errc::age_payload_truncated);

  // Two chunks swapped.
  auto swapped = copy();
  std::swap_ranges(swapped.blob.begin(),
                   swapped.blob.begin() + static_cast<std::ptrdiff_t>(kAttachmentCipherChunk),
                   swapped.blob.begin() + static_cast<std::ptrdiff_t>(kAttachmentCipherChunk));
  EXPECT_EQ(open_all(swapped).error(), errc::age_payload_corrupt);

  // A blob announced longer than it is (the FINAL chunk arrives early).
  auto longer = copy();
  longer.blob.resize(longer.blob.size() + kAttachmentCipherChunk);
  EXPECT_EQ(open_all(longer).error(), errc::age_trailing_data);

  auto wrong_key = copy();
  wrong_key.key = SecretKey<32>::random();
  EXPECT_EQ(open_all(wrong_key).error(), errc::age_payload_corrupt);

  EXPECT_EQ(AttachmentOpener::start(sealed.key, sealed.header, 3).error(),
            errc::age_payload_truncated);
}

}  // namespace
}  // namespace draaischijf::protocol
