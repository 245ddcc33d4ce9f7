// The operator's record of where an organisation works, what it offers and a school's CLB:
// checked against the vocabularies, searchable, and every change on the audit log.

#include <gtest/gtest.h>

#include <draaischijf/server/store/directory.hpp>

#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::Offer;
using protocol::OrgType;
using protocol::Province;
using protocol::random_id;

class OrganisationProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage = Storage::open(path()).value();
    directory = std::make_unique<SqliteDirectory>(storage);
    for (const auto& [id, type, name] :
         {std::tuple{clb, OrgType::clb, "CLB"}, std::tuple{school, OrgType::school, "School"},
          std::tuple{caw, OrgType::caw, "CAW"}}) {
      Organisation o{id, type, name, protocol::SigningKey::generate().public_key()};
      ASSERT_TRUE(
          directory->wait([&](auto done) { return directory->add_organisation(o, 1, done); }));
    }
  }
  [[nodiscard]] std::string path() const { return (dir / "hub.db").string(); }
  sqlite::Result<void> change(const Id& org, OrganisationProfileChange c) {
    return directory->wait(
        [&](auto done) { return directory->change_organisation_profile(org, c, 5, done); });
  }
  // The audit rows of `event` about `org`, their details in order.
  std::vector<std::string> audit(const Id& org, std::string_view event) const {
    auto db = sqlite::Database::open(path()).value();
    auto select =
        db.prepare("SELECT detail FROM audit WHERE event = ? AND org_id = ? ORDER BY id").value();
    select.bind(1, event).bind(2, org);
    std::vector<std::string> out;
    while (select.step().value()) {
      out.push_back(select.column_text(0));
    }
    return out;
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  std::unique_ptr<SqliteDirectory> directory;
  Id clb = random_id();
  Id school = random_id();
  Id caw = random_id();
};

TEST_F(OrganisationProfileTest, RegionOffersAndClbAreRecordedWithAnAuditRow) {
  ASSERT_TRUE(change(caw, {Province::oost_vlaanderen,
                           "Gent",
                           std::vector{Offer::caw_jac, Offer::caw_intake, Offer::caw_jac},
                           {},
                           false}));
  ASSERT_TRUE(change(school, {Province::oost_vlaanderen, "Lokeren", {}, clb, false}));
  const auto recorded = directory->organisation(caw).value();
  EXPECT_EQ(recorded.province, Province::oost_vlaanderen);
  EXPECT_EQ(recorded.municipality, "Gent");
  // Each offer once, in vocabulary order.
  EXPECT_EQ(recorded.offers, (std::vector{Offer::caw_intake, Offer::caw_jac}));
  EXPECT_EQ(directory->organisation(school).value().clb, clb);
  EXPECT_EQ(audit(caw, "organisation.profile"),
            std::vector<std::string>{
                "province=oost_vlaanderen municipality=Gent offers=caw_intake,caw_jac"});
  EXPECT_EQ(audit(school, "organisation.profile").size(), 1U);

  // Fields not given stay; `clear_clb` removes the CLB.
  ASSERT_TRUE(change(school, {{}, {}, {}, {}, true}));
  const auto cleared = directory->organisation(school).value();
  EXPECT_FALSE(cleared.clb);
  EXPECT_EQ(cleared.municipality, "Lokeren");
  EXPECT_EQ(audit(school, "organisation.profile").back(), "clb=");
}

TEST_F(OrganisationProfileTest, AnOfferOutsideTheOrganisationsTypeIsRefusedAndNothingChanges) {
  EXPECT_EQ(
      change(caw, {{}, {}, std::vector{Offer::caw_intake, Offer::cgg_jongeren}, {}, false}).error(),
      directory_errc::offer_not_allowed);
  EXPECT_TRUE(directory->organisation(caw).value().offers.empty());
  EXPECT_TRUE(audit(caw, "organisation.profile").empty());
}

TEST_F(OrganisationProfileTest, OnlyASchoolNamesACLBAndOnlyACLBCanBeNamed) {
  EXPECT_EQ(change(school, {{}, {}, {}, caw, false}).error(), directory_errc::clb_invalid);
  EXPECT_EQ(change(school, {{}, {}, {}, random_id(), false}).error(), directory_errc::clb_invalid);
  EXPECT_EQ(change(caw, {{}, {}, {}, clb, false}).error(), directory_errc::clb_invalid);
  EXPECT_FALSE(directory->organisation(school).value().clb);
}

TEST_F(OrganisationProfileTest, AMunicipalityWithControlOrBidiCharactersIsRefused) {
  for (const std::string& bad : {std::string("Gent\nprovince=x"), std::string("Gent\xe2\x80\xae"),
                                 std::string(101, 'a'), std::string(" Gent")}) {
    EXPECT_EQ(change(caw, {{}, bad, {}, {}, false}).error(), directory_errc::municipality_invalid)
        << bad;
  }
  EXPECT_EQ(change(Id{}, {Province::limburg, {}, {}, {}, false}).error(),
            directory_errc::not_found);
}

TEST_F(OrganisationProfileTest, TheFilterMatchesEveryFieldGiven) {
  ASSERT_TRUE(change(
      caw, {Province::oost_vlaanderen, "Sint-Niklaas", std::vector{Offer::caw_intake}, {}, false}));
  const auto o = directory->organisation(caw).value();
  EXPECT_TRUE((
      OrganisationFilter{OrgType::caw, Province::oost_vlaanderen, "sint-niklaas", Offer::caw_intake}
          .matches(o)));
  EXPECT_FALSE((OrganisationFilter{OrgType::cgg, {}, {}, {}}.matches(o)));
  EXPECT_FALSE((OrganisationFilter{{}, Province::limburg, {}, {}}.matches(o)));
  EXPECT_FALSE((OrganisationFilter{{}, {}, "Gent", {}}.matches(o)));
  EXPECT_FALSE((OrganisationFilter{{}, {}, {}, Offer::caw_jac}.matches(o)));
}

TEST(DirectoryVocabularyTest, EveryOfferHasItsOrganisationTypes) {
  for (const auto& entry : protocol::offers()) {
    EXPECT_FALSE(protocol::offered_by(entry.value).empty()) << entry.name;
    EXPECT_EQ(protocol::parse_name<Offer>(entry.name), entry.value);
  }
  EXPECT_TRUE(protocol::may_offer(OrgType::cgg, Offer::elp));
  EXPECT_FALSE(protocol::may_offer(OrgType::school, Offer::elp));
  EXPECT_EQ(protocol::provinces().size(), 6U);
}

}  // namespace
}  // namespace draaischijf::server
