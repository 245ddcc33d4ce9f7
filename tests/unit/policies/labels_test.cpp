// The one request builder the client's pre-check and the hub's gate share.

#include <gtest/gtest.h>

#include <draaischijf/policies/labels.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {
namespace {

TEST(RequestForTest, TakesEveryLabelAndBothPartiesAsGiven) {
  protocol::OuterHeader labels;
  labels.kind = protocol::MessageKind::doorverwijzing;
  labels.purpose = protocol::Purpose::doorverwijzing;
  labels.categories.add(protocol::DataCategory::psychisch_sociaal);
  labels.attestations = 1U << static_cast<unsigned>(Flag::verontrusting);
  labels.pupil_pseudonym[0] = 0xAB;
  const SenderFacts sender{protocol::OrgType::clb, protocol::random_id(),
                           protocol::StaffRole::clb_psycholoog, protocol::random_id()};
  const RecipientFacts recipient{protocol::random_id(), protocol::OrgType::caw,
                                 protocol::StaffRole::partner_hulpverlener};
  const CivilDate date{2026, 12, 6};  // NOLINT(readability-magic-numbers)
  const auto request = request_for(labels, sender, recipient, date);
  EXPECT_EQ(request.sender_org_type, protocol::OrgType::clb);
  EXPECT_EQ(request.sender_org_id, sender.org_id);
  EXPECT_EQ(request.sender_role, protocol::StaffRole::clb_psycholoog);
  EXPECT_EQ(request.sender_staff, protocol::hex_encode(sender.staff_id));
  EXPECT_EQ(request.recipient_org_id, recipient.org_id);
  EXPECT_EQ(request.recipient_org_type, protocol::OrgType::caw);
  EXPECT_EQ(request.recipient_role, protocol::StaffRole::partner_hulpverlener);
  EXPECT_EQ(request.kind, protocol::MessageKind::doorverwijzing);
  EXPECT_EQ(request.purpose, protocol::Purpose::doorverwijzing);
  EXPECT_EQ(request.categories, labels.categories);
  EXPECT_TRUE(request.flags.contains(Flag::verontrusting));
  EXPECT_EQ(request.date, date);
  EXPECT_EQ(request.pupil_pseudonym.substr(0, 2), "ab");
  EXPECT_TRUE(request.consents.empty());
  EXPECT_TRUE(request.approvals.empty());
}

TEST(RequestForTest, AZeroPseudonymMeansNoPupil) {
  const auto request = request_for({}, {}, {}, CivilDate{2026, 1, 1});
  EXPECT_TRUE(request.pupil_pseudonym.empty());
}

}  // namespace
}  // namespace draaischijf::policies
