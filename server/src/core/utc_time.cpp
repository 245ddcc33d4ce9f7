#include "core/utc_time.hpp"

#include <array>
#include <cstdio>

namespace draaischijf::server {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms):
// no time zone database and no locale, the same on every machine.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays.at(month - 1);
}

// Reads exactly `width` digits at `at`, advancing it.
std::optional<unsigned> digits(std::string_view text, std::size_t& at, std::size_t width) {
  if (at + width > text.size()) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  at += width;
  return value;
}

bool take(std::string_view text, std::size_t& at, char c) {
  if (at < text.size() && text[at] == c) {
    ++at;
    return true;
  }
  return false;
}

constexpr std::int64_t kDayMs = 86'400'000;

}  // namespace

std::string format_utc_ms(std::int64_t ms) {
  const std::int64_t days = (ms >= 0 ? ms : ms - (kDayMs - 1)) / kDayMs;
  const std::int64_t in_day = ms - days * kDayMs;
  const Civil date = civil_from_days(days);
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<unsigned>(in_day / 3'600'000),
                static_cast<unsigned>(in_day / 60'000 % 60),
                static_cast<unsigned>(in_day / 1000 % 60), static_cast<unsigned>(in_day % 1000));
  return buffer.data();
}

std::optional<std::int64_t> parse_utc_ms(std::string_view text, DateBound bound) {
  std::size_t at = 0;
  const auto year = digits(text, at, 4);
  if (!year || !take(text, at, '-')) {
    return std::nullopt;
  }
  const auto month = digits(text, at, 2);
  if (!month || *month < 1 || *month > 12 || !take(text, at, '-')) {
    return std::nullopt;
  }
  const auto day = digits(text, at, 2);
  if (!day || *day < 1 || *day > days_in_month(*year, *month)) {
    return std::nullopt;
  }
  const std::int64_t midnight = days_from_civil(*year, *month, *day) * kDayMs;
  if (at == text.size()) {
    return bound == DateBound::start_of_day ? midnight : midnight + kDayMs - 1;
  }
  if (!take(text, at, 'T')) {
    return std::nullopt;
  }
  const auto hour = digits(text, at, 2);
  const bool colon = take(text, at, ':');
  const auto minute = colon ? digits(text, at, 2) : std::nullopt;
  if (!hour || !minute || *hour > 23 || *minute > 59) {
    return std::nullopt;
  }
  unsigned second = 0;
  unsigned milli = 0;
  if (take(text, at, ':')) {
    const auto s = digits(text, at, 2);
    if (!s || *s > 59) {
      return std::nullopt;
    }
    second = *s;
    if (take(text, at, '.')) {
      const auto f = digits(text, at, 3);
      if (!f) {
        return std::nullopt;
      }
      milli = *f;
    }
  }
  std::int64_t offset_ms = 0;
  if (!take(text, at, 'Z')) {
    const bool ahead = take(text, at, '+');
    if (!ahead && !take(text, at, '-')) {
      return std::nullopt;  // a time without a zone is ambiguous: refused
    }
    const auto oh = digits(text, at, 2);
    const bool oc = take(text, at, ':');
    const auto om = oc ? digits(text, at, 2) : std::nullopt;
    if (!oh || !om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset_ms = (static_cast<std::int64_t>(*oh) * 60 + *om) * 60'000 * (ahead ? 1 : -1);
  }
  if (at != text.size()) {
    return std::nullopt;
  }
  return midnight + ((static_cast<std::int64_t>(*hour) * 60 + *minute) * 60 + second) * 1000 +
         milli - offset_ms;
}

}  // namespace draaischijf::server
