// Isolation of the referral workflow between organisations, with the real hub process and the
// draaischijf CLI as separate processes (docs/WORKFLOW.md 3 and 6). Beside the development
// deployment's CLB A, school S1 and CAW X, a second CLB (B), a second school (S2) and a second
// CAW (Y) come on the hub through the operator's ceremony. CLB A refers a pupil to X and S1
// raises a signaal to A. Then CLB B's `referrals`, `cases` and `report` show none of A's rows;
// Y sees none of X's incoming referrals and cannot sign a status on X's referral; S2 sees none
// of S1's signalen. Each of these reads is scoped by the caller's organisation at the hub.

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

// A further organisation with one staff device: its admin made its key (`admin org init`), the
// operator registered it and enrolled the admin, the admin approved the staff device.
struct Organisation {
  std::string org_id;
  std::string fingerprint;
  std::string store;  // the admin's organisation key store, beside the profiles
};

class WorkflowIsolationTest : public CliScenario {
 protected:
  void SetUp() override {
    CliScenario::SetUp();
    const auto offline = protocol::age::X25519Identity::generate();
    offline_recipient = offline.recipient().to_string();
    config_file = dir.path() / "hub.toml";
  }

  ProcessResult operator_run(std::vector<std::string> words) {
    words.insert(words.begin(), DRAAISCHIJF_HUB_BINARY);
    return run_program(dir.path(), words);
  }
  std::vector<std::string> with_org_keys(const Organisation& org, std::vector<std::string> words) {
    words.insert(words.begin(), {"--org-keys", (dir.path() / org.store).string(), "--org-key-file",
                                 (dir.path() / (org.store + ".key")).string()});
    return words;
  }
  // Steps 1-3 of the ceremony (docs/OPERATIONS.md): the key on the admin's device, the
  // operator's registration and the organisation's certificate authority.
  Organisation registered(const Cli& admin, const std::string& type, const std::string& name) {
    Organisation org;
    org.store = admin.name() + ".drok";
    const auto made = admin.json_of(with_org_keys(
        org, {"admin", "org", "init", "--type", type, "--name", name, "--backup-recipient",
              offline_recipient, "--backup", (dir.path() / (org.store + ".age")).string(), "--out",
              (dir.path() / (org.store + ".request")).string()}));
    org.org_id = text_of(made, "org_id");
    org.fingerprint = text_of(made, "fingerprint");
    const auto added = operator_run({"org", "add", "--config", config_file.string(), "--request",
                                     (dir.path() / (org.store + ".request")).string(),
                                     "--fingerprint", org.fingerprint});
    EXPECT_EQ(added.exit, 0) << added.err;
    const auto ca =
        operator_run({"pki", "org", "--dir", pki.string(), "--org-id", org.org_id, "--name", name});
    EXPECT_EQ(ca.exit, 0) << ca.err;
    return org;
  }
  // Steps 4-6, once the hub knows the new CAs: the admin device enrolled by the operator, the
  // staff device approved by the admin; both pin their own organisation's key.
  void staffed(const Organisation& org, const Cli& admin, const Cli& staff, const std::string& type,
               const std::string& role) {
    const auto admin_device = certify(admin, type, "organisation_admin", org.org_id);
    const auto cert = dir.path() / (org.store + ".admin.cert");
    admin.json_of(with_org_keys(org, {"admin", "org", "enrol-self", "--out", cert.string()}));
    const auto enrolled =
        operator_run({"org", "enrol-admin", "--config", config_file.string(), "--certificate",
                      cert.string(), "--fingerprint", admin_device.fingerprint});
    ASSERT_EQ(enrolled.exit, 0) << enrolled.err;
    const auto device = certify(staff, type, role, org.org_id);
    const auto approved =
        admin(with_org_keys(org, {"admin", "approve", device.device_id, "--fingerprint",
                                  device.fingerprint, "--new-person"}));
    ASSERT_EQ(approved.exit, 0) << approved.err;
    for (const Cli* cli : {&admin, &staff}) {
      const auto pinned = (*cli)({"trust", "add", org.org_id, "--fingerprint", org.fingerprint});
      ASSERT_EQ(pinned.exit, 0) << pinned.err;
    }
  }

  fs::path config_file;
  std::string offline_recipient;
  Cli clb_b_admin{dir.path(), "clb-b-admin"};
  Cli clb_b{dir.path(), "clb-b"};
  Cli caw_y_admin{dir.path(), "caw-y-admin"};
  Cli caw_y{dir.path(), "caw-y"};
  Cli school_2_admin{dir.path(), "school-2-admin"};
  Cli school_2{dir.path(), "school-2"};
};

boost::json::array array_at(const boost::json::value& v, std::string_view key) {
  return v.as_object().at(key).as_array();
}

TEST_F(WorkflowIsolationTest, AnotherClbPartnerOrSchoolNeverSeesOrMovesTheWorkOfTheFirst) {
  const auto clb_b_org = registered(clb_b_admin, "clb", "CLB Oost");
  const auto caw_y_org = registered(caw_y_admin, "caw", "CAW Zuid");
  const auto school_2_org = registered(school_2_admin, "school", "Basisschool Zuid");
  ASSERT_EQ(operator_run({"pki", "crl", "--dir", pki.string()}).exit, 0);
  restart_hub();  // reads the new CAs' CRLs
  staffed(clb_b_org, clb_b_admin, clb_b, "clb", "clb_onthaal");
  staffed(caw_y_org, caw_y_admin, caw_y, "caw", "partner_intake");
  staffed(school_2_org, school_2_admin, school_2, "school", "school_zorgcoordinator");

  // CLB A's work: S1's signaal (a case at A) and A's referral to X, which X received.
  school.json_of({"send", "signaal", "--pupil", "school-2016-07", "--text",
                  "leren_en_studeren=Leest traag, vraagt hulp."});
  const auto sent = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september."}));
  const std::string referral = text_of(sent, "message_id");
  ASSERT_EQ(caw({"referral", "status", referral, "received"}).exit, 0);
  // What the first organisations see, so the empty answers below are not empty for another
  // reason.
  ASSERT_EQ(array_at(clb.json_of({"referrals"}), "referrals").size(), 1U);
  ASSERT_EQ(clb.json_of({"cases"}).as_array().size(), 1U);
  ASSERT_EQ(array_at(caw.json_of({"referrals"}), "referrals").size(), 1U);
  ASSERT_EQ(school.json_of({"signalen"}).as_array().size(), 1U);

  // CLB B: none of A's referrals, cases or figures.
  EXPECT_TRUE(array_at(clb_b.json_of({"referrals"}), "referrals").empty());
  EXPECT_TRUE(
      array_at(clb_b.json_of({"referrals", "--partner", orgs["caw"]}), "referrals").empty());
  EXPECT_TRUE(clb_b.json_of({"cases"}).as_array().empty());
  const auto report = clb_b.json_of({"report"});
  EXPECT_TRUE(report.at("open").as_object().empty()) << boost::json::serialize(report);
  EXPECT_TRUE(array_at(report, "partner_waiting").empty()) << boost::json::serialize(report);
  EXPECT_TRUE(array_at(report, "signalen_per_school").empty()) << boost::json::serialize(report);
  const auto csv = clb_b({"report", "--csv"});
  ASSERT_EQ(csv.exit, 0) << csv.err;
  EXPECT_EQ(csv.out.find(orgs["caw"]), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find(orgs["school"]), std::string::npos) << csv.out;
  EXPECT_EQ(clb_b({"referral", "cancel", referral}).exit, 1);  // not B's referral

  // CAW Y: none of X's incoming referrals, and no status on X's referral: refused, exit 1.
  EXPECT_TRUE(array_at(caw_y.json_of({"referrals"}), "referrals").empty());
  const auto moved = caw_y({"referral", "status", referral, "accepted"});
  EXPECT_EQ(moved.exit, 1) << moved.out;
  EXPECT_FALSE(moved.err.empty());
  EXPECT_EQ(text_of(array_at(caw.json_of({"referrals"}), "referrals").at(0), "state"), "received");

  // School S2: none of S1's signalen.
  EXPECT_TRUE(school_2.json_of({"signalen"}).as_array().empty());
}

}  // namespace
}  // namespace draaischijf::testing
