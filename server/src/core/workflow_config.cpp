// [workflow]: the working-day calendar and the doorlooptijd targets (docs/WORKFLOW.md). Every
// value is checked here so that the calendar walks stay finite and a typo in a date or a name
// is refused with the key, not silently turned into a default.

#include <string>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/targets.hpp>

#include "core/config_readers.hpp"

namespace draaischijf::server::config_detail {
namespace {

using policies::CalendarSettings;
using policies::Track;

// A target above a year of working days is a mistake, not a service level.
constexpr std::int64_t kMaxTargetDays = 250;
constexpr std::size_t kMaxClosureDaysPerYear = 60;

std::string read_bool(const toml::node& node, bool& out) {
  const auto value = node.value<bool>();
  if (!node.is_boolean() || !value) {
    return "expected true or false";
  }
  out = *value;
  return {};
}

std::string read_closure_period(const toml::node& node,
                                std::optional<CalendarSettings::Closure>& out) {
  constexpr const char* kExpected =
      "expected [\"MM-DD\", \"MM-DD\"] (first and last closed day, e.g. [\"07-15\", \"08-15\"]) "
      "or [] for no closure period";
  const auto* array = node.as_array();
  if (array == nullptr || (array->size() != 0 && array->size() != 2)) {
    return kExpected;
  }
  if (array->empty()) {
    out.reset();
    return {};
  }
  const auto first = (*array)[0].value<std::string>();
  const auto last = (*array)[1].value<std::string>();
  const auto first_day = first ? policies::parse_month_day(*first) : std::nullopt;
  const auto last_day = last ? policies::parse_month_day(*last) : std::nullopt;
  if (!first_day || !last_day) {
    return kExpected;
  }
  const CalendarSettings::Closure closure{*first_day, *last_day};
  if (policies::closure_length(closure) > policies::kMaxClosurePeriodDays) {
    return "the closure period covers " + std::to_string(policies::closure_length(closure)) +
           " days; at most " + std::to_string(policies::kMaxClosurePeriodDays) +
           " (a period before its first day runs across New Year)";
  }
  out = closure;
  return {};
}

// workflow.closure_days."2026-2027" = ["2026-11-02", ...]: each day inside that school year
// (1 September - 31 August) and on a weekday, so a mistyped year or day is caught.
std::string read_closure_days(std::string_view school_year, const toml::node& node,
                              std::vector<policies::CivilDate>& out) {
  const auto year = policies::parse_school_year(school_year);
  if (!year) {
    return "expected a school year as the key, e.g. \"2026-2027\"";
  }
  const auto* array = node.as_array();
  if (array == nullptr || array->size() > kMaxClosureDaysPerYear) {
    return "expected an array of at most " + std::to_string(kMaxClosureDaysPerYear) +
           " dates \"YYYY-MM-DD\"";
  }
  CalendarSettings weekends_only;
  weekends_only.flemish_community_holiday = false;
  weekends_only.closure.reset();
  const policies::WorkingCalendar plain(weekends_only);
  for (const auto& element : *array) {
    const auto text = element.value<std::string>();
    const auto date = text ? policies::parse_date(*text) : std::nullopt;
    if (!date) {
      return "expected an array of dates \"YYYY-MM-DD\"";
    }
    if (policies::school_year_of(*date) != *year) {
      return *text + " is not in school year " + std::string(school_year) +
             " (1 September - 31 August)";
    }
    if (plain.day_off(*date) == policies::DayOff::weekend) {
      return *text + " is a Saturday or Sunday, never a working day; check the date";
    }
    out.push_back(*date);
  }
  return {};
}

}  // namespace

std::optional<std::string> read_workflow_setting(std::string_view name, const toml::node& node,
                                                 HubConfig& config) {
  constexpr std::string_view kPrefix = "workflow.";
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  name.remove_prefix(kPrefix.size());
  auto& calendar = config.workflow.calendar;
  auto& targets = config.workflow.targets;
  if (name == "start_event") {
    std::string text;
    if (auto error = read_string(node, text); !error.empty()) {
      return error;
    }
    const auto event = policies::parse_start_event(text);
    if (!event) {
      return "expected one of " + std::string(policies::start_event_names());
    }
    targets.start = *event;
    return std::string();
  }
  if (name == "flemish_community_holiday") {
    return read_bool(node, calendar.flemish_community_holiday);
  }
  if (name == "closure_period") {
    return read_closure_period(node, calendar.closure);
  }
  constexpr std::string_view kClosureDays = "closure_days.";
  if (name.substr(0, kClosureDays.size()) == kClosureDays) {
    return read_closure_days(name.substr(kClosureDays.size()), node, calendar.closure_days);
  }
  // workflow.clb."<org id>".closure_days."2026-2027" and workflow.clb."<org id>".closure_period:
  // one CLB's own calendar.
  constexpr std::string_view kClb = "clb.";
  if (name.substr(0, kClb.size()) == kClb) {
    name.remove_prefix(kClb.size());
    const std::string_view org = name.substr(0, 32);
    const bool hex_id =
        org.size() == 32 && org.find_first_not_of("0123456789abcdef") == std::string_view::npos;
    name.remove_prefix(org.size());
    constexpr std::string_view kOwnDays = ".closure_days.";
    if (hex_id && name == ".closure_period") {
      return read_closure_period(node, config.workflow.clb_closure_period[std::string(org)]);
    }
    if (!hex_id || name.substr(0, kOwnDays.size()) != kOwnDays) {
      return std::string(
          "expected workflow.clb.\"<organisation id: 32 lowercase hex digits>\".closure_days."
          "\"<school year>\" = [\"YYYY-MM-DD\", ...] or .closure_period = [\"MM-DD\", "
          "\"MM-DD\"]");
    }
    return read_closure_days(name.substr(kOwnDays.size()), node,
                             config.workflow.clb_closure_days[std::string(org)]);
  }
  for (const Track track : {Track::advice, Track::diagnosis, Track::diagnosis_formalised_advice}) {
    if (name == "targets." + std::string(policies::name_of(track)) + "_days") {
      int days = targets.track_days(track);  // read_integer writes only a valid value
      auto error = read_integer(node, days, 1, kMaxTargetDays);
      targets.set_track_days(track, days);
      return error;
    }
  }
  if (name == "targets.partner_received_days") {
    return read_integer(node, targets.partner_received_days, 1, kMaxTargetDays);
  }
  if (name == "non_delivery_days") {
    return read_integer(node, config.workflow.non_delivery_days, 1, kMaxTargetDays);
  }
  if (name == "follow_up_days") {
    return read_integer(node, config.workflow.follow_up_days, 1, kMaxTargetDays);
  }
  if (name == "pass_interval_seconds") {
    std::int64_t seconds = config.workflow.pass_interval.count();
    auto error = read_integer(node, seconds, 1, 86400);
    config.workflow.pass_interval = std::chrono::seconds(seconds);
    return error;
  }
  if (name == "targets.partner_answered_days") {
    return read_integer(node, targets.partner_answered_days, 1, kMaxTargetDays);
  }
  return std::string("unknown setting; see draaischijf-hub.example.toml, [workflow]");
}

void check_workflow(const HubConfig& config, std::vector<ConfigError>& errors) {
  const auto& targets = config.workflow.targets;
  if (targets.partner_answered_days < targets.partner_received_days) {
    errors.push_back({"workflow.targets.partner_answered_days",
                      "must be at least workflow.targets.partner_received_days (an answer "
                      "comes after the referral was received)"});
  }
}

}  // namespace draaischijf::server::config_detail
