// What the consent screen proposes (policies::consent_giver_on, the engine's own derivation of
// the giver) on the days that matter, and how the local server reads a pupil reference from a
// query string.
#include <gtest/gtest.h>

#include <draaischijf/policies/giver.hpp>

#include "gate.hpp"

namespace draaischijf::testing {
namespace {

using policies::CivilDate;
using policies::Competency;
using policies::ConsentGiver;
using policies::PupilFacts;

constexpr CivilDate kBirthday{2026, 3, 10};  // the 12th birthday of a pupil born 2014-03-10

PupilFacts born(CivilDate date, Competency competency = Competency::vermoed) {
  return PupilFacts{date, std::nullopt, competency, false};
}

TEST(UiConsentGiver, TheParentsUntilTheTwelfthBirthdayThenThePupil) {
  const policies::Settings settings;
  const auto before = policies::consent_giver_on(born({2014, 3, 10}), {2026, 3, 9}, settings);
  EXPECT_EQ(before.giver, ConsentGiver::ouders);
  EXPECT_EQ(before.age, 11);
  const auto on = policies::consent_giver_on(born({2014, 3, 10}), kBirthday, settings);
  EXPECT_EQ(on.giver, ConsentGiver::leerling);
  EXPECT_EQ(on.age, 12);
  EXPECT_EQ(on.competent, 1);
}

TEST(UiConsentGiver, TheTeamsAssessmentTurnsItEitherWayUntilEighteen) {
  const policies::Settings settings;
  EXPECT_EQ(policies::consent_giver_on(born({2016, 1, 1}, Competency::bekwaam), kBirthday, settings)
                .giver,
            ConsentGiver::leerling);
  EXPECT_EQ(
      policies::consent_giver_on(born({2012, 1, 1}, Competency::onbekwaam), kBirthday, settings)
          .giver,
      ConsentGiver::ouders);
  // At 18 the assessment of the minor no longer counts; an onbekwame meerderjarige's parents
  // decide.
  const auto adult =
      policies::consent_giver_on(born({2008, 1, 1}, Competency::onbekwaam), kBirthday, settings);
  EXPECT_EQ(adult.giver, ConsentGiver::leerling);
  EXPECT_TRUE(adult.adult);
  auto incompetent = born({2008, 1, 1});
  incompetent.adult_incompetent = true;
  EXPECT_EQ(policies::consent_giver_on(incompetent, kBirthday, settings).giver,
            ConsentGiver::ouders);
}

TEST(UiConsentGiver, WithoutAnAgeBothConsentAndTheAgeAloneServes) {
  const policies::Settings settings;
  const auto unknown = policies::consent_giver_on(PupilFacts{}, kBirthday, settings);
  EXPECT_EQ(unknown.giver, ConsentGiver::beiden);
  EXPECT_EQ(unknown.age, -1);
  PupilFacts aged;
  aged.age = 13;
  EXPECT_EQ(policies::consent_giver_on(aged, kBirthday, settings).giver, ConsentGiver::leerling);
}

TEST(UiQuery, ValuesArePercentDecodedAndMalformedOnesRefused) {
  EXPECT_EQ(ui::query_value("/api/consents?pupil=CLB-2016-0042", "pupil"), "CLB-2016-0042");
  EXPECT_EQ(ui::query_value("/api/consents?x=1&pupil=CLB%2F42+b&y", "pupil"), "CLB/42 b");
  EXPECT_EQ(ui::query_value("/api/consents?pupils=1", "pupil"), std::nullopt);
  EXPECT_EQ(ui::query_value("/api/consents", "pupil"), std::nullopt);
  EXPECT_EQ(ui::query_value("/api/consents?pupil=%4", "pupil"), std::nullopt);
  EXPECT_EQ(ui::query_value("/api/consents?pupil=%zz", "pupil"), std::nullopt);
}

}  // namespace
}  // namespace draaischijf::testing
