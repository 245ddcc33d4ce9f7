#include <gtest/gtest.h>

#include <draaischijf/protocol/certificate.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

DeviceCertificate make_device(const SigningKey& org_key, const Id& org_id) {
  DeviceCertificate c;
  c.org_id = org_id;
  c.org_type = OrgType::caw;
  c.device_id = random_id();
  c.staff_id = random_id();
  c.role = StaffRole::partner_intake;
  c.signing_key = SigningKey::generate().public_key();
  c.encryption_key[0] = 9;
  c.not_before = kNow - 100;
  c.not_after = kNow + 100;
  return issue(c, org_key);
}

TEST(DeviceCertificateTest, IssuedCertificateVerifiesAndRoundTripsCanonically) {
  const auto org_key = SigningKey::generate();
  const auto cert = make_device(org_key, random_id());
  const auto bytes = encode(cert);
  EXPECT_EQ(bytes.size(), kDeviceCertificateSize);
  const auto parsed = parse_device_certificate(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_TRUE(verify(*parsed, org_key.public_key(), kNow));
}

TEST(DeviceCertificateTest, AnotherOrganisationKeyIsNotTheIssuer) {
  const auto cert = make_device(SigningKey::generate(), random_id());
  EXPECT_EQ(verify(cert, SigningKey::generate().public_key(), kNow).error(),
            errc::certificate_untrusted);
}

TEST(DeviceCertificateTest, EveryChangedFieldBreaksTheSignature) {
  const auto org_key = SigningKey::generate();
  const auto bytes = encode(make_device(org_key, random_id()));
  // Flip one bit in each byte of the signed body that keeps the structure parseable.
  int refused = 0;
  for (std::size_t i = 5; i < kDeviceCertificateSize - 64 - 32; ++i) {
    auto tampered = bytes;
    tampered[i] ^= 0x01;
    const auto parsed = parse_device_certificate(tampered);
    if (!parsed) {
      ++refused;  // an enum code that no longer names a value
      continue;
    }
    const auto verdict = verify(*parsed, org_key.public_key(), kNow);
    if (!verdict) {
      ++refused;
    }
  }
  EXPECT_EQ(refused, static_cast<int>(kDeviceCertificateSize - 64 - 32 - 5));
}

TEST(DeviceCertificateTest, ValidityWindowIsEnforced) {
  const auto org_key = SigningKey::generate();
  const auto cert = make_device(org_key, random_id());
  EXPECT_EQ(verify(cert, org_key.public_key(), kNow - 101).error(),
            errc::certificate_not_yet_valid);
  EXPECT_EQ(verify(cert, org_key.public_key(), kNow + 101).error(), errc::certificate_expired);
}

TEST(DeviceCertificateTest, MalformedEncodingsAreRefusedWithSpecificErrors) {
  const auto bytes = encode(make_device(SigningKey::generate(), random_id()));
  EXPECT_EQ(parse_device_certificate(std::span(bytes).first(bytes.size() - 1)).error(),
            errc::truncated);
  auto extended = bytes;
  extended.push_back(0);
  EXPECT_EQ(parse_device_certificate(extended).error(), errc::trailing_data);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(parse_device_certificate(magic).error(), errc::bad_magic);
  auto version = bytes;
  version[4] = 2;
  EXPECT_EQ(parse_device_certificate(version).error(), errc::unsupported_version);
  auto org_type = bytes;
  org_type[4 + 1 + 16] = 0xEE;
  EXPECT_EQ(parse_device_certificate(org_type).error(), errc::field_out_of_range);
}

MailboxEpochCertificate make_epoch(const SigningKey& org_key, std::uint32_t epoch,
                                   const Hash256& previous) {
  MailboxEpochCertificate c;
  c.mailbox_id[0] = 7;
  c.org_id[0] = 3;
  c.epoch = epoch;
  c.mailbox_key[0] = static_cast<std::uint8_t>(epoch + 1);
  c.function = StaffRole::clb_psycholoog;
  c.previous_certificate = previous;
  c.not_before = kNow - 100;
  c.not_after = kNow + 100;
  return issue(c, org_key);
}

// Offsets of the version 2 fields (docs/PROTOCOL.md 5).
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kFunctionAt = 41;
constexpr std::size_t kNotBeforeAt = 138;
constexpr std::size_t kNotAfterAt = 146;

TEST(EpochCertificateV2Test, RoundTripsWithFunctionAndWindowAtTheSpecifiedOffsets) {
  const auto org_key = SigningKey::generate();
  const auto first = make_epoch(org_key, 0, {});
  const auto bytes = encode(first);
  ASSERT_EQ(bytes.size(), 250U);
  EXPECT_EQ(bytes[kVersionAt], 2);
  EXPECT_EQ(bytes[kFunctionAt], static_cast<std::uint8_t>(StaffRole::clb_psycholoog));
  EXPECT_EQ(bytes[kNotBeforeAt + 7], (kNow - 100) & 0xFF);  // u64 big-endian
  EXPECT_EQ(bytes[kNotAfterAt + 7], (kNow + 100) & 0xFF);
  const auto parsed = parse_epoch_certificate(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->function, StaffRole::clb_psycholoog);
  EXPECT_EQ(parsed->not_before, kNow - 100);
  EXPECT_EQ(parsed->not_after, kNow + 100);
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_TRUE(verify(*parsed, org_key.public_key(), kNow));
}

TEST(EpochCertificateV2Test, ZeroIsTheGeneralMailboxAndUnknownFunctionsAreRefused) {
  const auto org_key = SigningKey::generate();
  auto general = make_epoch(org_key, 0, {});
  general.function.reset();
  const auto bytes = encode(issue(general, org_key));
  EXPECT_EQ(bytes[kFunctionAt], 0);
  EXPECT_FALSE(parse_epoch_certificate(bytes)->function);
  for (const std::uint8_t code : {std::uint8_t{16}, std::uint8_t{0xFF}}) {
    auto unknown = bytes;
    unknown[kFunctionAt] = code;
    EXPECT_EQ(parse_epoch_certificate(unknown).error(), errc::field_out_of_range) << int{code};
  }
}

TEST(EpochCertificateV2Test, OneEncodingVersionOneAndAReversedWindowAreRefused) {
  const auto org_key = SigningKey::generate();
  const auto bytes = encode(make_epoch(org_key, 0, {}));
  auto version_one = bytes;
  version_one[kVersionAt] = 1;
  EXPECT_EQ(parse_epoch_certificate(version_one).error(), errc::unsupported_version);
  // A version 1 certificate is 241 bytes: refused for its version before its length.
  EXPECT_EQ(parse_epoch_certificate(std::span(version_one).first(241)).error(),
            errc::unsupported_version);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(parse_epoch_certificate(longer).error(), errc::trailing_data);
  auto reversed = make_epoch(org_key, 0, {});
  reversed.not_before = kNow + 1;
  reversed.not_after = kNow;
  EXPECT_EQ(parse_epoch_certificate(encode(issue(reversed, org_key))).error(),
            errc::field_out_of_range);
}

TEST(EpochCertificateV2Test, TheSignatureCoversTheFunctionAndTheWindow) {
  const auto org_key = SigningKey::generate();
  const auto bytes = encode(make_epoch(org_key, 0, {}));
  const std::pair<std::size_t, const char*> fields[] = {
      {kFunctionAt, "function"}, {kNotBeforeAt + 6, "not before"}, {kNotAfterAt + 6, "not after"}};
  for (const auto& [offset, name] : fields) {
    auto changed = bytes;
    changed[offset] ^= 0x01;  // clb_psycholoog (3) becomes clb_pedagoog (2); the window moves
    const auto parsed = parse_epoch_certificate(changed);
    ASSERT_TRUE(parsed) << name;
    EXPECT_EQ(verify(*parsed, org_key.public_key()).error(), errc::certificate_signature_invalid)
        << name;
  }
}

TEST(EpochCertificateV2Test, AnEpochIsUsableOnlyInsideItsWindow) {
  const auto org_key = SigningKey::generate();
  const auto epoch = make_epoch(org_key, 0, {});
  EXPECT_TRUE(verify(epoch, org_key.public_key(), kNow - 100));  // both bounds inclusive
  EXPECT_TRUE(verify(epoch, org_key.public_key(), kNow + 100));
  EXPECT_EQ(verify(epoch, org_key.public_key(), kNow - 101).error(), errc::epoch_not_yet_valid);
  EXPECT_EQ(verify(epoch, org_key.public_key(), kNow + 101).error(), errc::epoch_expired);
  EXPECT_EQ(check_window(epoch, kNow + 101).error(), errc::epoch_expired);
  // Without a time only the signature counts: old messages stay openable after the window.
  EXPECT_TRUE(verify(epoch, org_key.public_key()));
}

TEST(EpochCertificateV2Test, MembersFitAFunctionByRoleOrAsTheOrganisationAdmin) {
  EXPECT_TRUE(fits_function(std::nullopt, StaffRole::clb_onthaal));
  EXPECT_TRUE(fits_function(StaffRole::clb_psycholoog, StaffRole::clb_psycholoog));
  EXPECT_TRUE(fits_function(StaffRole::clb_psycholoog, StaffRole::organisation_admin));
  EXPECT_FALSE(fits_function(StaffRole::clb_psycholoog, StaffRole::clb_onthaal));
  EXPECT_FALSE(fits_function(StaffRole::clb_arts, StaffRole::clb_psycholoog));
}

TEST(EpochCertificateV2Test, TheDefaultWindowIsNinetyDaysFromFiveMinutesBefore) {
  MailboxEpochCertificate c;
  set_default_window(c, kNow);
  EXPECT_EQ(c.not_before, kNow - 300);
  EXPECT_EQ(c.not_after, kNow + 90ULL * 24 * 3600);
}

TEST(EpochCertificateTest, ChainOfEpochsVerifies) {
  const auto org_key = SigningKey::generate();
  const auto first = make_epoch(org_key, 0, {});
  const auto second = make_epoch(org_key, 1, certificate_hash(first));
  EXPECT_TRUE(verify(first, org_key.public_key()));
  EXPECT_TRUE(verify(second, org_key.public_key()));
  EXPECT_TRUE(verify_succession(first, second));
  const auto parsed = parse_epoch_certificate(encode(second));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(encode(*parsed), encode(second));
  EXPECT_EQ(encode(second).size(), kEpochCertificateSize);
}

TEST(EpochCertificateTest, BrokenLinksAreRefused) {
  const auto org_key = SigningKey::generate();
  const auto first = make_epoch(org_key, 0, {});
  const auto skipped = make_epoch(org_key, 2, certificate_hash(first));
  EXPECT_EQ(verify_succession(first, skipped).error(), errc::epoch_chain_broken);
  Hash256 wrong{};
  wrong[0] = 1;
  const auto unlinked = make_epoch(org_key, 1, wrong);
  EXPECT_EQ(verify_succession(first, unlinked).error(), errc::epoch_chain_broken);
}

TEST(EpochCertificateTest, FirstEpochHasNoPredecessorAndLaterOnesMust) {
  const auto org_key = SigningKey::generate();
  Hash256 some{};
  some[5] = 1;
  EXPECT_EQ(parse_epoch_certificate(encode(make_epoch(org_key, 0, some))).error(),
            errc::field_out_of_range);
  EXPECT_EQ(parse_epoch_certificate(encode(make_epoch(org_key, 1, {}))).error(),
            errc::field_out_of_range);
}

TEST(EpochCertificateTest, MembersHashIgnoresOrderButNotMembership) {
  const Id a = random_id();
  const Id b = random_id();
  const Id ab[] = {a, b};
  const Id ba[] = {b, a};
  const Id only_a[] = {a};
  EXPECT_EQ(members_hash(ab), members_hash(ba));
  EXPECT_NE(members_hash(ab), members_hash(only_a));
}

TEST(SigningKeyTest, DomainSeparationKeepsSignaturesApart) {
  const auto key = SigningKey::generate();
  const std::uint8_t message[] = {1, 2, 3};
  const auto signature = key.sign("draaischijf/a", message);
  EXPECT_TRUE(verify_signature(key.public_key(), "draaischijf/a", message, signature));
  EXPECT_FALSE(verify_signature(key.public_key(), "draaischijf/b", message, signature));
  const auto restored = SigningKey::from_seed(key.expose_seed());
  EXPECT_EQ(restored.public_key(), key.public_key());
}

}  // namespace
}  // namespace draaischijf::protocol
