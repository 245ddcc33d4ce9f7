#include <gtest/gtest.h>

#include <draaischijf/policies/date.hpp>

namespace draaischijf::policies {
namespace {

CivilDate d(std::string_view text) {
  const auto date = parse_date(text);
  EXPECT_TRUE(date) << text;
  return date.value_or(CivilDate{});
}

TEST(CivilDateTest, ParsesStrictIsoDates) {
  EXPECT_EQ(d("2026-03-10"), (CivilDate{2026, 3, 10}));
  EXPECT_EQ(d("2024-02-29"), (CivilDate{2024, 2, 29}));
  for (const std::string_view bad :
       {"", "2026-3-10", "2026-03-1", "2026/03/10", "2026-13-01", "2026-00-10", "2026-02-29",
        "1900-02-29", "0000-01-01", "2026-03-10 ", "+026-03-10", "2026-03-32", "abcd-ef-gh"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
  EXPECT_TRUE(parse_date("2000-02-29"));
}

TEST(CivilDateTest, FormatsAndOrders) {
  EXPECT_EQ(to_string(CivilDate{2026, 3, 1}), "2026-03-01");
  EXPECT_LT(d("2026-03-09"), d("2026-03-10"));
  EXPECT_LT(d("2025-12-31"), d("2026-01-01"));
}

TEST(CivilDateTest, TheBirthdayItselfCounts) {
  EXPECT_EQ(age_on(d("2014-03-10"), d("2026-03-09")), 11);
  EXPECT_EQ(age_on(d("2014-03-10"), d("2026-03-10")), 12);
  EXPECT_EQ(age_on(d("2008-03-10"), d("2026-03-09")), 17);
  EXPECT_EQ(age_on(d("2008-03-10"), d("2026-03-10")), 18);
  EXPECT_EQ(age_on(d("2014-12-31"), d("2026-01-01")), 11);
  EXPECT_EQ(age_on(d("2026-03-11"), d("2026-03-10")), -1);
}

TEST(CivilDateTest, TwentyNinthOfFebruaryTurnsOnTheFirstOfMarch) {
  EXPECT_EQ(age_on(d("2008-02-29"), d("2026-02-28")), 17);
  EXPECT_EQ(age_on(d("2008-02-29"), d("2026-03-01")), 18);
  EXPECT_EQ(age_on(d("2012-02-29"), d("2024-02-29")), 12);
  EXPECT_EQ(day_turning(d("2008-02-29"), 18), d("2026-03-01"));
  EXPECT_EQ(day_turning(d("2012-02-29"), 12), d("2024-02-29"));
  EXPECT_EQ(day_turning(d("2014-03-10"), 12), d("2026-03-10"));
}

// The decision date is the day in Belgium: a pupil born on 10 March turns 12 at midnight in
// Brussels, which is 23:00 UTC the day before in winter and 22:00 UTC in summer.
TEST(CivilDateTest, TheDecisionDateIsTheDayInBelgium) {
  using namespace std::chrono;
  const auto utc = [](int y, unsigned m, unsigned day, int hour, int minute) {
    return system_clock::time_point(sys_days(year(y) / month(m) / std::chrono::day(day)) +
                                    hours(hour) + minutes(minute));
  };
  EXPECT_EQ(belgian_date(utc(2026, 3, 9, 22, 59)), d("2026-03-09"));  // 23:59 in Brussels
  EXPECT_EQ(belgian_date(utc(2026, 3, 9, 23, 0)), d("2026-03-10"));   // midnight in Brussels
  EXPECT_EQ(belgian_date(utc(2026, 7, 1, 21, 59)), d("2026-07-01"));  // summer time: UTC+2
  EXPECT_EQ(belgian_date(utc(2026, 7, 1, 22, 0)), d("2026-07-02"));
  // Summer time starts on 29 March 2026 at 01:00 UTC and ends on 25 October at 01:00 UTC.
  EXPECT_EQ(belgian_date(utc(2026, 3, 28, 22, 30)), d("2026-03-28"));   // 23:30 CET
  EXPECT_EQ(belgian_date(utc(2026, 10, 24, 22, 30)), d("2026-10-25"));  // 00:30 CEST
  EXPECT_EQ(belgian_date(utc(2026, 10, 25, 22, 30)), d("2026-10-25"));  // 23:30 CET again
  EXPECT_EQ(belgian_date(utc(2026, 12, 31, 23, 0)), d("2027-01-01"));
}

}  // namespace
}  // namespace draaischijf::policies
