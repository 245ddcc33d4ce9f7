// The referral lifecycle's transition table (policies/referral_states.hpp): every pair of states
// checked against the table of docs/WORKFLOW.md, the parties, the FHIR R4 Task.status mapping.

#include <map>
#include <set>

#include <gtest/gtest.h>

#include <draaischijf/policies/referral_states.hpp>

namespace draaischijf::policies {
namespace {

using S = ReferralState;

const std::vector<S> kAll = {S::sent,     S::received,   S::accepted,
                             S::declined, S::waitlisted, S::intake_planned,
                             S::started,  S::closed,     S::cancelled};

// The table of docs/WORKFLOW.md, written out independently of the code's arrays.
const std::map<S, std::set<S>> kAllowed = {
    {S::sent,
     {S::received, S::accepted, S::declined, S::waitlisted, S::intake_planned, S::cancelled}},
    {S::received, {S::accepted, S::declined, S::waitlisted, S::intake_planned, S::cancelled}},
    {S::accepted, {S::waitlisted, S::intake_planned, S::started, S::closed, S::cancelled}},
    {S::waitlisted,
     {S::accepted, S::waitlisted, S::intake_planned, S::started, S::closed, S::cancelled}},
    {S::intake_planned, {S::intake_planned, S::started, S::closed, S::cancelled}},
    {S::started, {S::closed}},
    {S::declined, {}},
    {S::closed, {}},
    {S::cancelled, {}},
};

TEST(ReferralStatesTest, EveryPairFollowsTheTable) {
  int allowed = 0;
  for (const S from : kAll) {
    for (const S to : kAll) {
      const bool expected = kAllowed.at(from).contains(to);
      EXPECT_EQ(may_follow(from, to), expected)
          << protocol::name_of(from) << " -> " << protocol::name_of(to);
      allowed += expected ? 1 : 0;
    }
    const auto next = next_states(from);
    EXPECT_EQ(std::set<S>(next.begin(), next.end()), kAllowed.at(from)) << protocol::name_of(from);
  }
  EXPECT_EQ(allowed, 27);
}

TEST(ReferralStatesTest, NothingFollowsATerminalStateAndNothingLeadsBackToSent) {
  for (const S from : kAll) {
    EXPECT_EQ(is_terminal(from), next_states(from).empty()) << protocol::name_of(from);
    EXPECT_FALSE(may_follow(from, S::sent));
  }
  EXPECT_FALSE(may_follow(S::declined, S::started));
  EXPECT_FALSE(may_follow(S::closed, S::started));
  EXPECT_FALSE(may_follow(S::cancelled, S::received));
  EXPECT_FALSE(may_follow(S::started, S::cancelled));  // once help started, the partner closes
}

TEST(ReferralStatesTest, OnlyTheReferringClbCancelsAndOnlyThePartnerAnswers) {
  for (const S state : kAll) {
    EXPECT_EQ(party_of(state) == ReferralParty::referrer, state == S::cancelled)
        << protocol::name_of(state);
  }
}

TEST(ReferralStatesTest, AnsweredMeansAcceptedDeclinedWaitlistedOrLater) {
  const std::set<S> answered = {S::accepted,       S::declined, S::waitlisted,
                                S::intake_planned, S::started,  S::closed};
  for (const S state : kAll) {
    EXPECT_EQ(is_answered(state), answered.contains(state)) << protocol::name_of(state);
  }
}

TEST(ReferralStatesTest, MapsToFhirTaskStatus) {
  const std::map<S, std::pair<std::string_view, std::string_view>> expected = {
      {S::sent, {"requested", ""}},
      {S::received, {"received", ""}},
      {S::accepted, {"accepted", ""}},
      {S::declined, {"rejected", ""}},
      {S::waitlisted, {"on-hold", "waitlisted"}},
      {S::intake_planned, {"accepted", "intake-planned"}},
      {S::started, {"in-progress", ""}},
      {S::closed, {"completed", ""}},
      {S::cancelled, {"cancelled", ""}},
  };
  for (const S state : kAll) {
    const auto fhir = fhir_task_status(state);
    EXPECT_EQ(fhir.status, expected.at(state).first) << protocol::name_of(state);
    EXPECT_EQ(fhir.business_status, expected.at(state).second) << protocol::name_of(state);
  }
}

TEST(ReferralStatesTest, StateNamesRoundTrip) {
  for (const S state : kAll) {
    EXPECT_EQ(protocol::parse_name<S>(protocol::name_of(state)), state);
  }
  EXPECT_FALSE(protocol::parse_name<S>("rejected").has_value());
}

}  // namespace
}  // namespace draaischijf::policies

namespace draaischijf::policies {
namespace {

TEST(ReferralDaysTest, DayNumbersAreDaysSinceTheUnixEpoch) {
  EXPECT_EQ(day_number({1970, 1, 2}), 1U);
  EXPECT_EQ(day_number({2026, 12, 7}), 20'794U);
  EXPECT_EQ(date_of_day(20'794), (CivilDate{2026, 12, 7}));
  EXPECT_EQ(date_of_day(day_number({2028, 2, 29})), (CivilDate{2028, 2, 29}));
}

}  // namespace
}  // namespace draaischijf::policies
