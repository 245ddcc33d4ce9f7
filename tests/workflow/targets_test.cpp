// Doorlooptijd targets (policies/targets.hpp) on the CLB calendar: due dates of the three
// tracks and of a partner's answer, across holidays and the summer closure.

#include <gtest/gtest.h>

#include <draaischijf/policies/targets.hpp>

namespace draaischijf::policies {
namespace {

CivilDate day(std::string_view text) { return parse_date(text).value_or(CivilDate{}); }

TEST(TargetsTest, DefaultsAreTheCLBDoorlooptijden) {
  const WorkflowTargets targets;
  EXPECT_EQ(targets.track_days(Track::advice), 10);
  EXPECT_EQ(targets.track_days(Track::diagnosis), 40);
  EXPECT_EQ(targets.track_days(Track::diagnosis_formalised_advice), 50);
  EXPECT_EQ(targets.start, StartEvent::signaal_received);
  EXPECT_LE(targets.partner_received_days, targets.partner_answered_days);
}

TEST(TargetsTest, DueDatesOfTheThreeTracksAcrossTheSummerClosure) {
  // A signaal on Friday 26 June 2026. Advice: ten working days, Friday 10 July (11 July is a
  // Saturday). Diagnosis: 13 and 14 July count, then the closure until 15 August, so the
  // 40th working day is Wednesday 23 September and the 50th Wednesday 7 October.
  const WorkingCalendar clb;
  const WorkflowTargets targets;
  const auto start = day("2026-06-26");
  EXPECT_EQ(due_date(clb, start, targets.track_days(Track::advice)), day("2026-07-10"));
  EXPECT_EQ(due_date(clb, start, targets.track_days(Track::diagnosis)), day("2026-09-23"));
  EXPECT_EQ(due_date(clb, start, targets.track_days(Track::diagnosis_formalised_advice)),
            day("2026-10-07"));
  // Without the closure the diagnosis would be due a month earlier.
  CalendarSettings open;
  open.closure.reset();
  EXPECT_EQ(due_date(WorkingCalendar(open), start, 40), day("2026-08-24"));
}

TEST(TargetsTest, PartnerTargetsAcrossAscension) {
  // A referral sent on Thursday 7 May 2026; Ascension is Thursday 14 May. Received within 3
  // working days: Tuesday 12 May; answered within 10: Friday 22 May.
  const WorkingCalendar clb;
  const WorkflowTargets targets;
  const auto sent = day("2026-05-07");
  EXPECT_EQ(due_date(clb, sent, targets.partner_received_days), day("2026-05-12"));
  EXPECT_EQ(due_date(clb, sent, targets.partner_answered_days), day("2026-05-22"));
}

TEST(TargetsTest, OverdueCountsFromTheDayAfterTheDueDate) {
  const WorkingCalendar clb;
  const auto due = day("2026-05-22");  // a Friday
  EXPECT_FALSE(is_overdue(due, due));
  EXPECT_EQ(working_days_late(clb, due, due), 0);
  EXPECT_TRUE(is_overdue(due, day("2026-05-23")));
  EXPECT_EQ(working_days_late(clb, due, day("2026-05-24")), 0);  // the weekend after
  EXPECT_EQ(working_days_late(clb, due, day("2026-05-26")), 1);  // Monday 25 is Whit Monday
  EXPECT_EQ(working_days_late(clb, due, day("2026-05-01")), 0);
}

TEST(TargetsTest, NamesRoundTrip) {
  for (const Track track : {Track::advice, Track::diagnosis, Track::diagnosis_formalised_advice}) {
    EXPECT_EQ(parse_track(name_of(track)), track);
    EXPECT_NE(track_names().find(name_of(track)), std::string_view::npos);
  }
  for (const StartEvent event :
       {StartEvent::signaal_received, StartEvent::case_assigned, StartEvent::consent_registered}) {
    EXPECT_EQ(parse_start_event(name_of(event)), event);
    EXPECT_NE(start_event_names().find(name_of(event)), std::string_view::npos);
  }
  EXPECT_FALSE(parse_track("diagnose").has_value());
  EXPECT_FALSE(parse_start_event("").has_value());
}

}  // namespace
}  // namespace draaischijf::policies
