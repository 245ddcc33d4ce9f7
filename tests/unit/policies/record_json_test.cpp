// The record's values travel in one JSON form that the hub writes and the client reads.

#include <boost/json/src.hpp>  // this test program's one copy of Boost.JSON
#include <gtest/gtest.h>

#include <draaischijf/policies/record_json.hpp>

namespace draaischijf::policies {
namespace {

TEST(RecordJsonTest, ADisclosureRoundTrips) {
  Disclosure d{1764979200000,
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

}  // namespace
}  // namespace draaischijf::policies
