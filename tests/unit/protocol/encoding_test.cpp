#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using testing::bytes_of;

TEST(Base64Test, EncodesWithoutPadding) {
  EXPECT_EQ(base64_encode(bytes_of("")), "");
  EXPECT_EQ(base64_encode(bytes_of("f")), "Zg");
  EXPECT_EQ(base64_encode(bytes_of("fo")), "Zm8");
  EXPECT_EQ(base64_encode(bytes_of("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes_of("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesCanonicalInput) {
  EXPECT_EQ(base64_decode("Zm9vYmE").value(), bytes_of("fooba"));
  EXPECT_EQ(base64_decode("").value(), bytes_of(""));
}

TEST(Base64Test, RefusesEveryNonCanonicalForm) {
  EXPECT_EQ(base64_decode("Zg==").error(), errc::bad_base64);  // padding
  EXPECT_EQ(base64_decode("Zh").error(), errc::bad_base64);    // non-zero unused bits
  EXPECT_EQ(base64_decode("Zm9").error(), errc::bad_base64);   // non-zero unused bits
  EXPECT_EQ(base64_decode("Z").error(), errc::bad_base64);     // impossible length
  EXPECT_EQ(base64_decode("Zm 9v").error(), errc::bad_base64);
  EXPECT_EQ(base64_decode("Zm9v\n").error(), errc::bad_base64);
  EXPECT_EQ(base64_decode("Zm-_").error(), errc::bad_base64);  // URL alphabet
}

TEST(HexTest, RoundTripsAndRefusesUpperCase) {
  const auto bytes = bytes_of("\x01\xab\xff");
  EXPECT_EQ(hex_encode(bytes), "01abff");
  EXPECT_EQ(hex_decode("01abff").value(), bytes);
  EXPECT_FALSE(hex_decode("01ABFF"));
  EXPECT_FALSE(hex_decode("0"));
}

TEST(Bech32Test, AcceptsBip173ValidStrings) {
  for (const char* valid : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                            "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"}) {
    EXPECT_TRUE(bech32_decode(valid)) << valid;
  }
}

TEST(Bech32Test, RefusesBip173InvalidStrings) {
  for (const char* invalid : {"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8",
                              "10a06t8", "1qzzfhee", "A12uEL5L"}) {
    EXPECT_FALSE(bech32_decode(invalid)) << invalid;
  }
}

TEST(AgeKeyTest, IdentityAndRecipientStringsRoundTrip) {
  const auto identity = age::X25519Identity::generate();
  const std::string secret = identity.expose_secret_string();
  EXPECT_EQ(secret.rfind("AGE-SECRET-KEY-1", 0), 0U);
  const auto parsed = age::X25519Identity::parse(secret);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->public_key(), identity.public_key());
  const std::string recipient = identity.recipient().to_string();
  EXPECT_EQ(recipient.rfind("age1", 0), 0U);
  EXPECT_EQ(age::X25519Recipient::parse(recipient)->public_key, identity.public_key());
}

TEST(AgeKeyTest, KeyStringsOfTheWrongKindOrCaseAreRefused) {
  const auto identity = age::X25519Identity::generate();
  const std::string secret = identity.expose_secret_string();
  const std::string recipient = identity.recipient().to_string();
  EXPECT_EQ(age::X25519Recipient::parse(secret).error(), errc::wrong_key_type);
  EXPECT_EQ(age::X25519Identity::parse(recipient).error(), errc::wrong_key_type);
  std::string lower;
  for (const char c : secret) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(age::X25519Identity::parse(lower).error(), errc::wrong_key_type);
  std::string broken = recipient;
  broken.back() = broken.back() == 'q' ? 'p' : 'q';
  EXPECT_EQ(age::X25519Recipient::parse(broken).error(), errc::bad_bech32);
}

}  // namespace
}  // namespace draaischijf::protocol
