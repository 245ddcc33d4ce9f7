#include <cstdio>

#include <draaischijf/policies/date.hpp>

namespace draaischijf::policies {
namespace {

constexpr bool is_leap(int year) noexcept {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int days_in_month(int year, int month) noexcept {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool all_digits(std::string_view text) noexcept {
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

int to_int(std::string_view digits) noexcept {
  int value = 0;
  for (const char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

bool is_valid(CivilDate date) noexcept {
  return date.year >= 1 && date.year <= 9999 && date.month >= 1 && date.month <= 12 &&
         date.day >= 1 && date.day <= days_in_month(date.year, date.month);
}

std::optional<CivilDate> parse_date(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  const auto year = text.substr(0, 4);
  const auto month = text.substr(5, 2);
  const auto day = text.substr(8, 2);
  if (!all_digits(year) || !all_digits(month) || !all_digits(day)) {
    return std::nullopt;
  }
  const CivilDate date{static_cast<std::int16_t>(to_int(year)),
                       static_cast<std::uint8_t>(to_int(month)),
                       static_cast<std::uint8_t>(to_int(day))};
  if (!is_valid(date)) {
    return std::nullopt;
  }
  return date;
}

std::string to_string(CivilDate date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year),
                static_cast<unsigned>(date.month), static_cast<unsigned>(date.day));
  return buffer;
}

int age_on(CivilDate birth, CivilDate on) noexcept {
  int years = on.year - birth.year;
  // Comparing (month, day) makes a 29 February birthday fall on 1 March in other years:
  // (2, 28) is still before (2, 29).
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) {
    --years;
  }
  return years;
}

CivilDate day_turning(CivilDate birth, int years) noexcept {
  CivilDate day = birth;
  day.year = static_cast<std::int16_t>(birth.year + years);
  if (!is_valid(day)) {  // 29 February in a year without one
    day.month = 3;
    day.day = 1;
  }
  return day;
}

namespace {

CivilDate from_days(std::chrono::sys_days days) noexcept {
  const std::chrono::year_month_day ymd(days);
  return {static_cast<std::int16_t>(static_cast<int>(ymd.year())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()))};
}

// 01:00 UTC on the last Sunday of `month`: when EU summer time starts (March) or ends (October).
std::chrono::sys_seconds eu_switch(std::chrono::year year, std::chrono::month month) {
  using namespace std::chrono;
  const sys_days last_sunday{year / month / Sunday[last]};
  return last_sunday + hours(1);
}

}  // namespace

CivilDate belgian_date(std::chrono::system_clock::time_point instant) noexcept {
  using namespace std::chrono;
  const auto utc = time_point_cast<seconds>(instant);
  const year y = year_month_day(floor<days>(utc)).year();
  const bool summer = utc >= eu_switch(y, March) && utc < eu_switch(y, October);
  return from_days(floor<days>(utc + hours(summer ? 2 : 1)));
}

}  // namespace draaischijf::policies
