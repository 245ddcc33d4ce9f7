// The consent, disclosure and settings screens of draaischijf ui (client-lib/ui/consent.hpp,
// settings.hpp, assets/consent.js, disclosures.js, settings.js) in a real browser against the
// real hub: screens.browser.mjs drives the CLB's page, and the CLI says afterwards what the hub
// holds.
#include <gtest/gtest.h>

#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

class UiScreensBrowser : public UiBrowser {
 protected:
  UiScreensBrowser() { script = "screens.browser.mjs"; }

  /// The pupil's consents as the hub lists them to the CLB's CLI.
  json::array consents() const {
    return clb.json_of({"consent", "list", "--pupil", std::string(kPupil)})
        .as_object()
        .at("consents")
        .as_array();
  }
};

// The giver from the age with the rule explained, the hub's refusal of the wrong giver shown
// with its reason, and the right one registered: the hub holds exactly that one.
TEST_F(UiScreensBrowser, TheGiverFollowsTheAgeAndTheHubKeepsTheRegisteredConsent) {
  browser("register", {{"PUPIL", std::string(kPupil)}});
  const auto held = consents();
  ASSERT_EQ(held.size(), 1U);
  const auto& consent = held.at(0).as_object();
  EXPECT_EQ(consent.at("giver").as_string(), "leerling");
  EXPECT_EQ(consent.at("pupil_facts").as_object().at("competency").as_string(), "vermoed");
  EXPECT_EQ(json::serialize(consent.at("categories")), R"(["psychisch_sociaal"])");
  EXPECT_FALSE(consent.at("revoked").as_bool());
}

// A referral waits at the hub under the parents' consent; the page shows what revoking
// withdraws, refuses the revocation from outside the page, and revokes on confirmation: the
// referral is withdrawn before the CAW fetched it.
TEST_F(UiScreensBrowser, RevokingShowsWhatItWithdrawsAndWithdrawsTheWaitingReferral) {
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                             "doorverwijzing", "--text", "psychisch_sociaal=Zie verslag."}));
  browser("revoke", {{"PUPIL", std::string(kPupil)}, {"CONSENT", referral_consent}});
  const auto held = consents();
  ASSERT_EQ(held.size(), 1U);
  EXPECT_TRUE(held.at(0).as_object().contains("revoked_at_ms"));
  for (const auto& message : inbox(caw, true)) {
    EXPECT_NE(message.as_object().at("kind").as_string(), "doorverwijzing")
        << "the withdrawn referral still reached the CAW";
  }
}

// The compose form offers the pupil's consents from the registry; the referral sent under the
// one picked reaches the CAW.
TEST_F(UiScreensBrowser, ComposePicksThePupilsConsentFromTheRegistry) {
  const auto consent = register_consent("ouders", 10, "psychisch_sociaal,diagnostiek,contact",
                                        "begeleiding,doorverwijzing,consultatie,terugkoppeling");
  browser("compose", {{"PUPIL", std::string(kPupil)}, {"CONSENT", consent}});
  const auto received = inbox(caw, true);
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received.at(0).as_object().at("kind").as_string(), "doorverwijzing");
}

// The referral the CLB sent under the parents' consent is in the pupil's disclosure register
// on the page, with the CAW by name and the consent as its basis, and prints as a register.
TEST_F(UiScreensBrowser, TheDisclosureRegisterShowsTheReferralAndPrints) {
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                             "doorverwijzing", "--text", "psychisch_sociaal=Zie verslag."}));
  browser("disclosures", {{"PUPIL", std::string(kPupil)}, {"CONSENT", referral_consent}});
}

// The profile and every organisation with the fingerprint the CLI shows for it; lock now.
TEST_F(UiScreensBrowser, SettingsShowTheProfileAndTheFingerprintsAndLock) {
  browser("settings", {{"DIRECTORY", json::serialize(clb.json_of({"directory"}))}});
}

}  // namespace
}  // namespace draaischijf::testing
