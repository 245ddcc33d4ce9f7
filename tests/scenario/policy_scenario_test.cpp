// The policy at work, played with the draaischijf CLI against the real hub, which enforces it on
// every envelope: consent for a referral (by the parents below 12, by the pupil from 12), the
// CLB-arts's second approval for medical data, the school that goes through its CLB, and a
// revoked consent that takes back what still waits. A device with the operator's policy key
// pinned is refused by its own pre-check before anything is encrypted; a device without it is
// refused by the hub, for the same reasons. Every decision is in the hub's audit log.

#include <algorithm>
#include <thread>

#include <sqlite3.h>

#include <draaischijf/policies/date.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;
using Words = std::vector<std::string>;

Words operator+(Words a, const Words& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> strings_of(const json::value& array) {
  std::vector<std::string> out;
  for (const auto& item : array.as_array()) {
    out.emplace_back(item.as_string());
  }
  return out;
}

bool has(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// What the CLI says when the policy refuses: exit 3, the refusal on stdout (--json) and the
// reasons and what to do on stderr for people.
struct Refusal {
  json::object json;
  std::string text;

  [[nodiscard]] std::string field(std::string_view key) const {
    return std::string(json.at(key).as_string());
  }
  [[nodiscard]] std::vector<std::string> rules() const { return strings_of(json.at("rule_ids")); }
};

// One policy.decision row of the hub's audit log.
struct Decision {
  std::string detail;  // outcome=..., recipient, kind, purpose, categories
  std::string rule_ids;
  std::string policy_version;
};

class PolicyScenarioTest : public CliScenario {
 protected:
  // The same device as `folder` of the deployment, in a profile without the operator's policy
  // key: it sends without a pre-check, so what happens is what the hub itself enforces.
  Cli unchecked(const std::string& folder, const std::string& name) const {
    const Cli cli{dir.path(), name};
    const ProcessResult r =
        cli({"init", "--from-dev", (pki / folder).string(), "--hub", hub_address()});
    EXPECT_EQ(r.exit, 0) << r.err;
    const auto trust = cli.profile() / "trust.txt";
    std::istringstream lines(slurp(trust));
    std::string kept;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("policy ", 0) != 0) {
        kept += line + "\n";
      }
    }
    write_file(trust, view_of(kept));
    return cli;
  }

  // A referral to the CAW intake with a medical fragment, under `consent`: R09 asks the
  // CLB-arts's approval when anyone else sends it.
  Words medical_referral(const std::string& consent) const {
    return {"doorverwijzing",
            "--to",
            intake,
            "--purpose",
            "doorverwijzing",
            "--text",
            "preventieve_gezondheidszorg=Groeicurve buigt af sinds het derde leerjaar.",
            "--consent",
            consent,
            "--pupil",
            std::string(kPupil)};
  }

  static Refusal refused(const Cli& cli, Words words) {
    words.insert(words.begin(), "--json");
    const ProcessResult r = cli(words);
    EXPECT_EQ(r.exit, 3) << "not refused by the policy: " << r.out << r.err;
    boost::system::error_code ec;
    const auto value = json::parse(r.out, ec);
    if (ec || !value.is_object() || !value.as_object().contains("refused")) {
      ADD_FAILURE() << "no refusal on stdout: " << r.out << r.err;
      return {{}, r.err};
    }
    return {value.as_object().at("refused").as_object(), r.err};
  }

  // The policy.decision rows the hub wrote, read from its database as an auditor would.
  std::vector<Decision> audited_decisions() const {
    sqlite3* db = nullptr;
    const auto file = dir.path() / "data" / "hub.db";
    std::vector<Decision> out;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << file << ": " << sqlite3_errmsg(db);
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* select = nullptr;
    const int prepared = sqlite3_prepare_v2(
        db,
        "SELECT detail, coalesce(rule_ids, ''), coalesce(policy_version, '') FROM audit "
        "WHERE event = 'policy.decision' ORDER BY id",
        -1, &select, nullptr);
    EXPECT_EQ(prepared, SQLITE_OK) << sqlite3_errmsg(db);
    const auto column = [&](int i) {
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(select, i)));
    };
    while (prepared == SQLITE_OK && sqlite3_step(select) == SQLITE_ROW) {
      out.push_back({column(0), column(1), column(2)});
    }
    sqlite3_finalize(select);
    sqlite3_close(db);
    return out;
  }
};

// (a) A 10-year-old referred to the CAW with the parents' consent: below 12 the parents decide
// (R06), so the referral goes, and the CAW reads it. R06 holds both ways: the CAW's feedback
// goes under the same consent (which only the CLB reads back, so the hub judges that part).
TEST_F(PolicyScenarioTest, AReferralOfATenYearOldWithTheParentsConsentIsDelivered) {
  const auto consent =
      register_consent("ouders", 10, "psychisch_sociaal", "doorverwijzing,terugkoppeling");
  const auto sent =
      clb.json_of({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                   "--text", "psychisch_sociaal=Faalangst, slaapt slecht.", "--consent", consent,
                   "--pupil", std::string(kPupil)});
  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  EXPECT_EQ(text_of(at_caw[0], "message_id"), text_of(sent, "message_id"));
  const auto letter =
      caw.json_of({"read", std::to_string(at_caw[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(letter.as_object().at("fragments").as_array().at(0), "text"),
            "Faalangst, slaapt slecht.");

  const Words feedback = {
      "send",       "terugkoppeling",
      "--to",       onthaal,
      "--purpose",  "terugkoppeling",
      "--reply-to", std::to_string(at_caw[0].as_object().at("sequence").as_int64()),
      "--text",     "psychisch_sociaal=Intake gedaan, begeleiding start."};
  EXPECT_EQ(refused(caw, feedback).field("outcome"), "needs_consent") << "no consent named";
  // The answer names the pupil the referral named, under the CLB's pseudonym: no --pupil.
  caw.json_of(feedback + Words{"--consent", consent});
  const auto at_clb = inbox(clb);
  ASSERT_EQ(at_clb.size(), 1U);
  EXPECT_EQ(text_of(at_clb[0], "kind"), "terugkoppeling");
}

// (b) A 13-year-old decides alone: the parents' consent cannot be registered (R32), and
// without a valid consent the referral is refused (R06), by the pre-check and by the hub.
TEST_F(PolicyScenarioTest, AThirteenYearOldsReferralNeedsThePupilsOwnConsent) {
  const Words parents = {"consent",      "register",
                         "--pupil",      std::string(kPupil),
                         "--giver",      "ouders",
                         "--capacity",   "vader",
                         "--age",        "13",
                         "--to-type",    "caw",
                         "--categories", "psychisch_sociaal",
                         "--purposes",   "doorverwijzing",
                         "--from",       "2024-09-01"};
  const ProcessResult told = clb(parents);
  EXPECT_EQ(told.exit, 3) << told.err;
  EXPECT_TRUE(contains(told.err, "[R32]")) << told.err;
  EXPECT_TRUE(contains(told.err, "de leerling geeft zelf toestemming")) << told.err;
  EXPECT_TRUE(contains(told.err, "the pupil consents")) << told.err;
  std::cout << "the refused registration as the CLB sees it:\n" << told.err;
  const auto registration = refused(clb, parents);
  ASSERT_EQ(registration.json.at("issues").as_array().size(), 1U);
  const auto& issue = registration.json.at("issues").as_array().at(0);
  EXPECT_EQ(text_of(issue, "issue"), "giver_should_be_pupil");
  EXPECT_EQ(text_of(issue, "rule_id"), "R32");

  const Words referral = {"send",      "doorverwijzing",
                          "--to",      intake,
                          "--purpose", "doorverwijzing",
                          "--text",    "psychisch_sociaal=Zelfverwonding gemeld door vriendin.",
                          "--pupil",   std::string(kPupil)};
  const auto pre_check = refused(clb, referral);
  EXPECT_EQ(pre_check.field("by"), "pre-check");
  EXPECT_EQ(pre_check.field("outcome"), "needs_consent");
  EXPECT_TRUE(has(pre_check.rules(), "R06"));
  // Without a consent record the hub knows no age: the strict side, both must consent.
  EXPECT_EQ(pre_check.field("consent_from"), "beiden");
  EXPECT_TRUE(contains(pre_check.text, "[R06] Delen met een hulpverlener met beroepsgeheim"))
      << pre_check.text;
  EXPECT_TRUE(contains(pre_check.text, "Sharing with a care provider bound by professional"));
  EXPECT_TRUE(contains(pre_check.text, "wat nu / what to do")) << pre_check.text;
  std::cout << "the refusal as the CLB sees it:\n" << pre_check.text;

  const Cli clb_unchecked = unchecked("clb", "clb-unchecked");
  const ProcessResult without_key = clb_unchecked(referral);
  EXPECT_TRUE(contains(without_key.err, "pre-check is skipped")) << without_key.err;
  const auto at_hub = refused(clb_unchecked, referral);
  EXPECT_EQ(at_hub.field("by"), "hub");
  EXPECT_EQ(at_hub.field("outcome"), "needs_consent");
  EXPECT_EQ(at_hub.rules(), pre_check.rules());
  EXPECT_TRUE(inbox(caw).empty()) << "nothing reached the CAW";

  // With the pupil's own consent the referral goes.
  const auto own = register_consent("leerling", 13, "psychisch_sociaal", "doorverwijzing");
  clb.json_of(referral + Words{"--consent", own});
  EXPECT_EQ(inbox(caw).size(), 1U);
}

// (c) Medical data leaves the CLB only from the CLB-arts or with the arts's second approval
// (R09). A social worker's referral is refused until the arts approves exactly that message on
// their own device; the social worker's own approval does not count.
TEST_F(PolicyScenarioTest, AMedicalFragmentLeavesTheClbOnlyWithTheClbArtsApproval) {
  const Cli social_worker = enrolled("clb-mw", "clb", "clb_maatschappelijk_werker", clb_admin);
  const Cli arts = enrolled("clb-arts", "clb", "clb_arts", clb_admin);
  const auto consent =
      register_consent("ouders", 10, "preventieve_gezondheidszorg", "doorverwijzing");
  const Words referral = medical_referral(consent);

  const auto first = refused(social_worker, Words{"send"} + referral);
  EXPECT_EQ(first.field("outcome"), "needs_second_approval");
  EXPECT_EQ(first.field("approval_role"), "clb_arts");
  EXPECT_TRUE(has(first.rules(), "R09"));
  EXPECT_TRUE(contains(first.text, "draaischijf approve")) << first.text;
  const Words ids = {"--message-id", first.field("message_id"), "--thread-id",
                     first.field("thread_id")};

  const auto own = social_worker.json_of(Words{"approve"} + referral + ids);
  EXPECT_EQ(text_of(own, "role"), "clb_maatschappelijk_werker");
  const auto self_approved =
      refused(social_worker,
              Words{"send"} + referral + ids + Words{"--approval", text_of(own, "approval_id")});
  EXPECT_EQ(self_approved.field("by"), "hub");
  EXPECT_EQ(self_approved.field("outcome"), "needs_second_approval");
  EXPECT_TRUE(has(strings_of(self_approved.json.at("notes")),
                  "an approval by the sender themselves does not count"))
      << json::serialize(self_approved.json);

  const auto approval = arts.json_of(Words{"approve"} + referral + ids);
  EXPECT_EQ(text_of(approval, "role"), "clb_arts");
  EXPECT_EQ(text_of(approval, "message_id"), first.field("message_id"));
  EXPECT_EQ(text_of(approval, "categories"), "preventieve_gezondheidszorg");
  const auto sent = social_worker.json_of(Words{"send"} + referral + ids +
                                          Words{"--approval", text_of(approval, "approval_id")});
  EXPECT_EQ(text_of(sent, "message_id"), first.field("message_id"));

  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  EXPECT_EQ(text_of(at_caw[0], "sender_role"), "clb_maatschappelijk_werker");
  EXPECT_EQ(text_of(at_caw[0], "categories"), "preventieve_gezondheidszorg");
  const auto register_ = clb.json_of({"disclosures", "--pupil", std::string(kPupil)});
  const auto& lines = register_.as_object().at("disclosures").as_array();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_FALSE(text_of(lines[0], "approved_by").empty()) << json::serialize(lines[0]);
}

// (c2) Four-eyes compares persons: the admin certifies a second device of the social worker
// for the same person (`admin devices` lists it, `admin approve --person`), and that device's
// approval is the sender's own. The worst case, that second device certified with the
// approving role, is refused by the hub (one role per person). A person the organisation has
// no device of, or leaving the person out, is refused before anything is signed.
TEST_F(PolicyScenarioTest, TheSecondDeviceOfAPersonCannotApproveThatPersonsMessage) {
  const Cli social_worker = enrolled("clb-mw", "clb", "clb_maatschappelijk_werker", clb_admin);
  const auto own_id = text_of(social_worker.json_of({"whoami"}), "device_id");
  std::string person;
  const auto devices = clb_admin.json_of({"admin", "devices"});
  for (const auto& device : devices.as_array()) {
    if (text_of(device, "device_id") == own_id) {
      person = text_of(device, "person");
    }
  }
  ASSERT_EQ(person.size(), 32U) << "admin devices lists the social worker's person";

  const Cli as_arts{dir.path(), "clb-mw-as-arts"};
  const auto arts_device = certify(as_arts, "clb", "clb_arts");
  const auto second_role = clb_admin({"admin", "approve", arts_device.device_id, "--fingerprint",
                                      arts_device.fingerprint, "--person", person});
  EXPECT_EQ(second_role.exit, 1) << second_role.err;
  EXPECT_TRUE(contains(second_role.err, "Person has another staff id or role")) << second_role.err;

  const Cli laptop{dir.path(), "clb-mw-laptop"};
  const auto certified = certify(laptop, "clb", "clb_maatschappelijk_werker");
  const Words approve = {"admin", "approve", certified.device_id, "--fingerprint",
                         certified.fingerprint};
  const auto unnamed = clb_admin(approve);
  EXPECT_EQ(unnamed.exit, 2) << "the person must be named";
  EXPECT_NE(unnamed.err.find("error: admin approve DEVICE needs --person STAFF_ID"),
            std::string::npos)
      << unnamed.err;
  const auto stranger = clb_admin(approve + Words{"--person", std::string(32, 'a')});
  EXPECT_EQ(stranger.exit, 1) << stranger.err;
  EXPECT_TRUE(contains(stranger.err, "person")) << stranger.err;
  const auto approved = clb_admin(approve + Words{"--person", person});
  ASSERT_EQ(approved.exit, 0) << approved.err;

  const auto consent =
      register_consent("ouders", 10, "preventieve_gezondheidszorg", "doorverwijzing");
  const Words referral = medical_referral(consent);
  const auto first = refused(social_worker, Words{"send"} + referral);
  const Words ids = {"--message-id", first.field("message_id"), "--thread-id",
                     first.field("thread_id")};
  const auto approval = laptop.json_of(Words{"approve"} + referral + ids);
  EXPECT_EQ(text_of(approval, "role"), "clb_maatschappelijk_werker");
  EXPECT_EQ(text_of(approval, "person"), person) << "the approver sees whom the hub counts";
  const auto self_approved =
      refused(social_worker, Words{"send"} + referral + ids +
                                 Words{"--approval", text_of(approval, "approval_id")});
  EXPECT_EQ(self_approved.field("by"), "hub");
  EXPECT_EQ(self_approved.field("outcome"), "needs_second_approval");
  EXPECT_TRUE(has(strings_of(self_approved.json.at("notes")),
                  "an approval by the sender themselves does not count"))
      << json::serialize(self_approved.json);
  EXPECT_TRUE(inbox(caw).empty());
}

// (c3) A recipient sees which circumstances the sender attested, and whose word they are: the
// school's truancy report to its CLB (R15) shows `spijbelen` with the school's role and person.
TEST_F(PolicyScenarioTest, TheRecipientSeesTheAttestedFlagsAndWhoAttestedThem) {
  school.json_of({"send", "signaal", "--to", onthaal, "--purpose", "leerplicht", "--text",
                  "leerplicht=Twaalf halve dagen afwezig.", "--flag", "spijbelen", "--pupil",
                  std::string(kPupil)});
  const auto at_clb = inbox(clb);
  ASSERT_EQ(at_clb.size(), 1U);
  const auto sequence = std::to_string(at_clb[0].as_object().at("sequence").as_int64());
  const auto read = clb.json_of({"read", sequence});
  const auto& attested = read.as_object().at("attested").as_object();
  EXPECT_EQ(strings_of(attested.at("flags")), std::vector<std::string>{"spijbelen"});
  EXPECT_EQ(text_of(attested, "role"), "school_zorgcoordinator");
  EXPECT_EQ(text_of(attested, "person").size(), 32U);
  const auto shown = clb({"read", sequence});
  EXPECT_TRUE(contains(shown.out, "attested by the sender (school_zorgcoordinator, person "))
      << shown.out;
  EXPECT_TRUE(contains(shown.out, "): spijbelen")) << shown.out;
}

// (c4) R14's evidence through the CLI: the CLB announces a dossier transfer to the new CLB once,
// signed on its device; the hub dates it and says when the objection period passes; a
// registered objection is shown. Without the new CLB and the told-day it is a usage error.
TEST_F(PolicyScenarioTest, TheClbAnnouncesADossierTransferAndTheHubDatesTheObjectionPeriod) {
  const Words pupil = {"--pupil", std::string(kPupil)};
  const std::string new_clb = protocol::hex_encode(protocol::random_id());
  register_organisation(dir.path() / "hub.toml", new_clb, "clb", "CLB Nieuw",
                        protocol::SigningKey::generate());
  const auto bare = clb(Words{"transfer", "announce"} + pupil);
  EXPECT_EQ(bare.exit, 2) << bare.err;
  EXPECT_TRUE(contains(bare.err, "--parents-told")) << bare.err;
  const std::string today =
      policies::to_string(policies::belgian_date(std::chrono::system_clock::now()));
  const Words announcement =
      Words{"transfer", "announce"} + pupil + Words{"--to", new_clb, "--parents-told", today};
  const auto announced = clb.json_of(announcement);
  EXPECT_EQ(text_of(announced, "window_passes_on").size(), 10U);
  EXPECT_EQ(text_of(announced, "receiving_org"), new_clb);
  EXPECT_EQ(text_of(announced, "parents_told"), today);
  EXPECT_FALSE(announced.as_object().contains("objection_at_ms"));
  const auto again = clb(announcement);
  EXPECT_EQ(again.exit, 1) << "announced once";
  EXPECT_TRUE(contains(again.err, "announced already; its date is not moved")) << again.err;
  const auto objected = clb.json_of(Words{"transfer", "object"} + pupil);
  EXPECT_TRUE(objected.as_object().contains("objection_at_ms"));
  const auto shown = clb(Words{"transfer", "show"} + pupil);
  EXPECT_EQ(shown.exit, 0) << shown.err;
  EXPECT_TRUE(contains(shown.out, "objection registered")) << shown.out;
}

// (d) A school never sends pupil data straight to a welfare partner (R35); it goes through its
// CLB (R34). Both decisions are in the hub's audit log with their rules and the rule set's
// version.
TEST_F(PolicyScenarioTest, ASchoolNeverSendsPupilDataStraightToAWelfarePartner) {
  const Words signaal = {"send",    "signaal",
                         "--text",  "psychisch_sociaal=Thuis loopt het mis.",
                         "--pupil", std::string(kPupil)};
  const auto pre_check = refused(school, signaal + Words{"--to", intake});
  EXPECT_EQ(pre_check.field("outcome"), "deny");
  EXPECT_EQ(pre_check.rules(), std::vector<std::string>{"R35"});
  EXPECT_TRUE(contains(pre_check.text, "rechtstreeks naar een welzijnspartner")) << pre_check.text;
  EXPECT_TRUE(contains(pre_check.text, "straight to a welfare partner")) << pre_check.text;

  const auto at_hub =
      refused(unchecked("school", "school-unchecked"), signaal + Words{"--to", intake});
  EXPECT_EQ(at_hub.field("by"), "hub");
  EXPECT_EQ(at_hub.field("outcome"), "deny");
  EXPECT_EQ(at_hub.rules(), std::vector<std::string>{"R35"});
  const auto version = at_hub.field("policy_version");
  EXPECT_FALSE(version.empty());
  EXPECT_TRUE(inbox(caw).empty());

  school.json_of(signaal + Words{"--to", onthaal});
  EXPECT_EQ(inbox(clb).size(), 1U);

  const auto rows = audited_decisions();
  const auto audited = [&](std::string_view outcome, std::string_view rules) {
    return std::any_of(rows.begin(), rows.end(), [&](const Decision& d) {
      return contains(d.detail, "outcome=" + std::string(outcome)) && d.rule_ids == rules &&
             d.policy_version == version;
    });
  };
  EXPECT_TRUE(audited("deny", "R35")) << "the hub's refusal is on record";
  EXPECT_TRUE(audited("allow", "R34")) << "the signaal to the CLB is on record";
}

// (e) The parents withdraw their consent while a referral still waits at the hub: the referral
// is withdrawn before the CAW ever fetched it, the CLB's listening device and the CAW are told,
// the CLB's status shows it, and the disclosure register shows what the CAW did receive.
TEST_F(PolicyScenarioTest, RevokingAConsentWithdrawsTheReferralThatStillWaits) {
  const auto consent = register_consent("ouders", 10, "psychisch_sociaal", "doorverwijzing");
  const auto referral = [&](const std::string& text) {
    return Words{"send",      "doorverwijzing", "--to",    intake,
                 "--purpose", "doorverwijzing", "--text",  "psychisch_sociaal=" + text,
                 "--consent", consent,          "--pupil", std::string(kPupil)};
  };
  const auto received = text_of(clb.json_of(referral("Eerste verwijzing.")), "message_id");
  ASSERT_EQ(inbox(caw).size(), 1U);  // fetched: delivered, beyond taking back

  const pid_t follower = clb.start({"--json", "inbox", "--follow"}, "follow");
  ASSERT_TRUE(wait_for_subscribers(1)) << slurp(clb.output("follow", "err"));
  const auto waiting = text_of(clb.json_of(referral("Tweede verwijzing.")), "message_id");

  const auto revoked = clb.json_of({"consent", "revoke", consent});
  const auto& withdrawn = revoked.as_object().at("withdrawn").as_array();
  ASSERT_EQ(withdrawn.size(), 1U);
  EXPECT_EQ(text_of(withdrawn[0], "message_id"), waiting);
  EXPECT_EQ(text_of(withdrawn[0], "mailbox_id"), intake);

  const auto told = [&] {
    for (const auto& line : json_lines(clb.output("follow", "out"))) {
      if (line.as_object().contains("withdrawn") &&
          text_of(line.as_object().at("withdrawn"), "message_id") == waiting) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(eventually(told)) << slurp(clb.output("follow", "out"));
  EXPECT_EQ(stop_program(follower), 0) << slurp(clb.output("follow", "err"));

  const auto at_caw = caw.json_of({"inbox", "--all"});
  EXPECT_EQ(at_caw.as_object().at("new").as_int64(), 0);
  for (const auto& m : at_caw.as_object().at("messages").as_array()) {
    EXPECT_NE(text_of(m, "message_id"), waiting) << "the withdrawn referral reached the CAW";
  }
  const auto& caw_told = at_caw.as_object().at("withdrawn").as_array();
  ASSERT_EQ(caw_told.size(), 1U);
  EXPECT_EQ(text_of(caw_told[0], "message_id"), waiting);

  const auto state_of = [&](const std::string& message) {
    const auto status = clb.json_of({"status", message});
    return text_of(status.as_object().at("recipients").as_array().at(0), "state");
  };
  EXPECT_EQ(state_of(waiting), "withdrawn");
  EXPECT_EQ(state_of(received), "delivered");
  const ProcessResult human = clb({"status", waiting});
  EXPECT_TRUE(contains(human.out, "withdrawn")) << human.out;

  const auto register_ = clb.json_of({"disclosures", "--pupil", std::string(kPupil)});
  const auto& lines = register_.as_object().at("disclosures").as_array();
  const auto line = std::find_if(lines.begin(), lines.end(), [&](const json::value& d) {
    return text_of(d, "message_id") == received;
  });
  ASSERT_NE(line, lines.end()) << json::serialize(register_);
  EXPECT_EQ(text_of(*line, "recipient_org"), orgs["caw"]);
  EXPECT_EQ(text_of(*line, "kind"), "doorverwijzing");
  EXPECT_EQ(text_of(*line, "categories"), "psychisch_sociaal");
  EXPECT_EQ(text_of(*line, "legal_basis"), "consent:" + consent);
  EXPECT_TRUE(contains(text_of(*line, "rule_ids"), "R06"));
  EXPECT_FALSE(text_of(*line, "policy_version").empty());
  const ProcessResult report = clb({"disclosures", "--pupil", std::string(kPupil)});
  EXPECT_TRUE(contains(report.out, "basis consent:" + consent)) << report.out;

  // The revoked consent counts no more: the next referral under it is refused.
  const auto after = refused(clb, referral("Derde verwijzing."));
  EXPECT_EQ(after.field("outcome"), "needs_consent");
}

}  // namespace
}  // namespace draaischijf::testing
