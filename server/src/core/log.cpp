#include <chrono>
#include <ctime>
#include <ostream>

#include <boost/json.hpp>

#include <draaischijf/server/core/log.hpp>

namespace draaischijf::server {
namespace {

constexpr std::string_view kLevelNames[] = {"debug", "info", "warning", "error"};
// Longer strings are cut: a log field is an id or a status, never a document.
constexpr std::size_t kMaxFieldLength = 200;

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& out) {
  for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
    if (kLevelNames[i] == text) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

// The machine's real time on purpose, not the hub's injected protocol::Clock: a log line says
// when something happened on this machine (to line it up with other logs and with the
// operator's watch), whatever time a test or a replay gives the hub.
std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(buffer, n);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
  return out + fraction;
}

void Logger::log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (level < minimum_) {
    return;
  }
  boost::json::object line;
  line["ts"] = utc_timestamp_now();
  line["level"] = kLevelNames[static_cast<std::size_t>(level)];
  line["event"] = event;
  for (const LogField& field : fields) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            line[field.key] = value.substr(0, kMaxFieldLength);
          } else {
            line[field.key] = value;
          }
        },
        field.value);
  }
  const std::string text = boost::json::serialize(line);
  const std::lock_guard lock(mutex_);
  out_ << text << '\n';
  out_.flush();
}

}  // namespace draaischijf::server
