#include <ostream>
#include <type_traits>

#include <gtest/gtest.h>

#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {
namespace {

template <class T>
concept Printable = requires(std::ostream& os, const T& t) {
  os << t;
};

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(!std::is_copy_constructible_v<SecretKey<32>>);
static_assert(!Printable<SecretBytes>);
static_assert(!Printable<SecretKey<32>>);
static_assert(!std::equality_comparable<SecretBytes>);

TEST(SecretTest, MovingAKeyWipesTheSource) {
  auto key = SecretKey<32>::random();
  const auto before = SecretKey<32>::copy_of(key.expose());
  SecretKey<32> moved = std::move(key);
  EXPECT_TRUE(moved.ct_equal(before));
  for (const std::uint8_t b : key.expose()) {  // NOLINT(bugprone-use-after-move): the point
    EXPECT_EQ(b, 0);
  }
}

TEST(SecretTest, MoveAssignmentWipesTheSource) {
  auto key = SecretKey<16>::random();
  SecretKey<16> target;
  target = std::move(key);
  EXPECT_FALSE(target.ct_equal(SecretKey<16>{}));
  EXPECT_TRUE(key.ct_equal(SecretKey<16>{}));  // NOLINT(bugprone-use-after-move)
}

TEST(SecretTest, ConstantTimeEqualityComparesContentAndLength) {
  const std::uint8_t a[] = {1, 2, 3};
  const std::uint8_t b[] = {1, 2, 4};
  const auto x = SecretBytes::copy_of(a);
  EXPECT_TRUE(x.ct_equal(SecretBytes::copy_of(a)));
  EXPECT_FALSE(x.ct_equal(SecretBytes::copy_of(b)));
  EXPECT_FALSE(x.ct_equal(SecretBytes::copy_of(std::span(a).first(2))));
  EXPECT_TRUE(SecretBytes().ct_equal(SecretBytes()));
}

TEST(SecretTest, ShrinkingWipesTheCutOffBytesInPlace) {
  auto secret = SecretBytes::copy_of(std::vector<std::uint8_t>(64, 0xAB));
  const std::uint8_t* data = secret.expose().data();
  secret.resize(16);
  ASSERT_EQ(secret.expose().data(), data);  // same buffer: the tail still sits in the capacity
  for (std::size_t i = 16; i < 64; ++i) {
    EXPECT_EQ(data[i], 0) << "byte " << i;
  }
}

TEST(SecretTest, WipeClearsMemory) {
  std::array<std::uint8_t, 40> buffer{};
  buffer.fill(0x5A);
  secure_wipe(buffer.data(), buffer.size());
  for (const std::uint8_t b : buffer) {
    EXPECT_EQ(b, 0);
  }
}

TEST(SecretTest, RandomKeysDiffer) {
  EXPECT_FALSE(SecretKey<32>::random().ct_equal(SecretKey<32>::random()));
  EXPECT_EQ(SecretBytes::random(48).size(), 48U);
}

}  // namespace
}  // namespace draaischijf::protocol
