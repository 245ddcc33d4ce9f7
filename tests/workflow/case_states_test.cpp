// Onthaal triage (policies/case_states.hpp): the transition table, what the school sees of each
// state, the priority of a signaal and the codes each action takes.

#include <gtest/gtest.h>

#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/policies/vocabulary.hpp>

namespace draaischijf::policies {
namespace {

constexpr CaseState kStates[] = {CaseState::fresh, CaseState::assigned,
                                 CaseState::vraagverheldering, CaseState::traject,
                                 CaseState::closed};
constexpr CaseAction kActions[] = {CaseAction::assign,  CaseAction::vraagverheldering,
                                   CaseAction::traject, CaseAction::close,
                                   CaseAction::link,    CaseAction::delay_reason};

TEST(CaseStatesTest, TheOrdinaryPathFromNewToClosed) {
  auto state = CaseState::fresh;
  for (const auto& [action, expected] :
       {std::pair{CaseAction::assign, CaseState::assigned},
        std::pair{CaseAction::vraagverheldering, CaseState::vraagverheldering},
        std::pair{CaseAction::traject, CaseState::traject},
        std::pair{CaseAction::close, CaseState::closed}}) {
    const auto next = next_state(state, action);
    ASSERT_TRUE(next) << name_of(state) << " + " << name_of(action);
    EXPECT_EQ(*next, expected);
    state = *next;
  }
}

TEST(CaseStatesTest, WorkNeedsSomeoneOnTheCase) {
  EXPECT_FALSE(next_state(CaseState::fresh, CaseAction::vraagverheldering));
  EXPECT_FALSE(next_state(CaseState::fresh, CaseAction::traject));
  // vraagverheldering comes before the track, never after it.
  EXPECT_FALSE(next_state(CaseState::traject, CaseAction::vraagverheldering));
  // A new case may be closed at once (a signaal that needs no guidance) and linked.
  EXPECT_EQ(next_state(CaseState::fresh, CaseAction::close), CaseState::closed);
  EXPECT_EQ(next_state(CaseState::fresh, CaseAction::link), CaseState::fresh);
}

TEST(CaseStatesTest, ReassigningKeepsTheCaseWhereItIs) {
  EXPECT_EQ(next_state(CaseState::vraagverheldering, CaseAction::assign),
            CaseState::vraagverheldering);
  EXPECT_EQ(next_state(CaseState::traject, CaseAction::assign), CaseState::traject);
  EXPECT_EQ(next_state(CaseState::traject, CaseAction::traject), CaseState::traject);
}

TEST(CaseStatesTest, AClosedCaseTakesNothingMore) {
  for (const CaseAction action : kActions) {
    EXPECT_FALSE(next_state(CaseState::closed, action)) << name_of(action);
  }
}

TEST(CaseStatesTest, TheSchoolSeesThreeStatesOnly) {
  EXPECT_EQ(school_status(CaseState::fresh), SchoolStatus::ontvangen);
  EXPECT_EQ(school_status(CaseState::assigned), SchoolStatus::in_behandeling);
  EXPECT_EQ(school_status(CaseState::vraagverheldering), SchoolStatus::in_behandeling);
  EXPECT_EQ(school_status(CaseState::traject), SchoolStatus::in_behandeling);
  EXPECT_EQ(school_status(CaseState::closed), SchoolStatus::afgerond);
}

TEST(CaseStatesTest, VerontrustingIsUrgent) {
  const auto bit = [](Flag flag) { return std::uint32_t{1} << static_cast<unsigned>(flag); };
  EXPECT_EQ(signaal_priority(false, 0), CasePriority::ordinary);
  EXPECT_EQ(signaal_priority(true, 0), CasePriority::urgent);
  EXPECT_EQ(signaal_priority(false, bit(Flag::verontrusting)), CasePriority::urgent);
  EXPECT_EQ(signaal_priority(false, bit(Flag::spijbeldossier_zorgwekkend)), CasePriority::urgent);
  EXPECT_EQ(signaal_priority(false, bit(Flag::spijbelen)), CasePriority::ordinary);
  // Urgent sorts before ordinary.
  EXPECT_LT(static_cast<int>(CasePriority::urgent), static_cast<int>(CasePriority::ordinary));
}

TEST(CaseStatesTest, EachActionTakesItsOwnCodes) {
  EXPECT_TRUE(valid_code(CaseAction::traject, static_cast<std::uint8_t>(CaseTrack::referral)));
  EXPECT_FALSE(valid_code(CaseAction::traject, 0));
  EXPECT_FALSE(valid_code(CaseAction::traject, 5));
  EXPECT_TRUE(valid_code(CaseAction::close, static_cast<std::uint8_t>(CloseReason::moved_school)));
  EXPECT_FALSE(valid_code(CaseAction::close, 5));
  EXPECT_TRUE(
      valid_code(CaseAction::delay_reason, static_cast<std::uint8_t>(DelayReason::waiting_list)));
  EXPECT_TRUE(valid_code(CaseAction::link, static_cast<std::uint8_t>(LinkKind::referral)));
  EXPECT_FALSE(valid_code(CaseAction::link, 3));
  EXPECT_TRUE(valid_code(CaseAction::assign, 0));
  EXPECT_FALSE(valid_code(CaseAction::assign, 1));
}

TEST(CaseStatesTest, NamesRoundTrip) {
  for (const CaseState state : kStates) {
    EXPECT_EQ(parse_case_state(name_of(state)), state);
  }
  for (const CaseAction action : kActions) {
    EXPECT_EQ(parse_case_action(name_of(action)), action);
  }
  EXPECT_EQ(name_of(CaseState::fresh), "new");
  EXPECT_EQ(parse_case_track("diagnosis_formalised_advice"),
            CaseTrack::diagnosis_formalised_advice);
  EXPECT_FALSE(parse_case_state("open"));
}

TEST(CaseStatesTest, TheTargetOfATrack) {
  EXPECT_EQ(target_track(std::nullopt), Track::advice);
  EXPECT_EQ(target_track(CaseTrack::diagnosis), Track::diagnosis);
  EXPECT_EQ(target_track(CaseTrack::diagnosis_formalised_advice),
            Track::diagnosis_formalised_advice);
  EXPECT_EQ(target_track(CaseTrack::referral), Track::advice);
}

// The one reading of an action's code name that the CLI and the web inbox share: each action
// reads its own table only, and what it reads is a code valid_code() accepts.
TEST(CaseStatesTest, AnActionsCodeIsReadFromItsOwnTable) {
  EXPECT_EQ(parse_action_code(CaseAction::traject, "diagnosis"),
            static_cast<std::uint8_t>(CaseTrack::diagnosis));
  EXPECT_EQ(parse_action_code(CaseAction::close, "referred"),
            static_cast<std::uint8_t>(CloseReason::referred));
  EXPECT_EQ(parse_action_code(CaseAction::delay_reason, "waiting_list"),
            static_cast<std::uint8_t>(DelayReason::waiting_list));
  EXPECT_EQ(parse_action_code(CaseAction::link, "consent"),
            static_cast<std::uint8_t>(LinkKind::consent));
  EXPECT_EQ(parse_action_code(CaseAction::assign, "anything"), std::uint8_t{0});
  // A close reason is no track, and an empty or unknown name is nothing.
  EXPECT_EQ(parse_action_code(CaseAction::traject, "referred"), std::nullopt);
  EXPECT_EQ(parse_action_code(CaseAction::close, ""), std::nullopt);
  EXPECT_EQ(parse_action_code(CaseAction::delay_reason, "Waiting_list"), std::nullopt);
  for (const auto action : {CaseAction::traject, CaseAction::close, CaseAction::delay_reason}) {
    EXPECT_TRUE(valid_code(
        action,
        parse_action_code(action, action == CaseAction::traject ? "advice" : "other").value()));
  }
}

}  // namespace
}  // namespace draaischijf::policies
