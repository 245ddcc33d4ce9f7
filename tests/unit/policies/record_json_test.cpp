// The record's values travel in one JSON form that the hub writes and the client reads.

#include <functional>
#include <string>
#include <vector>

#include <boost/json/src.hpp>  // this test program's one copy of Boost.JSON
#include <gtest/gtest.h>

#include <draaischijf/policies/record_json.hpp>

namespace draaischijf::policies {
namespace {

// A register line with fresh ids.
Disclosure sample_disclosure() {
  return {1764979200000,
          protocol::random_id(),
          "staff",
          "clb_psycholoog",
          protocol::random_id(),
          protocol::random_id(),
          "doorverwijzing",
          "doorverwijzing",
          "psychisch_sociaal",
          "consent:ab",
          "R06",
          "2026.1",
          "arts"};
}

TEST(RecordJsonTest, ADisclosureRoundTrips) {
  const Disclosure d = sample_disclosure();
  const auto back =
      disclosure_from_json(boost::json::parse(boost::json::serialize(to_json(d))).as_object());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at_ms, d.at_ms);
  EXPECT_EQ(back->message_id, d.message_id);
  EXPECT_EQ(back->recipient_org, d.recipient_org);
  EXPECT_EQ(back->recipient_mailbox, d.recipient_mailbox);
  EXPECT_EQ(back->legal_basis, d.legal_basis);
  EXPECT_EQ(back->approved_by, d.approved_by);
}

TEST(RecordJsonTest, AWithdrawalRoundTripsAndAMissingFieldIsRefused) {
  const Withdrawal w{protocol::random_id(), 42, protocol::random_id()};
  auto object = to_json(w);
  const auto back = withdrawal_from_json(object);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mailbox_id, w.mailbox_id);
  EXPECT_EQ(back->sequence, 42);
  EXPECT_EQ(back->message_id, w.message_id);
  object.erase("sequence");
  EXPECT_FALSE(withdrawal_from_json(object));
  object["sequence"] = -1;
  EXPECT_FALSE(withdrawal_from_json(object));
  object["sequence"] = 1;
  object["message_id"] = "not hex";
  EXPECT_FALSE(withdrawal_from_json(object));
}

// The line of the register and the audit row of its decision, as the hub writes both.
struct LineAndRow {
  Disclosure line = sample_disclosure();
  protocol::Id org = protocol::random_id();
  protocol::Hash256 pupil{};
  protocol::AuditRecord row;
  LineAndRow() {
    pupil.fill(9);
    row = {17,
           line.at_ms,
           std::string(kPolicyDecisionEvent),
           {org.begin(), org.end()},
           std::vector<std::uint8_t>(16, 5),
           {line.message_id.begin(), line.message_id.end()},
           decision_detail("allow", line.recipient_org, line.recipient_mailbox, line.kind,
                           line.purpose, line.categories),
           {pupil.begin(), pupil.end()},
           line.sender_staff,
           line.approved_by,
           line.sender_role,
           line.legal_basis,
           line.rule_ids,
           line.policy_version};
  }
};

TEST(RecordJsonTest, AnAuditRowRoundTripsWithEveryFieldAndAMissingOneIsRefused) {
  const LineAndRow given;
  const auto object = to_json(given.row.view());
  const auto back = audit_record_from_json(object);
  ASSERT_TRUE(back);
  EXPECT_EQ(protocol::audit_row_hash(back->view()), protocol::audit_row_hash(given.row.view()));
  for (const auto& [key, value] : object) {
    auto without = object;
    without.erase(key);
    EXPECT_FALSE(audit_record_from_json(without)) << key;
  }
  auto odd = object;
  odd["org_id"] = "not hex";
  EXPECT_FALSE(audit_record_from_json(odd));
}

TEST(RecordJsonTest, ADecisionRowRecordsExactlyItsOwnDisclosure) {
  const LineAndRow given;
  EXPECT_EQ(given.row.detail.substr(0, 28), "outcome=allow recipient_org=");
  EXPECT_TRUE(records_disclosure(given.row.view(), given.line, given.org, given.pupil));
  const std::vector<std::pair<std::string, std::function<void(LineAndRow&)>>> changes = {
      {"categories", [](LineAndRow& g) { g.line.categories = "contact"; }},
      {"kind", [](LineAndRow& g) { g.line.kind = "consultatie"; }},
      {"recipient", [](LineAndRow& g) { g.line.recipient_mailbox[0] ^= 1; }},
      {"time", [](LineAndRow& g) { ++g.line.at_ms; }},
      {"message", [](LineAndRow& g) { g.line.message_id[0] ^= 1; }},
      {"sender", [](LineAndRow& g) { g.line.sender_staff = "other"; }},
      {"approvers", [](LineAndRow& g) { g.line.approved_by.clear(); }},
      {"legal basis", [](LineAndRow& g) { g.line.legal_basis = "rule:R34"; }},
      {"organisation", [](LineAndRow& g) { g.org[0] ^= 1; }},
      {"pupil", [](LineAndRow& g) { g.pupil[0] ^= 1; }},
      {"a refusal", [](LineAndRow& g) { g.row.detail.replace(8, 5, "deny "); }},
      {"another event", [](LineAndRow& g) { g.row.event = "envelope.accepted"; }},
  };
  for (const auto& [what, change] : changes) {
    LineAndRow changed = given;
    change(changed);
    EXPECT_FALSE(records_disclosure(changed.row.view(), changed.line, changed.org, changed.pupil))
        << what;
  }
}

}  // namespace
}  // namespace draaischijf::policies
