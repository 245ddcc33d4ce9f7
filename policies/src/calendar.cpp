#include <algorithm>
#include <chrono>

#include <draaischijf/policies/calendar.hpp>

namespace draaischijf::policies {
namespace {

using std::chrono::sys_days;

sys_days to_days(CivilDate date) noexcept {
  return sys_days{std::chrono::year{date.year} / std::chrono::month{date.month} /
                  std::chrono::day{date.day}};
}

CivilDate from_days(sys_days days) noexcept {
  const std::chrono::year_month_day ymd(days);
  return {static_cast<std::int16_t>(static_cast<int>(ymd.year())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month())),
          static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()))};
}

CivilDate plus_days(CivilDate date, int days) noexcept {
  return from_days(to_days(date) + std::chrono::days(days));
}

bool in_closure(const CalendarSettings::Closure& closure, CivilDate date) noexcept {
  const MonthDay day{date.month, date.day};
  if (closure.first <= closure.last) {
    return closure.first <= day && day <= closure.last;
  }
  return day >= closure.first || day <= closure.last;  // across New Year
}

bool is_legal_holiday(CivilDate date) noexcept {
  const auto holidays = belgian_legal_holidays(date.year);
  return std::any_of(holidays.begin(), holidays.end(),
                     [&](const Holiday& holiday) { return holiday.date == date; });
}

// Stepping stops at the ends of the range CivilDate can name (years 1-9999).
constexpr CivilDate kFirstDay{1, 1, 1};
constexpr CivilDate kLastDay{9999, 12, 31};

}  // namespace

std::optional<MonthDay> parse_month_day(std::string_view text) noexcept {
  // The same strict digits as parse_date, checked against a leap year so 02-29 passes.
  if (text.size() != 5 || text[2] != '-') {
    return std::nullopt;
  }
  std::string full = "2000-";
  full.append(text);
  const auto date = parse_date(full);
  if (!date) {
    return std::nullopt;
  }
  return MonthDay{date->month, date->day};
}

std::string_view name_of(DayOff reason) noexcept {
  switch (reason) {
    case DayOff::none:
      return "working_day";
    case DayOff::weekend:
      return "weekend";
    case DayOff::legal_holiday:
      return "legal_holiday";
    case DayOff::community_holiday:
      return "community_holiday";
    case DayOff::closure_period:
      return "closure_period";
    case DayOff::closure_day:
      return "closure_day";
  }
  return {};
}

CivilDate easter_sunday(int year) noexcept {
  // The anonymous Gregorian algorithm (Meeus, Astronomical Algorithms, ch. 8; Jones 1876,
  // Butcher 1876): golden number, century corrections, epact and the weekday, in integers.
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return {static_cast<std::int16_t>(year), static_cast<std::uint8_t>(month),
          static_cast<std::uint8_t>(day)};
}

std::array<Holiday, 10> belgian_legal_holidays(int year) noexcept {
  const auto y = static_cast<std::int16_t>(year);
  const CivilDate easter = easter_sunday(year);
  return {{
      {{y, 1, 1}, "Nieuwjaar"},
      {plus_days(easter, 1), "Paasmaandag"},
      {{y, 5, 1}, "Dag van de Arbeid"},
      {plus_days(easter, 39), "Onze-Lieve-Heer-Hemelvaart"},
      {plus_days(easter, 50), "Pinkstermaandag"},
      {{y, 7, 21}, "Nationale feestdag"},
      {{y, 8, 15}, "Onze-Lieve-Vrouw-Hemelvaart"},
      {{y, 11, 1}, "Allerheiligen"},
      {{y, 11, 11}, "Wapenstilstand"},
      {{y, 12, 25}, "Kerstmis"},
  }};
}

int school_year_of(CivilDate date) noexcept { return date.month >= 9 ? date.year : date.year - 1; }

std::optional<int> parse_school_year(std::string_view text) noexcept {
  if (text.size() != 9 || text[4] != '-') {
    return std::nullopt;
  }
  // Reuse the strict date parser for the digits: "YYYY-01-01" for each year.
  const auto first = parse_date(std::string(text.substr(0, 4)) + "-01-01");
  const auto second = parse_date(std::string(text.substr(5, 4)) + "-01-01");
  if (!first || !second || second->year != first->year + 1) {
    return std::nullopt;
  }
  return first->year;
}

int closure_length(const CalendarSettings::Closure& closure) noexcept {
  // Counted in a year without 29 February (2001), where 29 February stands for 28 February.
  const auto day_of_year = [](MonthDay day) {
    const std::uint8_t day_of_month = day.month == 2 && day.day == 29 ? 28 : day.day;
    return static_cast<int>(
        (to_days({2001, day.month, day_of_month}) - to_days({2001, 1, 1})).count());
  };
  int length = day_of_year(closure.last) - day_of_year(closure.first) + 1;
  if (closure.last < closure.first) {
    length += 365;  // across New Year
  }
  return length;
}

WorkingCalendar::WorkingCalendar() : WorkingCalendar(CalendarSettings{}) {}

WorkingCalendar::WorkingCalendar(CalendarSettings settings) : settings_(std::move(settings)) {
  auto& days = settings_.closure_days;
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
}

DayOff WorkingCalendar::day_off(CivilDate date) const noexcept {
  const std::chrono::weekday weekday(to_days(date));
  if (weekday == std::chrono::Saturday || weekday == std::chrono::Sunday) {
    return DayOff::weekend;
  }
  if (is_legal_holiday(date)) {
    return DayOff::legal_holiday;
  }
  if (settings_.flemish_community_holiday && date.month == 7 && date.day == 11) {
    return DayOff::community_holiday;
  }
  if (settings_.closure && in_closure(*settings_.closure, date)) {
    return DayOff::closure_period;
  }
  if (std::binary_search(settings_.closure_days.begin(), settings_.closure_days.end(), date)) {
    return DayOff::closure_day;
  }
  return DayOff::none;
}

CivilDate WorkingCalendar::add_working_days(CivilDate from, int n) const noexcept {
  const int step = n < 0 ? -1 : 1;
  int left = std::min(n < 0 ? -n : n, kMaxWorkingDays);
  CivilDate day = from;
  while (left > 0) {
    if ((step > 0 && day == kLastDay) || (step < 0 && day == kFirstDay)) {
      return day;
    }
    day = plus_days(day, step);
    if (is_working_day(day)) {
      --left;
    }
  }
  return day;
}

int WorkingCalendar::working_days_between(CivilDate from, CivilDate to) const noexcept {
  if (to < from) {
    return -working_days_between(to, from);
  }
  int count = 0;
  for (auto day = to_days(from) + std::chrono::days(1); day <= to_days(to);
       day += std::chrono::days(1)) {
    if (is_working_day(from_days(day))) {
      ++count;
    }
  }
  return count;
}

}  // namespace draaischijf::policies
