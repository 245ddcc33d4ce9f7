// When a consent on record does not count, the decision says which one and why
// (Decision::consent_notes, docs/POLICY.md 6), instead of repeating the rule's general text;
// and partners without professional secrecy (vrijetijdsorganisatie) fall under R07.

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/policies/decision.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

// A 16-year-old referred by the CLB to a CAW, with the consents given.
Decision referral(std::string_view consents, std::string_view extra = "") {
  const std::string text =
      "date = 2026-03-10; born = 2010-01-01; sender = clb/clb_psycholoog; "
      "recipient = caw/partner_intake; kind = doorverwijzing; purpose = doorverwijzing; "
      "categories = psychisch_sociaal" +
      std::string(extra) + std::string(consents);
  const auto request = parse_request(text);
  EXPECT_TRUE(request) << (request ? "" : request.error().message());
  return request ? evaluate(testing::flemish_rules(), *request) : Decision{};
}

std::vector<std::string> notes_of(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& note : d.consent_notes) {
    out.push_back(note.record_id + ":" + std::string(protocol::name_of(note.mismatch)));
  }
  return out;
}

TEST(ConsentNotesTest, EachReasonIsNamedWithTheRecordAndTheRule) {
  const Decision d = referral(
      "; consent = id=exp giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01 until=2026-03-09"
      "; consent = id=rev giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01 revoked=2026-02-01"
      "; consent = id=cat giver=leerling to=caw categories=contact purposes=doorverwijzing "
      "from=2025-09-01"
      "; consent = id=doel giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=begeleiding from=2025-09-01"
      "; consent = id=later giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2026-04-01"
      "; consent = id=cgg giver=leerling to=cgg categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01");
  EXPECT_EQ(d.outcome, Outcome::needs_consent);
  ASSERT_EQ(notes_of(d),
            (std::vector<std::string>{"exp:expired", "rev:revoked", "cat:category_not_covered",
                                      "doel:purpose_not_covered", "later:not_yet_valid",
                                      "cgg:recipient_not_named"}));
  for (const auto& note : d.consent_notes) {
    EXPECT_EQ(note.rule_id, "R06");
    EXPECT_NE(note.nl.find("Toestemming " + note.record_id), std::string::npos) << note.nl;
    EXPECT_NE(note.en.find("Consent " + note.record_id), std::string::npos) << note.en;
  }
  // The texts carry what to fix: the dates, the missing data and purpose.
  EXPECT_NE(d.consent_notes[0].en.find("expired on 2026-03-09"), std::string::npos);
  EXPECT_NE(d.consent_notes[1].en.find("revoked on 2026-02-01"), std::string::npos);
  EXPECT_NE(d.consent_notes[2].en.find("the data psychisch_sociaal"), std::string::npos);
  EXPECT_NE(d.consent_notes[3].en.find("the purpose doorverwijzing"), std::string::npos);
  EXPECT_NE(d.consent_notes[4].en.find("only from 2026-04-01"), std::string::npos);
  // And explain() prints them under their own heading, not as the rule's general text.
  const auto text = explain(d);
  EXPECT_NE(text.find("consents on record that do not count"), std::string::npos) << text;
  EXPECT_NE(text.find("exp (expired, R06): Toestemming exp is verlopen op 2026-03-09"),
            std::string::npos)
      << text;
}

TEST(ConsentNotesTest, AnAllowedDecisionAndAnotherPupilsConsentHaveNone) {
  const Decision allowed = referral(
      "; consent = id=ok giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01"
      "; consent = id=exp giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01 until=2026-01-01");
  EXPECT_EQ(allowed.outcome, Outcome::allow);
  EXPECT_TRUE(allowed.consent_notes.empty());
  const Decision other_pupil = referral(
      "; consent = id=p2 pupil=p2 giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01 until=2026-01-01",
      "; pupil = p1");
  EXPECT_EQ(other_pupil.outcome, Outcome::needs_consent);
  EXPECT_TRUE(other_pupil.consent_notes.empty());
}

TEST(ConsentNotesTest, ARecordThatCountedForOneGiverIsNotListed) {
  // ELP from 12: the parents and the pupil. The pupil's consent counts; the parents' covers
  // another category. Only the parents' record is noted.
  const auto request = parse_request(
      "date = 2026-03-10; born = 2011-01-01; sender = clb/clb_onthaal; "
      "recipient = eerstelijnspsycholoog; purpose = doorverwijzing; "
      "categories = psychisch_sociaal; consent = id=pupil giver=leerling "
      "to=eerstelijnspsycholoog categories=psychisch_sociaal purposes=doorverwijzing "
      "from=2026-01-01; consent = id=parents giver=ouders to=eerstelijnspsycholoog "
      "categories=contact purposes=doorverwijzing from=2026-01-01");
  ASSERT_TRUE(request);
  const Decision d = evaluate(testing::flemish_rules(), *request);
  EXPECT_EQ(d.outcome, Outcome::needs_consent);
  EXPECT_EQ(d.consent_from, ConsentGiver::ouders);
  ASSERT_EQ(notes_of(d), std::vector<std::string>{"parents:category_not_covered"});
  EXPECT_EQ(d.consent_notes[0].rule_id, "R22");
}

TEST(ConsentNotesTest, TheGiverAndTheChannel) {
  // From the 12th birthday the parents' consent no longer counts (R32).
  const auto at_twelve = parse_request(
      "date = 2026-03-10; born = 2014-03-10; sender = clb/clb_psycholoog; recipient = caw; "
      "purpose = doorverwijzing; categories = psychisch_sociaal; consent = id=ouders "
      "giver=ouders to=caw categories=psychisch_sociaal purposes=doorverwijzing "
      "from=2026-01-01");
  ASSERT_TRUE(at_twelve);
  const Decision d = evaluate(testing::flemish_rules(), *at_twelve);
  ASSERT_EQ(notes_of(d), std::vector<std::string>{"ouders:other_giver"});
  EXPECT_NE(d.consent_notes[0].en.find("given by the parents"), std::string::npos);
  // A vaccination needs written consent (R21): an oral one is noted as such.
  const auto oral = parse_request(
      "date = 2026-03-10; born = 2014-01-01; sender = clb/clb_arts; recipient = huisarts; "
      "purpose = systematisch_contact; categories = vaccinatie; flags = vaccinatie; "
      "consent = id=v1 giver=leerling to=huisarts categories=vaccinatie "
      "purposes=systematisch_contact from=2025-09-01 channel=mondeling");
  ASSERT_TRUE(oral);
  const Decision v = evaluate(testing::flemish_rules(), *oral);
  ASSERT_EQ(notes_of(v), std::vector<std::string>{"v1:not_written"});
  EXPECT_NE(v.consent_notes[0].en.find("R21 needs a written"), std::string::npos);
}

TEST(ConsentNotesTest, ASportsClubNeedsAConsentNamingIt) {
  ASSERT_EQ(protocol::parse_name<protocol::OrgType>("vrijetijdsorganisatie"),
            protocol::OrgType::vrijetijdsorganisatie);
  const std::string base =
      "date = 2026-03-10; born = 2010-01-01; sender = clb/clb_maatschappelijk_werker; "
      "recipient = vrijetijdsorganisatie; recipient_org_id = club; purpose = begeleiding; "
      "categories = contact";
  // By type only: R07 wants the organisation named.
  auto request = parse_request(base +
                               "; consent = id=t giver=leerling to=vrijetijdsorganisatie "
                               "categories=contact purposes=begeleiding from=2026-01-01");
  ASSERT_TRUE(request);
  Decision d = evaluate(testing::flemish_rules(), *request);
  EXPECT_EQ(d.outcome, Outcome::needs_consent);
  EXPECT_EQ(d.rule_ids(), std::vector<std::string>{"R07"});
  ASSERT_EQ(notes_of(d), std::vector<std::string>{"t:organisation_not_named"});
  EXPECT_NE(d.consent_notes[0].en.find("R07 needs a specific consent"), std::string::npos);
  // Named by id: allowed.
  request = parse_request(base +
                          "; consent = id=s giver=leerling org_ids=club categories=contact "
                          "purposes=begeleiding from=2026-01-01");
  ASSERT_TRUE(request);
  d = evaluate(testing::flemish_rules(), *request);
  EXPECT_EQ(d.outcome, Outcome::allow);
  EXPECT_EQ(d.consent_record_ids, std::vector<std::string>{"s"});
  // A CAW, bound by secrecy, takes a consent by type (R06): the new type is not a secrecy one.
  request = parse_request(
      "date = 2026-03-10; born = 2010-01-01; sender = clb/clb_maatschappelijk_werker; "
      "recipient = caw; recipient_org_id = club; purpose = begeleiding; categories = contact; "
      "consent = id=t giver=leerling to=caw categories=contact purposes=begeleiding "
      "from=2026-01-01");
  ASSERT_TRUE(request);
  EXPECT_EQ(evaluate(testing::flemish_rules(), *request).outcome, Outcome::allow);
}

TEST(ConsentNotesTest, TheCaseTableChecksThem) {
  const auto cases = parse_case_table(
      "[case notes]\n"
      "date = 2026-03-10\nborn = 2010-01-01\nsender = clb/clb_psycholoog\nrecipient = caw\n"
      "purpose = doorverwijzing\ncategories = psychisch_sociaal\n"
      "consent = id=c1 giver=leerling to=caw categories=psychisch_sociaal "
      "purposes=doorverwijzing from=2025-09-01 until=2026-03-09\n"
      "expect = needs_consent\nrules = R06\nconsent_notes = c1:revoked\n");
  ASSERT_TRUE(cases);
  const auto report = run_cases(testing::flemish_rules(), *cases);
  ASSERT_EQ(report.results.size(), 1U);
  EXPECT_FALSE(report.results[0].passed);
  EXPECT_NE(report.results[0].diff.find("consent_notes: expected c1:revoked, got c1:expired"),
            std::string::npos)
      << report.results[0].diff;
  const auto bad = parse_case_table(
      "[case x]\ndate = 2026-03-10\nsender = clb/clb_psycholoog\n"
      "recipient = caw\nexpect = deny\nrules = R00\n"
      "consent_notes = c1:lost\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("consent note 'c1:lost'"), std::string::npos)
      << bad.error().message();
}

}  // namespace
}  // namespace draaischijf::policies
