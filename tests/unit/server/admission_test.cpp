#include <gtest/gtest.h>

#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/server/policy/admission.hpp>

namespace draaischijf::server {
namespace {

using namespace protocol;

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DeviceCertificate c;
    c.org_id = org_id;
    c.device_id = random_id();
    c.signing_key = device_key.public_key();
    c.not_after = ~std::uint64_t{0};
    certificate = issue(c, org_key);
    MailboxEpochCertificate m;
    m.mailbox_id = random_id();
    m.org_id = random_id();
    m.mailbox_key = mailbox_identity(EpochSeed::random()).public_key();
    m.not_after = ~std::uint64_t{0};  // envelopes are sealed at any time the tests need
    mailbox = issue(m, org_key);
  }

  std::vector<std::uint8_t> envelope_at(std::chrono::system_clock::time_point created,
                                        std::size_t size = 100) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch());
    return envelope_at_ms(static_cast<std::uint64_t>(ms.count()), size);
  }
  std::vector<std::uint8_t> envelope_at_ms(std::uint64_t created_ms, std::size_t size = 100) {
    Draft d;
    d.pupil = PupilBinding{"dossier-1", hash256("test/pupil-salt", {})};
    d.fragments.push_back({DataCategory::handelingsgericht_advies, GuidanceDomain::none,
                           "text/plain", SecretBytes(size)});
    return seal(d, {certificate, device_key, 1}, {&mailbox, 1}, created_ms).value();
  }

  Id org_id = random_id();
  SigningKey org_key = SigningKey::generate();
  SigningKey device_key = SigningKey::generate();
  DeviceCertificate certificate;
  MailboxEpochCertificate mailbox;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

TEST_F(AdmissionTest, WellFormedEnvelopeFromTheAuthenticatedOrganisationIsAdmitted) {
  const auto admitted = admit(envelope_at(now), {org_id}, now, {});
  ASSERT_TRUE(admitted) << admitted.error().message();
  EXPECT_EQ(admitted->outer.sender_org, org_id);
}

TEST_F(AdmissionTest, EnvelopeClaimingAnotherOrganisationIsRefused) {
  EXPECT_EQ(admit(envelope_at(now), {random_id()}, now, {}).error(),
            make_error_code(errc::sender_organisation_mismatch));
}

TEST_F(AdmissionTest, CreationTimeOutsideTheSkewWindowIsRefused) {
  using namespace std::chrono_literals;
  EXPECT_TRUE(admit(envelope_at(now - 23h), {org_id}, now, {}));
  EXPECT_EQ(admit(envelope_at(now - 25h), {org_id}, now, {}).error(),
            make_error_code(errc::clock_skew));
  EXPECT_EQ(admit(envelope_at(now + 25h), {org_id}, now, {}).error(),
            make_error_code(errc::clock_skew));
}

// created_at is the sender's uint64: values above INT64_MAX are refused, without the signed
// overflow (UBSan) the skew arithmetic once had.
TEST_F(AdmissionTest, CreationTimeAboveInt64MaxIsRefusedWithoutOverflow) {
  for (const std::uint64_t created :
       {~std::uint64_t{0}, std::uint64_t{1} << 63, (std::uint64_t{1} << 63) + 12345,
        std::uint64_t{0x7fffffffffffffff}}) {
    EXPECT_EQ(admit(envelope_at_ms(created), {org_id}, now, {}).error(),
              make_error_code(errc::clock_skew))
        << created;
  }
  EXPECT_EQ(admit(envelope_at_ms(0), {org_id}, now, {}).error(), make_error_code(errc::clock_skew));
}

TEST_F(AdmissionTest, OversizedEnvelopeIsRefusedBeforeParsing) {
  AdmissionLimits limits;
  limits.max_envelope_bytes = 4096;
  EXPECT_EQ(admit(envelope_at(now, 10000), {org_id}, now, limits).error(),
            make_error_code(errc::envelope_too_large));
}

TEST_F(AdmissionTest, MalformedEnvelopeIsRefusedWithTheProtocolReason) {
  auto envelope = envelope_at(now);
  envelope.pop_back();
  const auto admitted = admit(envelope, {org_id}, now, {});
  ASSERT_FALSE(admitted);
  EXPECT_EQ(admitted.error(), protocol::errc::truncated);
}

// The hub grants every blob the outer labels list, so it bounds the list before anything else
// reads it: at most 64 ids (PROTOCOL.md 7.1), the inner part's limit on attachments.
TEST_F(AdmissionTest, AnAttachmentListLongerThanSixtyFourIsRefused) {
  auto envelope = envelope_at(now);
  const std::size_t count_at = 107;  // after the approval count (no approvals here)
  ASSERT_EQ(envelope[count_at], 0);
  envelope[count_at] = 65;
  EXPECT_EQ(admit(envelope, {org_id}, now, {}).error(), protocol::errc::field_out_of_range);
}

}  // namespace
}  // namespace draaischijf::server
