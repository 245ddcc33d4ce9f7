// The second-approval request and answer bodies (docs/PROTOCOL.md 7.19): one encoding each,
// read back exactly, and the readings a sloppy or hostile colleague's client could try refused.

#include <algorithm>

#include <gtest/gtest.h>

#include <draaischijf/protocol/approval_request.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {
namespace {

ApprovalRequest request_of(std::vector<Id> recipients) {
  ApprovalRequest r;
  r.message_id = random_id();
  r.thread_id = random_id();
  r.kind = MessageKind::doorverwijzing;
  r.purpose = Purpose::doorverwijzing;
  r.attestations = 1U << 3U;
  r.consent_reference = random_id();
  r.answer_to = random_id();
  r.recipients = std::move(recipients);
  return r;
}

TEST(ApprovalRequestTest, ARequestReadsBackWithItsRecipientsAsASortedSet) {
  Id low{};
  Id high{};
  high[0] = 9;
  low[0] = 1;
  const auto request = request_of({high, low});
  const auto bytes = encode_approval_request(request).value();
  EXPECT_EQ(bytes.size(), 110U + 2U * 16U);
  const auto back = parse_approval_request(bytes).value();
  EXPECT_EQ(back.message_id, request.message_id);
  EXPECT_EQ(back.thread_id, request.thread_id);
  EXPECT_EQ(back.kind, MessageKind::doorverwijzing);
  EXPECT_EQ(back.attestations, request.attestations);
  EXPECT_EQ(back.answer_to, request.answer_to);
  EXPECT_EQ(back.recipients, (std::vector<Id>{low, high}));
}

TEST(ApprovalRequestTest, ABadRequestIsRefusedWithItsReason) {
  const Id one = random_id();
  EXPECT_EQ(encode_approval_request(request_of({})).error(), errc::no_recipients);
  EXPECT_EQ(encode_approval_request(request_of({one, one})).error(), errc::duplicate_recipient);
  auto no_thread = request_of({one});
  no_thread.thread_id = Id{};
  EXPECT_EQ(encode_approval_request(no_thread).error(), errc::field_out_of_range);

  auto bytes = encode_approval_request(request_of({one})).value();
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_EQ(parse_approval_request(trailing).error(), errc::trailing_data);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(parse_approval_request(magic).error(), errc::bad_magic);
  auto kind = bytes;
  kind[4 + 1 + 16 + 16 + 32 + 1] = 0xEE;  // the kind's low byte: no such kind
  EXPECT_EQ(parse_approval_request(kind).error(), errc::field_out_of_range);
  // Two recipients written in descending order: not the one encoding of the set.
  auto two = encode_approval_request(request_of({one, random_id()})).value();
  std::swap_ranges(two.end() - 32, two.end() - 16, two.end() - 16);
  EXPECT_EQ(parse_approval_request(two).error(), errc::non_canonical);
}

TEST(ApprovalRequestTest, AnAnswerIsApprovedWithAnIdOrDeclinedWithAReason) {
  const ApprovalAnswer approved{random_id(), ApprovalDecision::approved, random_id(), {}};
  const auto back = parse_approval_answer(encode_approval_answer(approved).value()).value();
  EXPECT_EQ(back.decision, ApprovalDecision::approved);
  EXPECT_EQ(back.approval_id, approved.approval_id);

  const ApprovalAnswer declined{random_id(), ApprovalDecision::declined, {}, "Eerst de ouders."};
  EXPECT_EQ(parse_approval_answer(encode_approval_answer(declined).value()).value().reason,
            "Eerst de ouders.");

  EXPECT_EQ(encode_approval_answer({random_id(), ApprovalDecision::declined, {}, {}}).error(),
            errc::field_out_of_range);
  EXPECT_EQ(encode_approval_answer({random_id(), ApprovalDecision::approved, {}, {}}).error(),
            errc::field_out_of_range);
  EXPECT_EQ(
      encode_approval_answer({random_id(), ApprovalDecision::declined, random_id(), "x"}).error(),
      errc::field_out_of_range);
  EXPECT_EQ(
      encode_approval_answer({random_id(), ApprovalDecision::declined, {}, "a\x1b[2Jb"}).error(),
      errc::non_canonical);
  // A decision code the format does not know.
  auto bytes = encode_approval_answer(declined).value();
  bytes[4 + 1 + 16] = 7;
  EXPECT_EQ(parse_approval_answer(bytes).error(), errc::field_out_of_range);
}

}  // namespace
}  // namespace draaischijf::protocol
