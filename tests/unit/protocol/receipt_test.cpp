#include <gtest/gtest.h>

#include <draaischijf/protocol/receipt.hpp>

namespace draaischijf::protocol {
namespace {

TEST(ReceiptTest, SignedReceiptVerifiesAndRoundTrips) {
  const auto hub = SigningKey::generate();
  Hash256 hash{};
  hash[0] = 7;
  const auto receipt = sign_receipt(random_id(), hash, 1'800'000'000'000, 42, hub);
  EXPECT_TRUE(verify(receipt, hub.public_key()));
  const auto bytes = encode(receipt);
  EXPECT_EQ(bytes.size(), kReceiptSize);
  const auto parsed = parse_receipt(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_EQ(parsed->sequence, 42U);
}

TEST(ReceiptTest, AlteredFieldsOrAnotherHubKeyAreRefused) {
  const auto hub = SigningKey::generate();
  auto receipt = sign_receipt(random_id(), {}, 1000, 1, hub);
  EXPECT_EQ(verify(receipt, SigningKey::generate().public_key()).error(),
            errc::certificate_untrusted);
  receipt.sequence = 2;
  EXPECT_EQ(verify(receipt, hub.public_key()).error(), errc::signature_invalid);
  auto bytes = encode(receipt);
  bytes.pop_back();
  EXPECT_EQ(parse_receipt(bytes).error(), errc::truncated);
}

}  // namespace
}  // namespace draaischijf::protocol
