// The client's checks on a hub notice (client/notices.hpp): it verifies against the pinned hub
// key and names this device's organisation, or it is refused with notice_invalid and never
// shown. The hub side (that the hub writes and signs them) is notices_itest.cpp.

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/notices.hpp>

namespace draaischijf::client {
namespace {

using protocol::NoticeType;

class NoticeVerifyTest : public ::testing::Test {
 protected:
  NoticeVerifyTest() {
    notice.notice_id = protocol::random_id();
    notice.type = NoticeType::non_delivery;
    notice.org_id = org;
    notice.subject[0] = 0x42;
    notice.due_day = 20592;
    notice.created_at_ms = 1'779'000'000'000;
    notice = protocol::sign_notice(notice, hub);
  }
  protocol::Result<protocol::HubNotice> check(const std::vector<std::uint8_t>& bytes) {
    return verify_notice(bytes, hub.public_key(), org);
  }

  protocol::SigningKey hub = protocol::SigningKey::generate();
  protocol::Id org = protocol::random_id();
  protocol::HubNotice notice;
};

TEST_F(NoticeVerifyTest, ANoticeOfThePinnedHubForThisOrganisationIsAccepted) {
  const auto bytes = protocol::encode(notice);
  EXPECT_EQ(bytes.size(), protocol::kHubNoticeSize);
  const auto checked = check(bytes);
  ASSERT_TRUE(checked) << checked.error().message();
  EXPECT_EQ(checked->type, NoticeType::non_delivery);
  EXPECT_EQ(checked->due_day, 20592U);
}

TEST_F(NoticeVerifyTest, ABadSignatureAChangedFieldOrAnotherKeyIsRefused) {
  auto bytes = protocol::encode(notice);
  bytes.back() ^= 0x01;  // the signature
  EXPECT_EQ(check(bytes).error(), client_errc::notice_invalid);
  bytes = protocol::encode(notice);
  bytes[90] ^= 0x01;  // the due day
  EXPECT_EQ(check(bytes).error(), client_errc::notice_invalid);
  const auto other = protocol::SigningKey::generate();
  EXPECT_EQ(check(protocol::encode(protocol::sign_notice(notice, other))).error(),
            client_errc::notice_invalid);
}

TEST_F(NoticeVerifyTest, ANoticeForAnotherOrganisationIsRefused) {
  auto elsewhere = notice;
  elsewhere.org_id = protocol::random_id();
  elsewhere = protocol::sign_notice(elsewhere, hub);  // genuinely signed, for someone else
  EXPECT_EQ(check(protocol::encode(elsewhere)).error(), client_errc::notice_invalid);
}

TEST_F(NoticeVerifyTest, AnUnknownTypeOrTrailingBytesDoNotParse) {
  auto bytes = protocol::encode(notice);
  bytes[21] = 0x00;
  bytes[22] = 0x63;  // type 99: not a code this reader knows
  EXPECT_EQ(protocol::parse_notice(bytes).error(), protocol::errc::field_out_of_range);
  bytes = protocol::encode(notice);
  bytes.push_back(0);
  EXPECT_EQ(protocol::parse_notice(bytes).error(), protocol::errc::trailing_data);
  bytes.resize(protocol::kHubNoticeSize - 1);
  EXPECT_EQ(protocol::parse_notice(bytes).error(), protocol::errc::truncated);
}

}  // namespace
}  // namespace draaischijf::client
