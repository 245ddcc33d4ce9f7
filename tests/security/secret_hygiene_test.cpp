// Secrets that pass through a decoder are wiped when they are freed: the Bech32 text of an age
// secret key is decoded into a wiping buffer, so neither the result nor its reallocations linger.

#include <type_traits>

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::protocol {
namespace {

static_assert(std::is_same_v<decltype(Bech32Decoded::data), SecretBuffer>,
              "a decoded Bech32 payload may be a secret key: it must wipe itself");

TEST(SecretHygieneTest, AnAgeSecretKeyRoundTripsThroughTheWipingDecoder) {
  const auto identity = age::X25519Identity::generate();
  const auto text = identity.expose_secret_string();
  const auto decoded = bech32_decode(text);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->data.size(), 32U);
  EXPECT_TRUE(
      std::equal(decoded->data.begin(), decoded->data.end(), identity.secret().expose().begin()));
  const auto parsed = age::X25519Identity::parse(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->public_key(), identity.public_key());
}

}  // namespace
}  // namespace draaischijf::protocol
