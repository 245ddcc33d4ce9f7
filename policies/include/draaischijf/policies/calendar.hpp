#pragma once

// The working-day calendar of a CLB: which days count when a doorlooptijd or a partner's
// answer time is measured in werkdagen (docs/WORKFLOW.md, "Calendar").
//
// A day is not a working day when it is
//   - a Saturday or Sunday;
//   - a Belgian legal holiday (1 January, Easter Monday, 1 May, Ascension, Whit Monday,
//     21 July, 15 August, 1 November, 11 November, 25 December; the Easter-based ones from the
//     Gregorian computus, so any year works without a table to maintain);
//   - 11 July, the holiday of the Flemish Community (on by default; a setting);
//   - inside the CLB's yearly closure period (by default 15 July - 15 August, both included;
//     a period may run across New Year, e.g. 24 December - 2 January);
//   - one of the extra closure days the CLB sets per school year.
//
// Pure like the rest of this module: no clock, no files. The hub uses it for due dates, the
// client for reports; both build it from the same settings.
//
//   WorkingCalendar calendar;                          // the defaults above
//   calendar.add_working_days({2026, 7, 14}, 1);       // 2026-08-17: after the closure
//   calendar.working_days_between({2026, 12, 24}, {2027, 1, 4});  // 5

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/policies/date.hpp>

namespace draaischijf::policies {

/// A day of the year without a year: the ends of a yearly closure period.
struct MonthDay {
  std::uint8_t month = 1;
  std::uint8_t day = 1;
  constexpr auto operator<=>(const MonthDay&) const = default;
};

/// "MM-DD" (29 February accepted: it then matters only in leap years).
[[nodiscard]] std::optional<MonthDay> parse_month_day(std::string_view text) noexcept;

/// Why a day is not a working day (the first reason that applies, in this order).
enum class DayOff : std::uint8_t {
  none = 0,           // a working day
  weekend,            // Saturday or Sunday
  legal_holiday,      // one of the ten Belgian legal holidays
  community_holiday,  // 11 July
  closure_period,     // the CLB's yearly closure period
  closure_day,        // an extra closure day of the CLB
};

[[nodiscard]] std::string_view name_of(DayOff reason) noexcept;

struct Holiday {
  CivilDate date;
  std::string_view name;  // Dutch, as on the official list ("Paasmaandag")
};

/// Easter Sunday of `year` in the Gregorian calendar (valid for 1583-9999).
[[nodiscard]] CivilDate easter_sunday(int year) noexcept;

/// The ten Belgian legal holidays of `year`, in date order.
[[nodiscard]] std::array<Holiday, 10> belgian_legal_holidays(int year) noexcept;

/// The school year a day belongs to, by the year it starts in (1 September - 31 August):
/// 2027-03-01 is in school year 2026 ("2026-2027").
[[nodiscard]] int school_year_of(CivilDate date) noexcept;

/// "2026-2027": the first year and the next. nullopt for anything else.
[[nodiscard]] std::optional<int> parse_school_year(std::string_view text) noexcept;

/// Bounds that keep every calendar walk finite: a closure period covers at most
/// kMaxClosurePeriodDays days, and add_working_days moves at most kMaxWorkingDays working days
/// (more than ten years), so even the most closed calendar has working days to find.
inline constexpr int kMaxClosurePeriodDays = 92;
inline constexpr int kMaxWorkingDays = 2600;

struct CalendarSettings {
  bool flemish_community_holiday = true;  // 11 July
  struct Closure {
    MonthDay first{7, 15};
    MonthDay last{8, 15};  // included; before `first`: the period runs across New Year
  };
  std::optional<Closure> closure = Closure{};  // nullopt: no yearly closure period
  std::vector<CivilDate> closure_days;         // extra closure days (any order)
};

/// The number of days a closure period covers (in a year without 29 February), for validation.
[[nodiscard]] int closure_length(const CalendarSettings::Closure& closure) noexcept;

class WorkingCalendar {
 public:
  /// The defaults of CalendarSettings.
  WorkingCalendar();
  /// Settings as validated by the caller (closure_length <= kMaxClosurePeriodDays; the hub's
  /// configuration refuses anything else).
  explicit WorkingCalendar(CalendarSettings settings);

  [[nodiscard]] DayOff day_off(CivilDate date) const noexcept;
  [[nodiscard]] bool is_working_day(CivilDate date) const noexcept {
    return day_off(date) == DayOff::none;
  }

  /// The n-th working day after `from` (`from` itself never counts, so a signaal that
  /// arrives on a Saturday has the next Monday as its first day); n < 0 counts back, n == 0
  /// gives `from`. |n| is capped at kMaxWorkingDays.
  [[nodiscard]] CivilDate add_working_days(CivilDate from, int n) const noexcept;

  /// The working days d with from < d <= to; negative (the same count) when to < from. For a
  /// working day `to`: add_working_days(from, working_days_between(from, to)) == to.
  [[nodiscard]] int working_days_between(CivilDate from, CivilDate to) const noexcept;

  [[nodiscard]] const CalendarSettings& settings() const noexcept { return settings_; }

 private:
  CalendarSettings settings_;  // closure_days sorted and unique
};

}  // namespace draaischijf::policies
