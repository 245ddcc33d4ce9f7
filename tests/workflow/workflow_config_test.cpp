// The hub's [workflow] section (server/src/core/workflow_config.cpp): read into the calendar
// and the targets, and every mistake refused with its key and what to write instead.

#include <filesystem>

#include <gtest/gtest.h>

#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server {
namespace {

using policies::CivilDate;
using policies::Track;

// The one error of a configuration that must be refused.
ConfigError refused(std::string_view toml) {
  const auto result = parse_config(toml);
  EXPECT_EQ(result.errors.size(), 1U) << toml;
  return result.errors.empty() ? ConfigError{} : result.errors.front();
}

TEST(WorkflowConfigTest, DefaultsWithoutASection) {
  const auto config = parse_config("").config.workflow;
  EXPECT_EQ(config.targets.track_days(Track::advice), 10);
  EXPECT_EQ(config.targets.track_days(Track::diagnosis), 40);
  EXPECT_EQ(config.targets.track_days(Track::diagnosis_formalised_advice), 50);
  EXPECT_TRUE(config.calendar.flemish_community_holiday);
  ASSERT_TRUE(config.calendar.closure.has_value());
  EXPECT_EQ(config.calendar.closure->first, (policies::MonthDay{7, 15}));
  EXPECT_EQ(config.calendar.closure->last, (policies::MonthDay{8, 15}));
  EXPECT_TRUE(config.calendar.closure_days.empty());
}

TEST(WorkflowConfigTest, TheExampleFileShowsTheDefaults) {
  const auto example =
      std::filesystem::path(DRAAISCHIJF_SOURCE_DIR) / "server" / "draaischijf-hub.example.toml";
  const auto result = load_config(example);
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const auto defaults = parse_config("").config.workflow;
  const auto& shown = result.config.workflow;
  EXPECT_EQ(shown.targets.days_by_track, defaults.targets.days_by_track);
  EXPECT_EQ(shown.targets.start, defaults.targets.start);
  EXPECT_EQ(shown.targets.partner_received_days, defaults.targets.partner_received_days);
  EXPECT_EQ(shown.targets.partner_answered_days, defaults.targets.partner_answered_days);
  EXPECT_EQ(shown.calendar.flemish_community_holiday, defaults.calendar.flemish_community_holiday);
  ASSERT_TRUE(shown.calendar.closure.has_value());
  EXPECT_EQ(shown.calendar.closure->first, defaults.calendar.closure->first);
  EXPECT_EQ(shown.calendar.closure->last, defaults.calendar.closure->last);
}

TEST(WorkflowConfigTest, EverySettingIsRead) {
  const auto result = parse_config(R"(
[workflow]
start_event = "consent_registered"
flemish_community_holiday = false
closure_period = ["07-20", "08-10"]
[workflow.targets]
advice_days = 8
diagnosis_days = 35
diagnosis_formalised_advice_days = 45
partner_received_days = 2
partner_answered_days = 7
[workflow.closure_days]
"2026-2027" = ["2026-11-02", "2027-05-07"]
"2027-2028" = ["2027-09-27"]
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const auto& workflow = result.config.workflow;
  EXPECT_EQ(workflow.targets.start, policies::StartEvent::consent_registered);
  EXPECT_EQ(workflow.targets.track_days(Track::advice), 8);
  EXPECT_EQ(workflow.targets.track_days(Track::diagnosis), 35);
  EXPECT_EQ(workflow.targets.track_days(Track::diagnosis_formalised_advice), 45);
  EXPECT_EQ(workflow.targets.partner_received_days, 2);
  EXPECT_EQ(workflow.targets.partner_answered_days, 7);
  EXPECT_FALSE(workflow.calendar.flemish_community_holiday);
  EXPECT_EQ(workflow.calendar.closure_days.size(), 3U);

  // The calendar built from it: 2026-11-02 is closed, 2026-07-15 open, 2026-07-20 closed.
  const policies::WorkingCalendar calendar(workflow.calendar);
  EXPECT_EQ(calendar.day_off({2026, 11, 2}), policies::DayOff::closure_day);
  EXPECT_TRUE(calendar.is_working_day({2026, 7, 15}));
  EXPECT_EQ(calendar.day_off({2026, 7, 20}), policies::DayOff::closure_period);
  EXPECT_TRUE(calendar.is_working_day({2025, 7, 11}));
}

TEST(WorkflowConfigTest, AnEmptyClosurePeriodMeansNone) {
  const auto result = parse_config("[workflow]\nclosure_period = []\n");
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.config.workflow.calendar.closure.has_value());
}

TEST(WorkflowConfigTest, MistakesAreRefusedWithTheirKey) {
  struct Case {
    std::string_view toml;
    std::string_view key;
    std::string_view says;
  };
  const Case cases[] = {
      {"[workflow]\nstart_event = \"signaal\"", "workflow.start_event", "signaal_received"},
      {"[workflow]\nflemish_community_holiday = 1", "workflow.flemish_community_holiday",
       "true or false"},
      {"[workflow]\nclosure_period = [\"07-15\"]", "workflow.closure_period", "MM-DD"},
      {"[workflow]\nclosure_period = [\"07-15\", \"08-32\"]", "workflow.closure_period", "MM-DD"},
      {"[workflow]\nclosure_period = [\"06-01\", \"09-30\"]", "workflow.closure_period",
       "at most 92"},
      {"[workflow]\nclosure_period = [\"08-16\", \"07-14\"]", "workflow.closure_period",
       "across New Year"},
      {"[workflow.targets]\nadvice_days = 0", "workflow.targets.advice_days", "from 1 to 250"},
      {"[workflow.targets]\ndiagnosis_days = 400", "workflow.targets.diagnosis_days",
       "from 1 to 250"},
      {"[workflow.targets]\nreferral_days = 5", "workflow.targets.referral_days",
       "unknown setting"},
      {"[workflow.targets]\npartner_received_days = 12", "workflow.targets.partner_answered_days",
       "at least workflow.targets.partner_received_days"},
      {"[workflow.closure_days]\n\"2026\" = [\"2026-11-02\"]", "workflow.closure_days.2026",
       "school year"},
      {"[workflow.closure_days]\n\"2026-2027\" = [\"2027-09-01\"]",
       "workflow.closure_days.2026-2027", "2027-09-01 is not in school year 2026-2027"},
      {"[workflow.closure_days]\n\"2026-2027\" = [\"2026-11-01\"]",
       "workflow.closure_days.2026-2027", "Saturday or Sunday"},
      {"[workflow.closure_days]\n\"2026-2027\" = [\"2026-02-30\"]",
       "workflow.closure_days.2026-2027", "YYYY-MM-DD"},
      {"[workflow]\nclosure = true", "workflow.closure", "unknown setting"},
  };
  for (const auto& [toml, key, says] : cases) {
    const auto error = refused(toml);
    EXPECT_EQ(error.key, key) << toml;
    EXPECT_NE(error.message.find(says), std::string::npos) << toml << " -> " << error.message;
  }
}

}  // namespace
}  // namespace draaischijf::server

namespace draaischijf::server {
namespace {

TEST(WorkflowNoticeSettingsTest, ReadWithDefaultsAndRefusedOutOfRange) {
  const auto defaults = parse_config("").config.workflow;
  EXPECT_EQ(defaults.non_delivery_days, 5);
  EXPECT_EQ(defaults.pass_interval, std::chrono::seconds(600));
  const auto set = parse_config("[workflow]\nnon_delivery_days = 3\npass_interval_seconds = 60\n");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set.config.workflow.non_delivery_days, 3);
  EXPECT_EQ(set.config.workflow.pass_interval, std::chrono::seconds(60));
  const auto zero = parse_config("[workflow]\nnon_delivery_days = 0\n");
  ASSERT_EQ(zero.errors.size(), 1U);
  EXPECT_EQ(zero.errors[0].key, "workflow.non_delivery_days");
  const auto slow = parse_config("[workflow]\npass_interval_seconds = 86401\n");
  ASSERT_EQ(slow.errors.size(), 1U);
  EXPECT_EQ(slow.errors[0].key, "workflow.pass_interval_seconds");
}

}  // namespace
}  // namespace draaischijf::server

namespace draaischijf::server {
namespace {

// The follow-up interval, the workflow retention term and a CLB's own closure days: read, shown
// with their defaults in the example file, and refused with the key when wrong.
TEST(WorkflowConfigTest, FollowUpRetentionAndAClbsOwnClosureDays) {
  const auto defaults = parse_config("").config;
  EXPECT_EQ(defaults.workflow.follow_up_days, 20);
  EXPECT_EQ(defaults.retention.workflow, std::chrono::hours(24 * 730));
  const auto example = load_config(std::filesystem::path(DRAAISCHIJF_SOURCE_DIR) / "server" /
                                   "draaischijf-hub.example.toml");
  ASSERT_TRUE(example.ok());
  EXPECT_EQ(example.config.workflow.follow_up_days, defaults.workflow.follow_up_days);
  EXPECT_EQ(example.config.retention.workflow, defaults.retention.workflow);

  const std::string clb = "00112233445566778899aabbccddeeff";
  const auto result = parse_config(R"(
[workflow]
follow_up_days = 15
closure_days."2026-2027" = ["2026-11-02"]
[workflow.clb."00112233445566778899aabbccddeeff".closure_days]
"2026-2027" = ["2026-10-30", "2027-05-07"]
[retention]
workflow_days = 365
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const auto& workflow = result.config.workflow;
  EXPECT_EQ(workflow.follow_up_days, 15);
  EXPECT_EQ(result.config.retention.workflow, std::chrono::hours(24 * 365));
  // That CLB's calendar: the hub's closure day and its own; another organisation's: the hub's.
  const policies::WorkingCalendar own(workflow.calendar_of(clb));
  const policies::WorkingCalendar other(workflow.calendar_of("ffeeddccbbaa99887766554433221100"));
  for (const CivilDate day : {CivilDate{2026, 10, 30}, CivilDate{2027, 5, 7}}) {
    EXPECT_EQ(own.day_off(day), policies::DayOff::closure_day);
    EXPECT_TRUE(other.is_working_day(day));
  }
  EXPECT_EQ(own.day_off(CivilDate{2026, 11, 2}), policies::DayOff::closure_day);
  EXPECT_EQ(other.day_off(CivilDate{2026, 11, 2}), policies::DayOff::closure_day);

  const auto bad_id = refused("[workflow.clb.\"0011\".closure_days]\n\"2026-2027\" = []\n");
  EXPECT_NE(bad_id.message.find("32 lowercase hex digits"), std::string::npos) << bad_id.message;
  const auto weekend = refused(
      "[workflow.clb.\"00112233445566778899aabbccddeeff\".closure_days]\n"
      "\"2026-2027\" = [\"2026-10-31\"]\n");
  EXPECT_NE(weekend.message.find("Saturday or Sunday"), std::string::npos) << weekend.message;
  EXPECT_NE(refused("[workflow]\nfollow_up_days = 0\n").key.find("follow_up_days"),
            std::string::npos);
}

}  // namespace
}  // namespace draaischijf::server
