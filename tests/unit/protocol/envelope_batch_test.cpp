// A catch-up's envelope batch (docs/PROTOCOL.md 7.21) is untrusted input to the client: what the
// hub writes is read back frame for frame, and every way to cut or reorder it is refused.

#include <gtest/gtest.h>

#include <draaischijf/protocol/envelope_batch.hpp>

namespace draaischijf::protocol {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<std::uint8_t> batch_of(const std::vector<std::pair<std::int64_t, std::string>>& items) {
  std::vector<std::uint8_t> out;
  for (const auto& [sequence, envelope] : items) {
    append_envelope_frame(out, sequence, bytes(envelope));
  }
  return out;
}

TEST(EnvelopeBatch, FramesAreReadBackInOrder) {
  const auto batch = batch_of({{3, "first"}, {7, ""}, {8, std::string(70'000, 'x')}});
  ASSERT_EQ(batch.size(), 3 * 12 + 5 + 70'000U);
  EXPECT_EQ(batch[7], 3);  // big-endian
  EXPECT_EQ(batch[11], 5);
  const auto frames = parse_envelope_batch(batch);
  ASSERT_TRUE(frames) << frames.error().message();
  ASSERT_EQ(frames->size(), 3U);
  EXPECT_EQ((*frames)[0].sequence, 3);
  EXPECT_EQ(std::string((*frames)[0].envelope.begin(), (*frames)[0].envelope.end()), "first");
  EXPECT_EQ((*frames)[1].sequence, 7);
  EXPECT_TRUE((*frames)[1].envelope.empty());
  EXPECT_EQ((*frames)[2].envelope.size(), 70'000U);
  const auto empty = parse_envelope_batch({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(EnvelopeBatch, EveryCutAndEveryOrderThatDoesNotRiseIsRefused) {
  const auto whole = batch_of({{1, "one"}, {2, "two"}});
  for (std::size_t cut = 1; cut < whole.size(); ++cut) {
    if (cut == 15) {
      continue;  // the end of the first frame: a whole batch of one
    }
    EXPECT_FALSE(parse_envelope_batch(std::span(whole).first(cut))) << "cut at " << cut;
  }
  EXPECT_FALSE(parse_envelope_batch(batch_of({{2, "a"}, {2, "b"}})));  // repeated
  EXPECT_FALSE(parse_envelope_batch(batch_of({{5, "a"}, {4, "b"}})));  // falling
  EXPECT_FALSE(parse_envelope_batch(batch_of({{0, "a"}})));            // no sequence 0
  EXPECT_FALSE(parse_envelope_batch(batch_of({{-1, "a"}})));           // above int64's range
  auto long_length = batch_of({{1, "abc"}});
  long_length[11] = 4;  // one byte more than there is
  EXPECT_FALSE(parse_envelope_batch(long_length));
}

}  // namespace
}  // namespace draaischijf::protocol
