// A brand-new organisation on the hub, as an IT team would bring it: a CAW that is not in the
// development deployment goes through the key ceremony (its admin's `admin org init`, the
// operator's `org add` after comparing the fingerprint, the operator's `org enrol-admin` for its
// first admin device), its admin creates a mailbox and approves a staff device, and that device
// takes a referral from the demo CLB under the parents' consent and answers it. And what the
// ceremony refuses: a request whose signature does not verify, a wrong fingerprint, an id that
// is taken, an admin device that tries to enrol itself. Then the admin's staff and mailbox
// work: the persons listed, a member taken out of a mailbox and put back.

#include <ctime>
#include <set>

#include <sqlite3.h>

#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>
#include <draaischijf/protocol/registration.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

class OnboardingTest : public CliScenario {
 protected:
  void SetUp() override {
    CliScenario::SetUp();
    config_file = dir.path() / "hub.toml";
    write_file(config_file, view_of(config(hub->port())));
    const auto offline = protocol::age::X25519Identity::generate();
    write_file(offline_key, view_of("# the organisation's offline key\n" +
                                    offline.expose_secret_string() + "\n"));
    offline_recipient = offline.recipient().to_string();
  }

  /// `admin org init` on the new admin's device: the organisation key in its own store
  /// `store`, the backup and the request; the JSON it printed.
  boost::json::value org_init(const std::string& store, std::vector<std::string> extra = {}) {
    std::vector<std::string> words = {"--org-keys",
                                      (dir.path() / store).string(),
                                      "--org-key-file",
                                      (dir.path() / (store + ".key")).string(),
                                      "admin",
                                      "org",
                                      "init",
                                      "--type",
                                      "caw",
                                      "--name",
                                      "CAW Limburg",
                                      "--backup-recipient",
                                      offline_recipient,
                                      "--backup",
                                      (dir.path() / (store + ".age")).string(),
                                      "--out",
                                      (dir.path() / (store + ".request")).string()};
    words.insert(words.end(), extra.begin(), extra.end());
    return admin.json_of(words);
  }
  /// The operator's `draaischijf-hub org ...`.
  ProcessResult operator_run(std::vector<std::string> words) {
    words.insert(words.begin(), DRAAISCHIJF_HUB_BINARY);
    return run_program(dir.path(), words);
  }
  ProcessResult org_add(const fs::path& request, const std::string& print) {
    return operator_run({"org", "add", "--config", config_file.string(), "--request",
                         request.string(), "--fingerprint", print});
  }
  /// The admin device's words with the organisation key store `store` named.
  std::vector<std::string> with_org_keys(const std::string& store, std::vector<std::string> words) {
    words.insert(words.begin(), {"--org-keys", (dir.path() / store).string(), "--org-key-file",
                                 (dir.path() / (store + ".key")).string()});
    return words;
  }
  bool organisation_listed(const std::string& org_id) {
    const auto directory = clb.json_of({"directory"});
    for (const auto& org : directory.as_array()) {
      if (text_of(org, "org_id") == org_id) {
        return true;
      }
    }
    return false;
  }
  /// Rows of the hub's audit log with `event`.
  int audit_rows(const std::string& event) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir.path() / "data" / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY,
                              nullptr),
              SQLITE_OK);
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE event = ?", -1, &select, nullptr);
    sqlite3_bind_text(select, 1, event.c_str(), -1, SQLITE_TRANSIENT);
    const int count = sqlite3_step(select) == SQLITE_ROW ? sqlite3_column_int(select, 0) : -1;
    sqlite3_finalize(select);
    sqlite3_close(db);
    return count;
  }

  fs::path config_file;
  fs::path offline_key = dir.path() / "offline.key";
  std::string offline_recipient;
  Cli admin{dir.path(), "limburg-admin"};
  Cli intake_device{dir.path(), "limburg-intake"};
};

TEST_F(OnboardingTest, NewCawThroughTheCeremonyExchangesAReferralWithTheDemoClb) {
  // 1. The CAW's admin makes the organisation key on its device, in a store of its own.
  const auto made = org_init("limburg.drok");
  const auto org = text_of(made, "org_id");
  const auto print = text_of(made, "fingerprint");
  EXPECT_FALSE(organisation_listed(org));
  // The backup opens with the offline key alone and holds that very key.
  const auto backup = read_file(dir.path() / "limburg.drok.age");
  const auto offline_text = slurp(offline_key);
  const auto offline = protocol::age::X25519Identity::parse(
                           offline_text.substr(offline_text.find("AGE-SECRET-KEY-"), 74))
                           .value();
  const auto restored = client::open_organisation_backup(backup, offline).value();
  EXPECT_EQ(protocol::fingerprint(restored.key.public_key()), print);
  EXPECT_EQ(protocol::to_hex(restored.org_id), org);

  // 2. The operator registers it after comparing the fingerprint read out on the phone.
  const auto added = org_add(dir.path() / "limburg.drok.request", print);
  ASSERT_EQ(added.exit, 0) << added.err;
  EXPECT_NE(added.out.find(print), std::string::npos) << added.out;
  EXPECT_TRUE(organisation_listed(org));
  EXPECT_EQ(audit_rows("organisation.added"), 4);  // the three demo organisations and this one

  // 3. Its certificate authority, and the first admin device's TLS certificate.
  ASSERT_EQ(
      operator_run({"pki", "org", "--dir", pki.string(), "--org-id", org, "--name", "CAW Limburg"})
          .exit,
      0);
  ASSERT_EQ(operator_run({"pki", "crl", "--dir", pki.string()}).exit, 0);
  restart_hub();  // reads the new CA's CRL
  const auto admin_device = certify(admin, "caw", "organisation_admin", org);

  // 4. An admin certificate alone does not make the device an admin: it cannot enrol itself,
  //    and the hub says who does.
  const auto pending = admin(with_org_keys("limburg.drok", {"admin", "pending"}));
  EXPECT_EQ(pending.exit, 1);
  EXPECT_NE(pending.err.find("org enrol-admin"), std::string::npos) << pending.err;
  {
    auto org_key = client::open_organisation_key_store(
                       dir.path() / "limburg.drok",
                       client::Unlock::with_key_file(dir.path() / "limburg.drok.key").value())
                       .value();
    const auto profile = admin.profile();
    const auto device = client::open_key_store(
                            profile / "keys.drks",
                            client::Unlock::with_key_file(dir.path() / "limburg-admin.key").value())
                            .value();
    protocol::DeviceCertificate self;
    self.org_id = device.org_id;
    self.org_type = protocol::OrgType::caw;
    self.device_id = device.device_id;
    self.staff_id = protocol::random_id();
    self.role = protocol::StaffRole::organisation_admin;
    self.signing_key = device.signing.public_key();
    self.encryption_key = device.encryption.public_key();
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    self.not_before = now - 300;
    self.not_after = now + 3600;
    const auto bytes = protocol::encode(protocol::issue(self, org_key.key));
    TlsClient tls(hub->port(), pki / "root.pem", profile / "tls" / "device.pem",
                  profile / "tls" / "device.key");
    const auto approved = tls.exchange(post("/v1/enrolments/" + admin_device.device_id + "/approve",
                                            std::string(bytes.begin(), bytes.end())));
    ASSERT_TRUE(approved);
    EXPECT_EQ(approved->status, 403) << approved->body;
    EXPECT_NE(approved->body.find("device-not-enrolled"), std::string::npos) << approved->body;
  }
  EXPECT_EQ(audit_rows("device.enrolled_by_operator"), 0);

  // 5. So the admin certifies itself with the organisation key, for the operator, who enrols
  //    it after comparing the device fingerprint with the admin (a mistyped one changes nothing).
  const auto self =
      admin.json_of(with_org_keys("limburg.drok", {"admin", "org", "enrol-self", "--out",
                                                   (dir.path() / "admin.cert").string()}));
  EXPECT_EQ(text_of(self, "fingerprint"), admin_device.fingerprint);
  const auto mistyped =
      operator_run({"org", "enrol-admin", "--config", config_file.string(), "--certificate",
                    (dir.path() / "admin.cert").string(), "--fingerprint", print});
  EXPECT_EQ(mistyped.exit, 1);
  EXPECT_NE(mistyped.err.find("refused: the fingerprint"), std::string::npos) << mistyped.err;
  const auto enrolled = operator_run({"org", "enrol-admin", "--config", config_file.string(),
                                      "--certificate", (dir.path() / "admin.cert").string(),
                                      "--fingerprint", admin_device.fingerprint});
  ASSERT_EQ(enrolled.exit, 0) << enrolled.err;
  EXPECT_EQ(audit_rows("device.enrolled_by_operator"), 1);

  // 6. The admin creates the intake mailbox and approves a staff device into it.
  const auto mailbox = text_of(
      admin.json_of(with_org_keys(
          "limburg.drok", {"admin", "create-mailbox", "Intake", "--function", "partner_intake"})),
      "mailbox_id");
  const auto staff = certify(intake_device, "caw", "partner_intake", org);
  const auto listed = admin.json_of(with_org_keys("limburg.drok", {"admin", "pending"}));
  ASSERT_EQ(listed.as_array().size(), 1U);
  EXPECT_EQ(text_of(listed.as_array()[0], "device_id"), staff.device_id);
  const auto approved = admin(
      with_org_keys("limburg.drok", {"admin", "approve", staff.device_id, "--fingerprint",
                                     staff.fingerprint, "--new-person", "--mailbox", mailbox}));
  ASSERT_EQ(approved.exit, 0) << approved.err;
  const auto pinned_own = intake_device({"trust", "add", org, "--fingerprint", print});
  ASSERT_EQ(pinned_own.exit, 0) << pinned_own.err;

  // 7. The CLB pins the new CAW after comparing its fingerprint, and refers the pupil to it
  //    under the parents' consent (for CAWs: R06); the CAW reads it and answers.
  const auto pinned = clb({"trust", "add", org, "--fingerprint", print});
  ASSERT_EQ(pinned.exit, 0) << pinned.err;
  clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", mailbox, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september."}));
  const auto received = inbox(intake_device);
  ASSERT_EQ(received.size(), 1U);
  const auto seq = std::to_string(received[0].as_object().at("sequence").as_int64());
  const auto letter = intake_device.json_of({"read", seq});
  EXPECT_EQ(text_of(letter, "sender_org"), orgs["clb"]);
  EXPECT_EQ(text_of(letter.as_object().at("fragments").as_array().at(0), "text"),
            "Angstklachten sinds september.");
  intake_device.json_of({"send", "statusantwoord", "--to", onthaal, "--purpose", "terugkoppeling",
                         "--reply-to", seq, "--text", "contact=Intake gepland op 3 maart."});
  const auto answers = inbox(clb);
  ASSERT_EQ(answers.size(), 1U);
  const auto answer =
      clb.json_of({"read", std::to_string(answers[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(answer, "sender_org"), org);
  EXPECT_EQ(text_of(answer, "thread_id"), text_of(letter, "thread_id"));

  // 8. Staff and mailboxes from the CLI: two persons, each with one staff id and role; the
  //    intake device taken out of the mailbox (not out of the organisation) gets nothing sent
  //    there meanwhile, and put back it reads it.
  const auto staff_list = admin.json_of(with_org_keys("limburg.drok", {"admin", "staff"}));
  ASSERT_EQ(staff_list.as_array().size(), 2U);
  std::set<std::string> roles;
  for (const auto& person : staff_list.as_array()) {
    roles.insert(text_of(person, "role"));
    EXPECT_EQ(person.as_object().at("devices").as_array().size(), 1U);
  }
  EXPECT_EQ(roles, (std::set<std::string>{"organisation_admin", "partner_intake"}));
  const auto out_of_it =
      admin(with_org_keys("limburg.drok", {"admin", "remove-member", mailbox, staff.device_id}));
  ASSERT_EQ(out_of_it.exit, 0) << out_of_it.err;
  EXPECT_NE(out_of_it.out.find("took " + staff.device_id + " out of"), std::string::npos);
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", mailbox, "--purpose",
                             "doorverwijzing", "--text", "psychisch_sociaal=Tweede verwijzing."}));
  EXPECT_TRUE(inbox(intake_device).empty());
  const auto back =
      admin(with_org_keys("limburg.drok", {"admin", "add-member", mailbox, staff.device_id}));
  ASSERT_EQ(back.exit, 0) << back.err;
  const auto again =
      admin(with_org_keys("limburg.drok", {"admin", "add-member", mailbox, staff.device_id}));
  EXPECT_NE(again.out.find("already"), std::string::npos) << again.out;
  const auto history = inbox(intake_device);
  ASSERT_EQ(history.size(), 1U);
  const auto second = intake_device.json_of(
      {"read", std::to_string(history[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(second.as_object().at("fragments").as_array().at(0), "text"),
            "Tweede verwijzing.");
  // Still enrolled all along: the admin lists it among the organisation's devices.
  const auto devices = admin.json_of(with_org_keys("limburg.drok", {"admin", "devices"}));
  EXPECT_EQ(devices.as_array().size(), 2U);
}

TEST_F(OnboardingTest, OperatorRefusesAnAlteredRequestAWrongFingerprintAndATakenId) {
  const auto made = org_init("limburg.drok");
  const auto org = text_of(made, "org_id");
  const auto print = text_of(made, "fingerprint");
  const auto request = dir.path() / "limburg.drok.request";

  // A fingerprint that is not the key's: nothing registered.
  auto other = protocol::fingerprint(protocol::SigningKey::generate().public_key());
  const auto wrong = org_add(request, other);
  EXPECT_EQ(wrong.exit, 1);
  EXPECT_NE(wrong.err.find("refused: the fingerprint you typed"), std::string::npos) << wrong.err;
  EXPECT_FALSE(organisation_listed(org));

  // The same request with another name (its signature no longer covers it): refused, even with
  // the right fingerprint.
  auto parsed = protocol::parse_registration_text(slurp(request)).value();
  parsed.name = "CAW Limburg en Kempen";
  const auto altered = dir.path() / "altered.request";
  write_file(altered, view_of(protocol::registration_text(parsed)));
  const auto forged = org_add(altered, print);
  EXPECT_EQ(forged.exit, 1);
  EXPECT_NE(forged.err.find("signature"), std::string::npos) << forged.err;
  EXPECT_FALSE(organisation_listed(org));

  ASSERT_EQ(org_add(request, print).exit, 0);
  // An id already taken: by this organisation (registered twice), or by the demo CLB.
  const auto again = org_add(request, print);
  EXPECT_EQ(again.exit, 1);
  EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;
  const auto squatter = org_init("squatter.drok", {"--org-id", orgs["clb"]});
  const auto taken =
      org_add(dir.path() / "squatter.drok.request", text_of(squatter, "fingerprint"));
  EXPECT_EQ(taken.exit, 1);
  EXPECT_NE(taken.err.find("exists already"), std::string::npos) << taken.err;
  // The CLB's key is still the one every device pinned.
  const auto directory = clb.json_of({"directory"});
  for (const auto& entry : directory.as_array()) {
    if (text_of(entry, "org_id") == orgs["clb"]) {
      EXPECT_TRUE(entry.as_object().at("trusted").as_bool());
    }
  }
  // The old form, a bare key without proof of possession, is no longer taken.
  const auto bare = operator_run(
      {"org", "add", "--config", config_file.string(), "--org-id",
       protocol::to_hex(protocol::random_id()), "--org-type", "caw", "--name", "Bare",
       "--signing-key", protocol::base64_encode(protocol::SigningKey::generate().public_key())});
  EXPECT_EQ(bare.exit, 2);
  EXPECT_NE(bare.err.find("--request"), std::string::npos) << bare.err;
}

}  // namespace
}  // namespace draaischijf::testing
