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

}  // namespace
}  // namespace draaischijf::policies
