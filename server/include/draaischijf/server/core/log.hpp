#pragma once

// JSON-lines logging: one object per line, UTC timestamps with milliseconds, an event name and
// flat fields. Only what operations need goes in: ids, sizes, statuses, durations. Never message
// content, never personal data, never key material: callers pass ids, and the field types admit
// nothing larger than a short string.

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace draaischijf::server {

enum class LogLevel { debug = 0, info, warning, error };

[[nodiscard]] bool parse_log_level(std::string_view text, LogLevel& out);

struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, bool> value;
};

class Logger {
 public:
  Logger(std::ostream& out, LogLevel minimum) : out_(out), minimum_(minimum) {}

  void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
  void info(std::string_view event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::info, event, fields);
  }
  void warning(std::string_view event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::warning, event, fields);
  }
  void error(std::string_view event, std::initializer_list<LogField> fields = {}) {
    log(LogLevel::error, event, fields);
  }

 private:
  std::mutex mutex_;
  std::ostream& out_;
  LogLevel minimum_;
};

/// "2026-11-23T04:43:31.123Z"
[[nodiscard]] std::string utc_timestamp_now();

}  // namespace draaischijf::server
