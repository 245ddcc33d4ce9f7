// The dossier transfer announcement (docs/PROTOCOL.md 7.20): its fixed layout, one encoding, the
// fields it must carry and a signature that fails when any byte changes; and R14's objection
// window on the announcing CLB's calendar (docs/WORKFLOW.md 5): ten calendar days from the later
// of the announcement and the day the parents were told, ending on a working day (Ger.W. art.
// 53) across a weekend, a holiday and the summer closure.

#include <chrono>

#include <gtest/gtest.h>

#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>

#include "protocol_parties.hpp"

namespace draaischijf::protocol {
namespace {

using policies::CivilDate;
using testing::kPartiesNowMs;
using testing::make_test_device;
using testing::TestDevice;
using testing::TestOrg;

struct Signed {
  TestOrg clb;
  TestDevice device = make_test_device(clb, clb.key, StaffRole::clb_onthaal);
  TransferAnnouncement statement;

  Signed() {
    statement.sender_org = clb.id;
    statement.receiving_org = random_id();
    statement.pupil = Hash256{0x42};
    statement.told_day = 20'500;
    statement.created_at_ms = kPartiesNowMs;
  }
  [[nodiscard]] Result<std::vector<std::uint8_t>> sign() const {
    return sign_transfer_announcement(statement, device.certificate, device.signing_key);
  }
};

TEST(TransferAnnouncementTest, RoundTripsAtItsFixedSize) {
  const Signed s;
  const auto bytes = s.sign();
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), kTransferAnnouncementSize);
  EXPECT_EQ(bytes->size(), 376U);
  EXPECT_EQ(kTransferAnnouncementDomain.size(), 36U);
  const auto parsed = parse_transfer_announcement(*bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(encode(*parsed), *bytes);
  EXPECT_TRUE(verify_transfer_announcement_signature(*parsed));
  EXPECT_EQ(parsed->statement.receiving_org, s.statement.receiving_org);
  EXPECT_EQ(parsed->statement.pupil, s.statement.pupil);
  EXPECT_EQ(parsed->statement.told_day, 20'500U);
  EXPECT_EQ(parsed->signer.device_id, s.device.certificate.device_id);
}

TEST(TransferAnnouncementTest, EverySignedByteCounts) {
  const Signed s;
  const auto bytes = s.sign();
  ASSERT_TRUE(bytes);
  // One bit of each field before the certificate, of the certificate and of the signature: the
  // statement either stops parsing or stops verifying; a changed byte never passes.
  for (std::size_t offset : {5U, 21U, 37U, 69U, 73U, 81U, 200U, 312U, 375U}) {
    auto changed = *bytes;
    changed[offset] ^= 0x01;
    const auto parsed = parse_transfer_announcement(changed);
    EXPECT_TRUE(!parsed || !verify_transfer_announcement_signature(*parsed)) << "offset " << offset;
  }
}

TEST(TransferAnnouncementTest, ItNamesAPupilADayAndANewClbThatIsNotTheSender) {
  Signed s;
  s.statement.receiving_org = s.clb.id;  // to itself
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.receiving_org = Id{};
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.receiving_org = random_id();
  s.statement.told_day = 0;
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.told_day = 20'500;
  s.statement.pupil = Hash256{};
  EXPECT_EQ(s.sign().error(), errc::field_out_of_range);
  s.statement.pupil = Hash256{0x42};
  s.statement.sender_org = random_id();
  EXPECT_EQ(s.sign().error(), errc::sender_mismatch);
}

TEST(TransferAnnouncementTest, RefusesBadStructureAndAnotherKey) {
  const Signed s;
  auto bytes = *s.sign();
  EXPECT_EQ(parse_transfer_announcement(std::span(bytes).first(100)).error(), errc::truncated);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(parse_transfer_announcement(longer).error(), errc::trailing_data);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(parse_transfer_announcement(magic).error(), errc::bad_magic);
  auto version = bytes;
  version[4] = 2;
  EXPECT_EQ(parse_transfer_announcement(version).error(), errc::unsupported_version);
  auto to_self = bytes;  // the receiving organisation overwritten with the sender's
  std::copy(bytes.begin() + 5, bytes.begin() + 21, to_self.begin() + 21);
  EXPECT_EQ(parse_transfer_announcement(to_self).error(), errc::field_out_of_range);
  const TestDevice other = make_test_device(s.clb, s.clb.key, StaffRole::clb_onthaal);
  auto forged = sign_transfer_announcement(s.statement, s.device.certificate, other.signing_key);
  ASSERT_TRUE(forged);
  const auto parsed = parse_transfer_announcement(*forged);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(verify_transfer_announcement_signature(*parsed).error(), errc::signature_invalid);
}

// 09:00 in Belgium (summer or winter time alike: 07:00 UTC is on the same date).
std::int64_t morning_of(CivilDate d) {
  const std::chrono::sys_days day{std::chrono::year{d.year} / std::chrono::month{d.month} /
                                  std::chrono::day{d.day}};
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (day + std::chrono::hours(7)).time_since_epoch())
      .count();
}

CivilDate passes(CivilDate announced, std::optional<CivilDate> told,
                 const policies::WorkingCalendar& calendar = policies::WorkingCalendar{}) {
  return policies::objection_window_passes_on(morning_of(announced), told, 10, calendar);
}

TEST(TransferWindowTest, TenCalendarDaysThatEndOnAWorkingDay) {
  // Monday 2 March 2026: the tenth day is Thursday 12 March, a working day; it passes on 13.
  EXPECT_EQ(passes({2026, 3, 2}, std::nullopt), (CivilDate{2026, 3, 13}));
  // Wednesday 4 March: the tenth day is Saturday 14 March; the window ends on Monday 16.
  EXPECT_EQ(passes({2026, 3, 4}, std::nullopt), (CivilDate{2026, 3, 17}));
  // Friday 27 March 2026: the tenth day is Easter Monday, 6 April; it ends on Tuesday 7.
  EXPECT_EQ(passes({2026, 3, 27}, std::nullopt), (CivilDate{2026, 4, 8}));
  // Monday 6 July 2026: the tenth day is 16 July, inside the summer closure (15 July - 15
  // August); the next working day is Monday 17 August.
  EXPECT_EQ(passes({2026, 7, 6}, std::nullopt), (CivilDate{2026, 8, 18}));
}

TEST(TransferWindowTest, ItStartsOnTheLaterOfTheAnnouncementAndTheDayTheParentsWereTold) {
  // Told before the announcement: the hub's date counts, never an earlier one.
  EXPECT_EQ(passes({2026, 3, 2}, CivilDate{2026, 2, 20}), (CivilDate{2026, 3, 13}));
  // Told after it (a letter that leaves later): the window starts then.
  EXPECT_EQ(passes({2026, 3, 2}, CivilDate{2026, 3, 3}), (CivilDate{2026, 3, 14}));
}

TEST(TransferWindowTest, TheAnnouncingClbsOwnClosureCounts) {
  // A CLB without a summer closure: 16 July 2026 is a working day for it.
  policies::CalendarSettings open;
  open.closure.reset();
  EXPECT_EQ(passes({2026, 7, 6}, std::nullopt, policies::WorkingCalendar(open)),
            (CivilDate{2026, 7, 17}));
  // One that closes on Friday 13 March as well: the window of 3 March (tenth day Friday 13)
  // ends on Monday 16.
  policies::CalendarSettings study_day;
  study_day.closure_days = {{2026, 3, 13}};
  EXPECT_EQ(passes({2026, 3, 3}, std::nullopt), (CivilDate{2026, 3, 14}));
  EXPECT_EQ(passes({2026, 3, 3}, std::nullopt, policies::WorkingCalendar(study_day)),
            (CivilDate{2026, 3, 17}));
}

}  // namespace
}  // namespace draaischijf::protocol
