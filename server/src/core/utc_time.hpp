#pragma once

// ISO 8601 times in UTC for what the operator's commands print and read: the backup manifest's
// creation time and the audit export's rows and --from/--to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace draaischijf::server {

/// Milliseconds since the Unix epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ".
[[nodiscard]] std::string format_utc_ms(std::int64_t ms);

/// Which instant a bare date stands for.
enum class DateBound { start_of_day, end_of_day };

/// "YYYY-MM-DD" (the day in UTC: its first millisecond, or its last for end_of_day), or
/// "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM", as milliseconds since
/// the Unix epoch. nullopt for anything else, a day that does not exist (2026-02-30) included.
[[nodiscard]] std::optional<std::int64_t> parse_utc_ms(std::string_view text, DateBound bound);

}  // namespace draaischijf::server
