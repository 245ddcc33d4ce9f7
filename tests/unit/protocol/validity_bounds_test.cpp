// Validity windows at their exact bounds (docs/PROTOCOL.md 4 and 5: both bounds inclusive): a
// device certificate and a mailbox epoch certificate hold from `not before` through `not after`
// and not one second either side, each with its own code.

#include <gtest/gtest.h>

#include <draaischijf/protocol/certificate.hpp>

#include "protocol_parties.hpp"

namespace draaischijf::protocol {
namespace {

errc error_of(const Result<void>& result) {
  return result ? errc{} : static_cast<errc>(result.error().value());
}

TEST(ValidityBounds, ADeviceCertificateHoldsFromNotBeforeThroughNotAfter) {
  const testing::TestOrg org;
  const auto device = testing::make_test_device(org, org.key, StaffRole::clb_onthaal);
  const DeviceCertificate& c = device.certificate;
  const auto key = org.key.public_key();
  ASSERT_LT(c.not_before, c.not_after);
  EXPECT_EQ(error_of(verify(c, key, c.not_before - 1)), errc::certificate_not_yet_valid);
  EXPECT_EQ(error_of(verify(c, key, c.not_before)), errc{});
  EXPECT_EQ(error_of(verify(c, key, c.not_after)), errc{});
  EXPECT_EQ(error_of(verify(c, key, c.not_after + 1)), errc::certificate_expired);
}

TEST(ValidityBounds, AMailboxEpochHoldsFromNotBeforeThroughNotAfter) {
  const testing::TestOrg org;
  const auto mailbox = testing::make_test_mailbox(org);
  const MailboxEpochCertificate& c = mailbox.certificate;
  const auto key = org.key.public_key();
  ASSERT_LT(c.not_before, c.not_after);
  for (const bool with_signature : {false, true}) {
    const auto at = [&](std::uint64_t t) {
      return error_of(with_signature ? verify(c, key, t) : check_window(c, t));
    };
    EXPECT_EQ(at(c.not_before - 1), errc::epoch_not_yet_valid) << with_signature;
    EXPECT_EQ(at(c.not_before), errc{}) << with_signature;
    EXPECT_EQ(at(c.not_after), errc{}) << with_signature;
    EXPECT_EQ(at(c.not_after + 1), errc::epoch_expired) << with_signature;
  }
}

}  // namespace
}  // namespace draaischijf::protocol
