// The working-day calendar (policies/calendar.hpp): Easter against an independent table, the
// Belgian legal holidays of known years as published, and the walks a doorlooptijd depends on.

#include <string_view>

#include <gtest/gtest.h>

#include <draaischijf/policies/calendar.hpp>

namespace draaischijf::policies {
namespace {

CivilDate day(std::string_view text) {
  const auto date = parse_date(text);
  EXPECT_TRUE(date.has_value()) << text;
  return date.value_or(CivilDate{});
}

// Easter Sunday 1900-2099, written by python-dateutil 2.8 (dateutil.easter.easter with
// EASTER_WESTERN, which implements Oudin's 1940 method: a different derivation from the
// Meeus/Jones/Butcher one under test), and spot-checked against the published dates of
// 2000-2030.
constexpr std::string_view kEaster1900[] = {
    "1900-04-15", "1901-04-07", "1902-03-30", "1903-04-12", "1904-04-03", "1905-04-23",
    "1906-04-15", "1907-03-31", "1908-04-19", "1909-04-11", "1910-03-27", "1911-04-16",
    "1912-04-07", "1913-03-23", "1914-04-12", "1915-04-04", "1916-04-23", "1917-04-08",
    "1918-03-31", "1919-04-20", "1920-04-04", "1921-03-27", "1922-04-16", "1923-04-01",
    "1924-04-20", "1925-04-12", "1926-04-04", "1927-04-17", "1928-04-08", "1929-03-31",
    "1930-04-20", "1931-04-05", "1932-03-27", "1933-04-16", "1934-04-01", "1935-04-21",
    "1936-04-12", "1937-03-28", "1938-04-17", "1939-04-09", "1940-03-24", "1941-04-13",
    "1942-04-05", "1943-04-25", "1944-04-09", "1945-04-01", "1946-04-21", "1947-04-06",
    "1948-03-28", "1949-04-17", "1950-04-09", "1951-03-25", "1952-04-13", "1953-04-05",
    "1954-04-18", "1955-04-10", "1956-04-01", "1957-04-21", "1958-04-06", "1959-03-29",
    "1960-04-17", "1961-04-02", "1962-04-22", "1963-04-14", "1964-03-29", "1965-04-18",
    "1966-04-10", "1967-03-26", "1968-04-14", "1969-04-06", "1970-03-29", "1971-04-11",
    "1972-04-02", "1973-04-22", "1974-04-14", "1975-03-30", "1976-04-18", "1977-04-10",
    "1978-03-26", "1979-04-15", "1980-04-06", "1981-04-19", "1982-04-11", "1983-04-03",
    "1984-04-22", "1985-04-07", "1986-03-30", "1987-04-19", "1988-04-03", "1989-03-26",
    "1990-04-15", "1991-03-31", "1992-04-19", "1993-04-11", "1994-04-03", "1995-04-16",
    "1996-04-07", "1997-03-30", "1998-04-12", "1999-04-04", "2000-04-23", "2001-04-15",
    "2002-03-31", "2003-04-20", "2004-04-11", "2005-03-27", "2006-04-16", "2007-04-08",
    "2008-03-23", "2009-04-12", "2010-04-04", "2011-04-24", "2012-04-08", "2013-03-31",
    "2014-04-20", "2015-04-05", "2016-03-27", "2017-04-16", "2018-04-01", "2019-04-21",
    "2020-04-12", "2021-04-04", "2022-04-17", "2023-04-09", "2024-03-31", "2025-04-20",
    "2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01", "2030-04-21", "2031-04-13",
    "2032-03-28", "2033-04-17", "2034-04-09", "2035-03-25", "2036-04-13", "2037-04-05",
    "2038-04-25", "2039-04-10", "2040-04-01", "2041-04-21", "2042-04-06", "2043-03-29",
    "2044-04-17", "2045-04-09", "2046-03-25", "2047-04-14", "2048-04-05", "2049-04-18",
    "2050-04-10", "2051-04-02", "2052-04-21", "2053-04-06", "2054-03-29", "2055-04-18",
    "2056-04-02", "2057-04-22", "2058-04-14", "2059-03-30", "2060-04-18", "2061-04-10",
    "2062-03-26", "2063-04-15", "2064-04-06", "2065-03-29", "2066-04-11", "2067-04-03",
    "2068-04-22", "2069-04-14", "2070-03-30", "2071-04-19", "2072-04-10", "2073-03-26",
    "2074-04-15", "2075-04-07", "2076-04-19", "2077-04-11", "2078-04-03", "2079-04-23",
    "2080-04-07", "2081-03-30", "2082-04-19", "2083-04-04", "2084-03-26", "2085-04-15",
    "2086-03-31", "2087-04-20", "2088-04-11", "2089-04-03", "2090-04-16", "2091-04-08",
    "2092-03-30", "2093-04-12", "2094-04-04", "2095-04-24", "2096-04-15", "2097-03-31",
    "2098-04-20", "2099-04-12",
};

TEST(CalendarTest, EasterMatchesAnIndependentTableFor1900To2099) {
  int year = 1900;
  for (const auto expected : kEaster1900) {
    EXPECT_EQ(to_string(easter_sunday(year)), expected) << year;
    ++year;
  }
  EXPECT_EQ(year, 2100);
}

TEST(CalendarTest, EasterAtTheEndsOfItsRange) {
  // The earliest (22 March) and latest (25 April) possible dates, and a far year.
  EXPECT_EQ(easter_sunday(1818), day("1818-03-22"));
  EXPECT_EQ(easter_sunday(2285), day("2285-03-22"));
  EXPECT_EQ(easter_sunday(1943), day("1943-04-25"));
  EXPECT_EQ(easter_sunday(2038), day("2038-04-25"));
  EXPECT_EQ(easter_sunday(2100), day("2100-03-28"));
}

// The official lists of Belgian legal holidays (FOD Werkgelegenheid) for six years.
struct HolidayYear {
  int year;
  std::string_view dates[10];
};
constexpr HolidayYear kBelgianHolidays[] = {
    {2020,
     {"2020-01-01", "2020-04-13", "2020-05-01", "2020-05-21", "2020-06-01", "2020-07-21",
      "2020-08-15", "2020-11-01", "2020-11-11", "2020-12-25"}},
    {2024,
     {"2024-01-01", "2024-04-01", "2024-05-01", "2024-05-09", "2024-05-20", "2024-07-21",
      "2024-08-15", "2024-11-01", "2024-11-11", "2024-12-25"}},
    {2025,
     {"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09", "2025-07-21",
      "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"}},
    {2026,
     {"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-07-21",
      "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"}},
    {2027,
     {"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-17", "2027-07-21",
      "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"}},
    {2028,
     {"2028-01-01", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05", "2028-07-21",
      "2028-08-15", "2028-11-01", "2028-11-11", "2028-12-25"}},
};

TEST(CalendarTest, BelgianLegalHolidaysOfSixYears) {
  const WorkingCalendar calendar;
  for (const auto& [year, dates] : kBelgianHolidays) {
    const auto holidays = belgian_legal_holidays(year);
    for (std::size_t i = 0; i < holidays.size(); ++i) {
      EXPECT_EQ(to_string(holidays[i].date), dates[i]) << year << " " << holidays[i].name;
      // A holiday on a weekend is off as a weekend; every other one as a holiday.
      EXPECT_NE(calendar.day_off(holidays[i].date), DayOff::none) << dates[i];
    }
  }
  EXPECT_EQ(calendar.day_off(day("2026-04-06")), DayOff::legal_holiday);  // Easter Monday
  EXPECT_EQ(calendar.day_off(day("2026-11-01")), DayOff::weekend);        // a Sunday
  EXPECT_EQ(belgian_legal_holidays(2026)[3].name, "Onze-Lieve-Heer-Hemelvaart");
}

TEST(CalendarTest, WorkingDaysOfAYearCountedByHand) {
  // 2026: 261 weekdays; 8 legal holidays on a weekday (15 August is a Saturday, 1 November a
  // Sunday): 253. 11 July is a Saturday; the closure period holds 23 weekdays, one of them
  // 21 July: 253 - 22 = 231.
  CalendarSettings bare;
  bare.flemish_community_holiday = false;
  bare.closure.reset();
  const WorkingCalendar plain(bare);
  const WorkingCalendar clb;
  EXPECT_EQ(plain.working_days_between(day("2025-12-31"), day("2026-12-31")), 253);
  EXPECT_EQ(clb.working_days_between(day("2025-12-31"), day("2026-12-31")), 231);
}

TEST(CalendarTest, FlemishCommunityHolidayIsASetting) {
  const WorkingCalendar clb;
  EXPECT_EQ(clb.day_off(day("2025-07-11")), DayOff::community_holiday);  // a Friday
  // Thursday 10 July 2025: Friday is 11 July, then the weekend.
  EXPECT_EQ(clb.add_working_days(day("2025-07-10"), 1), day("2025-07-14"));
  CalendarSettings settings;
  settings.flemish_community_holiday = false;
  const WorkingCalendar without(settings);
  EXPECT_TRUE(without.is_working_day(day("2025-07-11")));
  EXPECT_EQ(without.add_working_days(day("2025-07-10"), 1), day("2025-07-11"));
}

TEST(CalendarTest, ClosurePeriodDefaultsToMidJulyToMidAugust) {
  const WorkingCalendar clb;
  EXPECT_TRUE(clb.is_working_day(day("2026-07-14")));
  EXPECT_EQ(clb.day_off(day("2026-07-15")), DayOff::closure_period);
  EXPECT_EQ(clb.day_off(day("2026-08-14")), DayOff::closure_period);
  EXPECT_EQ(clb.day_off(day("2026-07-21")), DayOff::legal_holiday);
  EXPECT_TRUE(clb.is_working_day(day("2026-08-17")));
  EXPECT_EQ(clb.add_working_days(day("2026-07-14"), 1), day("2026-08-17"));
  EXPECT_EQ(closure_length(CalendarSettings::Closure{}), 32);

  CalendarSettings open;
  open.closure.reset();
  EXPECT_TRUE(WorkingCalendar(open).is_working_day(day("2026-07-15")));
}

TEST(CalendarTest, ClosurePeriodAcrossNewYear) {
  CalendarSettings settings;
  settings.closure = CalendarSettings::Closure{{12, 24}, {1, 2}};
  const WorkingCalendar calendar(settings);
  EXPECT_EQ(closure_length(*settings.closure), 10);
  EXPECT_TRUE(calendar.is_working_day(day("2026-12-23")));
  EXPECT_EQ(calendar.day_off(day("2026-12-28")), DayOff::closure_period);
  EXPECT_EQ(calendar.day_off(day("2027-01-01")), DayOff::legal_holiday);
  EXPECT_EQ(calendar.add_working_days(day("2026-12-23"), 1), day("2027-01-04"));
  // Only 15 July - 15 August in the default: 2026-07-15 is a working day here.
  EXPECT_TRUE(calendar.is_working_day(day("2026-07-15")));
}

TEST(CalendarTest, ExtraClosureDays) {
  CalendarSettings settings;
  settings.closure_days = {day("2027-05-07"), day("2026-11-02"), day("2026-11-02")};
  const WorkingCalendar calendar(settings);
  EXPECT_EQ(calendar.day_off(day("2026-11-02")), DayOff::closure_day);
  EXPECT_EQ(calendar.day_off(day("2027-05-07")), DayOff::closure_day);
  EXPECT_EQ(calendar.settings().closure_days.size(), 2U);  // sorted, the duplicate gone
  // Friday 30 October 2026: Sunday is 1 November, Monday the closure day.
  EXPECT_EQ(calendar.add_working_days(day("2026-10-30"), 1), day("2026-11-03"));
  EXPECT_EQ(WorkingCalendar().add_working_days(day("2026-10-30"), 1), day("2026-11-02"));
}

TEST(CalendarTest, AddWorkingDaysSkipsTheStartDayAndWeekends) {
  const WorkingCalendar clb;
  EXPECT_EQ(clb.add_working_days(day("2026-06-20"), 1), day("2026-06-22"));  // Saturday
  EXPECT_EQ(clb.add_working_days(day("2026-06-19"), 1), day("2026-06-22"));  // Friday
  EXPECT_EQ(clb.add_working_days(day("2026-06-19"), 0), day("2026-06-19"));
  EXPECT_EQ(clb.add_working_days(day("2026-06-22"), -1), day("2026-06-19"));
  // Over Easter 2027: Thursday 25 March + 2 is Tuesday 30 March (Monday is Easter Monday).
  EXPECT_EQ(clb.add_working_days(day("2027-03-25"), 2), day("2027-03-30"));
  // Over Christmas and New Year (no closure days set): Thursday 24 December 2026.
  EXPECT_EQ(clb.working_days_between(day("2026-12-24"), day("2027-01-04")), 5);
}

TEST(CalendarTest, WalksAgreeWithEachOther) {
  CalendarSettings settings;
  settings.closure_days = {day("2026-11-02"), day("2027-02-15")};
  const WorkingCalendar calendar(settings);
  // From every working day of two years (the walk back returns to a working day only).
  for (auto from = calendar.add_working_days(day("2025-12-31"), 1); from < day("2028-01-01");
       from = calendar.add_working_days(from, 1)) {
    for (const int n : {1, 3, 10, 40, 50}) {
      const auto to = calendar.add_working_days(from, n);
      ASSERT_TRUE(calendar.is_working_day(to)) << to_string(from) << " + " << n;
      ASSERT_EQ(calendar.working_days_between(from, to), n) << to_string(from);
      ASSERT_EQ(calendar.working_days_between(to, from), -n) << to_string(from);
      ASSERT_EQ(calendar.add_working_days(to, -n), from) << to_string(from);
    }
  }
}

TEST(CalendarTest, WalksAreBounded) {
  const WorkingCalendar clb;
  EXPECT_EQ(clb.add_working_days(day("2026-01-01"), 1'000'000),
            clb.add_working_days(day("2026-01-01"), kMaxWorkingDays));
  EXPECT_EQ(clb.add_working_days(day("9999-12-30"), 10), day("9999-12-31"));
  EXPECT_EQ(clb.add_working_days(day("0001-01-02"), -10), day("0001-01-01"));
}

TEST(CalendarTest, SchoolYearsAndMonthDays) {
  EXPECT_EQ(school_year_of(day("2027-03-01")), 2026);
  EXPECT_EQ(school_year_of(day("2026-09-01")), 2026);
  EXPECT_EQ(school_year_of(day("2026-08-31")), 2025);
  EXPECT_EQ(parse_school_year("2026-2027"), 2026);
  for (const auto bad : {"2026-2028", "2026/2027", "26-27", "2026-2027 ", "abcd-abce", ""}) {
    EXPECT_FALSE(parse_school_year(bad).has_value()) << bad;
  }
  EXPECT_EQ(parse_month_day("07-15"), (MonthDay{7, 15}));
  EXPECT_EQ(parse_month_day("02-29"), (MonthDay{2, 29}));
  for (const auto bad : {"7-15", "07-32", "13-01", "07/15", "07-15x", ""}) {
    EXPECT_FALSE(parse_month_day(bad).has_value()) << bad;
  }
  EXPECT_EQ(name_of(DayOff::closure_period), "closure_period");
}

}  // namespace
}  // namespace draaischijf::policies
