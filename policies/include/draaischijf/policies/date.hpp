#pragma once

// A civil (calendar) date without a time zone. The policy engine never reads a clock: the
// decision date is an input, and a pupil's age is computed from the birth date on that date.

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace draaischijf::policies {

struct CivilDate {
  std::int16_t year = 1970;
  std::uint8_t month = 1;
  std::uint8_t day = 1;

  constexpr auto operator<=>(const CivilDate&) const = default;
};

/// Whether the fields name a real day of the proleptic Gregorian calendar (years 1-9999).
[[nodiscard]] bool is_valid(CivilDate date) noexcept;

/// Strict "YYYY-MM-DD": four digits, two, two, a real day. Nothing else is accepted.
[[nodiscard]] std::optional<CivilDate> parse_date(std::string_view text) noexcept;

/// "YYYY-MM-DD".
[[nodiscard]] std::string to_string(CivilDate date);

/// Completed years on `on`. The birthday itself counts: a pupil born on 2014-03-10 is 12 on
/// 2026-03-10 and 11 on 2026-03-09. Someone born on 29 February has their birthday on 1 March
/// in a year without one (the day before is still the old age). Negative if `on` < `birth`.
[[nodiscard]] int age_on(CivilDate birth, CivilDate on) noexcept;

/// The first day on which someone born on `birth` is `years` old.
[[nodiscard]] CivilDate day_turning(CivilDate birth, int years) noexcept;

/// The civil date in Belgium (Europe/Brussels: UTC+1, UTC+2 from the last Sunday of March
/// 01:00 UTC to the last Sunday of October 01:00 UTC) at `instant`: the day a birthday falls
/// on for the people involved. The hub and the client take the decision date from it, so a
/// pupil turns 12 at midnight in Belgium, not at midnight UTC.
[[nodiscard]] CivilDate belgian_date(std::chrono::system_clock::time_point instant) noexcept;

}  // namespace draaischijf::policies
