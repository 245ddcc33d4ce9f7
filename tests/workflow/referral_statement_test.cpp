// The referral status statement (docs/PROTOCOL.md 7.18): its fixed layout, one encoding, the
// fields each state carries, and a signature that fails when any byte changes; and the
// client's check of a served history.

#include <gtest/gtest.h>

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/referral_status.hpp>

#include "protocol_parties.hpp"

namespace draaischijf::protocol {
namespace {

using testing::kPartiesNowMs;
using testing::make_test_device;
using testing::TestDevice;
using testing::TestOrg;

struct Signed {
  TestOrg partner;
  TestDevice device = make_test_device(partner, partner.key, StaffRole::partner_intake);
  ReferralStatement statement;

  Signed() {
    statement.referral_id = random_id();
    statement.partner_org = partner.id;
    statement.sender_org = partner.id;
    statement.state = ReferralState::waitlisted;
    statement.day = 20'500;
    statement.created_at_ms = kPartiesNowMs;
    statement.sequence = 2;
  }
  [[nodiscard]] Result<std::vector<std::uint8_t>> sign() const {
    return sign_referral_statement(statement, device.certificate, device.signing_key);
  }
};

TEST(ReferralStatementTest, RoundTripsAtItsFixedSize) {
  const Signed s;
  const auto bytes = s.sign();
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), kReferralStatementSize);
  EXPECT_EQ(bytes->size(), 366U);
  const auto parsed = parse_referral_statement(*bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(encode(*parsed), *bytes);
  EXPECT_TRUE(verify_referral_signature(*parsed));
  EXPECT_EQ(parsed->statement.state, ReferralState::waitlisted);
  EXPECT_EQ(parsed->statement.day, 20'500U);
  EXPECT_EQ(parsed->statement.sequence, 2U);
}

TEST(ReferralStatementTest, EverySignedByteCounts) {
  const Signed s;
  const auto bytes = s.sign();
  ASSERT_TRUE(bytes);
  // Flip one bit of each field before the certificate and of the signature: the statement
  // either stops parsing or stops verifying; never does a changed byte pass.
  for (std::size_t offset : {5U, 21U, 37U, 53U, 54U, 55U, 59U, 67U, 302U, 365U}) {
    auto changed = *bytes;
    changed[offset] ^= 0x01;
    const auto parsed = parse_referral_statement(changed);
    EXPECT_TRUE(!parsed || !verify_referral_signature(*parsed)) << "offset " << offset;
  }
}

TEST(ReferralStatementTest, EachStateCarriesOnlyItsOwnFields) {
  Signed s;
  s.statement.day = 0;  // waitlisted needs the expected start date
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.state = ReferralState::declined;
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);  // declined needs a reason
  s.statement.code = static_cast<std::uint8_t>(DeclineReason::capacity);
  EXPECT_TRUE(s.sign());
  s.statement.code = 9;  // no such reason
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.state = ReferralState::closed;
  s.statement.code = static_cast<std::uint8_t>(ReferralOutcome::completed);
  EXPECT_TRUE(s.sign());
  s.statement.state = ReferralState::started;  // no code on a started
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.code = 0;
  EXPECT_TRUE(s.sign());
  s.statement.day = 20'500;  // and no date
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.day = 0;
  s.statement.state = ReferralState::sent;  // the hub's own record, never signed
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.state = ReferralState::received;
  s.statement.sequence = 0;
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
}

TEST(ReferralStatementTest, RefusesAnotherOrganisationsCertificateAndBadStructure) {
  Signed s;
  s.statement.sender_org = random_id();
  EXPECT_EQ(s.sign().error(), errc::sender_mismatch);
  s.statement.sender_org = s.partner.id;
  auto bytes = *s.sign();
  EXPECT_EQ(parse_referral_statement(std::span(bytes).first(100)).error(), errc::truncated);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(parse_referral_statement(longer).error(), errc::trailing_data);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(parse_referral_statement(magic).error(), errc::bad_magic);
  auto state = bytes;
  state[53] = 42;
  EXPECT_EQ(parse_referral_statement(state).error(), errc::field_out_of_range);
  // A signature by another key of the same organisation's name does not verify.
  const TestDevice other = make_test_device(s.partner, s.partner.key, StaffRole::partner_intake);
  auto forged = sign_referral_statement(s.statement, s.device.certificate, other.signing_key);
  ASSERT_TRUE(forged);
  const auto parsed = parse_referral_statement(*forged);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(verify_referral_signature(*parsed).error(), errc::signature_invalid);
}

}  // namespace
}  // namespace draaischijf::protocol

// The client's own check of what the hub serves (policies::check_referral_history): the hub is
// untrusted, so a statement it altered, invented, reordered or accepted against the table is
// flagged, and the state the client shows stops at the last statement that checked out.
namespace draaischijf::policies {
namespace {

using protocol::ReferralState;
using testing::kPartiesNowMs;
using testing::make_test_device;
using testing::TestDevice;
using testing::TestOrg;

class ReferralHistoryTest : public ::testing::Test {
 protected:
  std::vector<std::uint8_t> signed_by(const TestOrg& org, const TestDevice& device,
                                      ReferralState state, std::uint32_t sequence,
                                      std::uint8_t code = 0) const {
    protocol::ReferralStatement s;
    s.referral_id = referral;
    s.partner_org = partner.id;
    s.sender_org = org.id;
    s.state = state;
    s.code = code;
    s.created_at_ms = kPartiesNowMs;
    s.sequence = sequence;
    return protocol::sign_referral_statement(s, device.certificate, device.signing_key).value();
  }
  [[nodiscard]] ReferralHistoryCheck check(
      const std::vector<std::vector<std::uint8_t>>& statements) const {
    return check_referral_history(
        referral, clb.id, partner.id, statements, [this](const protocol::Id& org) {
          return org == clb.id       ? std::optional(clb.key.public_key())
                 : org == partner.id ? std::optional(partner.key.public_key())
                                     : std::nullopt;
        });
  }

  protocol::Id referral = protocol::random_id();
  TestOrg clb;
  TestOrg partner;
  TestDevice clb_device = make_test_device(clb, clb.key, protocol::StaffRole::clb_onthaal);
  TestDevice intake = make_test_device(partner, partner.key, protocol::StaffRole::partner_intake);
};

TEST_F(ReferralHistoryTest, AnHonestHistoryChecksOut) {
  const auto result = check({signed_by(partner, intake, ReferralState::received, 1),
                             signed_by(partner, intake, ReferralState::accepted, 2),
                             signed_by(partner, intake, ReferralState::started, 3)});
  EXPECT_TRUE(result.all_ok());
  EXPECT_EQ(result.state, ReferralState::started);
}

TEST_F(ReferralHistoryTest, ATamperedStatementIsFlaggedAndTheStateStopsBeforeIt) {
  auto accepted = signed_by(partner, intake, ReferralState::accepted, 2);
  accepted[53] = static_cast<std::uint8_t>(ReferralState::waitlisted);  // the hub's edit
  accepted[58] = 1;  // with the date a waitlisted statement needs, so it still parses
  const auto result = check({signed_by(partner, intake, ReferralState::received, 1), accepted,
                             signed_by(partner, intake, ReferralState::started, 3)});
  ASSERT_EQ(result.checks.size(), 3U);
  EXPECT_EQ(result.checks[0], StatementCheck::ok);
  EXPECT_EQ(result.checks[1], StatementCheck::bad_signature);
  EXPECT_EQ(result.checks[2], StatementCheck::out_of_sequence);
  EXPECT_EQ(result.state, ReferralState::received);
}

TEST_F(ReferralHistoryTest, FlagsWhatAnHonestHubWouldHaveRefused) {
  // A validly signed started after declined: the table forbids it, whoever recorded it.
  auto illegal = check({signed_by(partner, intake, ReferralState::declined, 1,
                                  static_cast<std::uint8_t>(protocol::DeclineReason::capacity)),
                        signed_by(partner, intake, ReferralState::started, 2)});
  EXPECT_EQ(illegal.checks[1], StatementCheck::illegal_transition);
  EXPECT_EQ(illegal.state, ReferralState::declined);
  // The CLB's device cannot accept for the partner.
  EXPECT_EQ(check({signed_by(clb, clb_device, ReferralState::accepted, 1)}).checks[0],
            StatementCheck::wrong_party);
  // A device certified by a key the client does not trust for that organisation.
  const TestDevice forged = make_test_device(partner, protocol::SigningKey::generate(),
                                             protocol::StaffRole::partner_intake);
  EXPECT_EQ(check({signed_by(partner, forged, ReferralState::received, 1)}).checks[0],
            StatementCheck::untrusted_signer);
  // A statement dropped by the hub leaves a gap.
  EXPECT_EQ(check({signed_by(partner, intake, ReferralState::received, 1),
                   signed_by(partner, intake, ReferralState::started, 3)})
                .checks[1],
            StatementCheck::out_of_sequence);
  EXPECT_EQ(check({{1, 2, 3}}).checks[0], StatementCheck::unparsable);
}

}  // namespace
}  // namespace draaischijf::policies
