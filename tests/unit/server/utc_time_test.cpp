// The ISO 8601 times of the operator's commands (the backup manifest, the audit export's
// --from/--to): calendar edges, zones, and what is refused.

#include "core/utc_time.hpp"

#include <gtest/gtest.h>

namespace draaischijf::server {
namespace {

constexpr std::int64_t kDay = 86'400'000;

TEST(UtcTimeTest, FormatsMillisecondsAsIso8601Utc) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'709'164'800'123), "2024-02-29T00:00:00.123Z");
  EXPECT_EQ(format_utc_ms(1'798'761'599'999), "2026-12-31T23:59:59.999Z");
}

TEST(UtcTimeTest, ADateIsAWholeDayInUtc) {
  const auto start = parse_utc_ms("2024-02-29", DateBound::start_of_day);
  const auto end = parse_utc_ms("2024-02-29", DateBound::end_of_day);
  ASSERT_TRUE(start && end);
  EXPECT_EQ(*start, 1'709'164'800'000);
  EXPECT_EQ(*end, *start + kDay - 1);
}

TEST(UtcTimeTest, TimestampsNeedAZoneAndHonourIt) {
  EXPECT_EQ(parse_utc_ms("2024-02-29T00:00:00.123Z", DateBound::start_of_day), 1'709'164'800'123);
  EXPECT_EQ(parse_utc_ms("2024-02-29T01:30+01:30", DateBound::start_of_day), 1'709'164'800'000);
  EXPECT_EQ(parse_utc_ms("2024-02-28T22:00:00-02:00", DateBound::end_of_day), 1'709'164'800'000);
  for (const char* refused :
       {"2024-02-29T00:00:00", "2026-02-29", "2026-13-01", "2026-04-31", "2026-1-01", "01/03/2026",
        "2026-03-01T24:00Z", "2026-03-01T10:00:00.1Z", "2026-03-01Z", "",
        "2026-03-01T10:00Zjunk"}) {
    EXPECT_FALSE(parse_utc_ms(refused, DateBound::start_of_day)) << refused;
  }
}

}  // namespace
}  // namespace draaischijf::server
