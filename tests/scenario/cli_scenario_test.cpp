// The daily work of a school, a CLB and a CAW, played with the draaischijf CLI against the real
// hub process: every step is a separate CLI process with its own profile, as people would run
// it. The hub is the embedded development deployment on 127.0.0.1, and it enforces the policy:
// what the CLB sends the CAW goes under the consent the CLB registered (R06), the school's
// signaal to its CLB needs none (R34), nor the CAW's status answer to the CLB (R33).

#include <csignal>
#include <set>
#include <thread>

#include "attachment_transfer.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class ScenarioTest : public CliScenario {};

// Scenarios 1 to 4: signaal, doorverwijzing, answer, delivery and read status.
TEST_F(ScenarioTest, SignaalDoorverwijzingAnswerAndStatus) {
  // 1. The school's zorgcoordinator raises a signaal to the CLB onthaal mailbox.
  const auto signaal =
      school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                      "leren_en_studeren=Leest traag, vraagt hulp."});
  EXPECT_FALSE(signaal.as_object().at("duplicate").as_bool());

  // 2. The CLB reads it, registers the parents' consent and refers the pupil to the CAW intake
  //    under it, with fragments and a PDF (a diagnostic report: GC and IAC reports, category
  //    verslag, never go to a welfare partner, R27b).
  const auto received = inbox(clb);
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(text_of(received[0], "kind"), "signaal");
  EXPECT_EQ(text_of(received[0], "sender_role"), "school_zorgcoordinator");
  const auto first = std::to_string(received[0].as_object().at("sequence").as_int64());
  const auto opened = clb.json_of({"read", first});
  EXPECT_EQ(text_of(opened.as_object().at("fragments").as_array().at(0), "text"),
            "Leest traag, vraagt hulp.");
  const auto pdf = dir.path() / "verslag.pdf";
  const std::string pdf_bytes = "%PDF-1.4\n% a small report\n%%EOF\n";
  write_file(pdf, view_of(pdf_bytes));
  const auto referral = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september.", "--file",
                     "diagnostiek=" + pdf.string() + "@application/pdf"}));
  const auto referral_id = text_of(referral, "message_id");

  // 3. The CAW reads it, sees who sent it, and answers "intake gepland" in the same thread.
  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  const auto seq = std::to_string(at_caw[0].as_object().at("sequence").as_int64());
  const auto letter = caw.json_of({"read", seq});
  EXPECT_EQ(text_of(letter, "sender_org"), orgs["clb"]);
  EXPECT_EQ(text_of(letter, "sender_role"), "clb_onthaal");
  const auto& fragments = letter.as_object().at("fragments").as_array();
  ASSERT_EQ(fragments.size(), 1U);
  EXPECT_EQ(text_of(fragments[0], "category"), "psychisch_sociaal");
  const auto& attachments = letter.as_object().at("attachments").as_array();
  ASSERT_EQ(attachments.size(), 1U);
  EXPECT_EQ(text_of(attachments[0], "category"), "diagnostiek");
  EXPECT_EQ(text_of(attachments[0], "media_type"), "application/pdf");
  EXPECT_EQ(text_of(attachments[0], "file_name"), "verslag.pdf");
  EXPECT_EQ(attachments[0].as_object().at("size").as_int64(),
            static_cast<std::int64_t>(pdf_bytes.size()));
  // The PDF comes down as its own blob, decrypted and checked against the signed hash.
  caw.json_of({"read", seq, "--save", (dir.path() / "caw-files").string()});
  EXPECT_EQ(slurp(dir.path() / "caw-files" / "verslag.pdf"), pdf_bytes);
  // A status answer with contact details only: R33, no consent needed.
  caw.json_of({"send", "statusantwoord", "--to", onthaal, "--purpose", "terugkoppeling",
               "--reply-to", seq, "--text", "contact=Intake gepland op 2 december."});

  // 4. The CLB sees the answer, in the referral's thread, and that its referral was read.
  const auto answers = inbox(clb);
  ASSERT_EQ(answers.size(), 1U);
  const auto answer =
      clb.json_of({"read", std::to_string(answers[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(answer, "sender_org"), orgs["caw"]);
  EXPECT_EQ(text_of(answer, "thread_id"), text_of(letter, "thread_id"));
  const auto status = clb.json_of({"status", referral_id});
  const auto& recipients = status.as_object().at("recipients").as_array();
  ASSERT_EQ(recipients.size(), 1U);
  EXPECT_EQ(text_of(recipients[0], "mailbox_id"), intake);
  EXPECT_EQ(text_of(recipients[0], "state"), "read");
  // And the school cannot ask about the CLB's message.
  const auto asked = school({"status", referral_id});
  EXPECT_EQ(asked.exit, 1);
  EXPECT_NE(asked.err.find("Not found (404)"), std::string::npos) << asked.err;
}

// What the sender holds after a send: per recipient, the rules and legal basis the hub signed
// it let the message through on, shown to the person and given exactly with --json.
TEST_F(ScenarioTest, SendShowsTheDecisionTheHubSignedForEachRecipient) {
  const auto shown = clb(under_consent(
      {"send", "doorverwijzing", "--to", intake, "--text", "psychisch_sociaal=Eerste gesprek."}));
  ASSERT_EQ(shown.exit, 0) << shown.err;
  EXPECT_NE(shown.out.find("hub receipt verified"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("    to " + intake + ": R06, legal basis consent:" + referral_consent),
            std::string::npos)
      << shown.out;

  const auto sent = clb.json_of(under_consent(
      {"send", "doorverwijzing", "--to", intake, "--text", "psychisch_sociaal=Tweede gesprek."}));
  EXPECT_FALSE(text_of(sent, "rule_set_version").empty());
  EXPECT_EQ(sent.at("decisions"), json::parse(R"([{"mailbox_id":")" + intake +
                                              R"(","rule_ids":"R06","legal_basis":"consent:)" +
                                              referral_consent + R"(","approvers":[]}])"));
}

// Scenarios 5 and 6: a device enrolled later reads the history; once removed it opens nothing
// sent after its removal.
TEST_F(ScenarioTest, EnrolledLaterReadsHistoryAndRemovedOpensNothingNew) {
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--text",
                             "psychisch_sociaal=Eerste doorverwijzing."}));

  // 5. A second CAW device makes its own keys; only a certificate request leaves it.
  const Cli caw2{dir.path(), "caw2"};
  const auto certified = certify(caw2, "caw", "partner_intake");
  const auto& device = certified.device_id;
  const auto& print = certified.fingerprint;
  EXPECT_FALSE(fs::exists(certified.issued / "device.key"))
      << "the private key never left the device";
  const auto pending = caw_admin.json_of({"admin", "pending"}).as_array();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(text_of(pending[0], "fingerprint"), print);
  // A wrong fingerprint is refused and changes nothing.
  const auto mismatch = caw_admin({"admin", "approve", device, "--fingerprint", "0000 1111",
                                   "--new-person", "--mailbox", intake});
  EXPECT_EQ(mismatch.exit, 4);
  EXPECT_NE(mismatch.err.find("error: the fingerprint does not match the key the hub serves"),
            std::string::npos)
      << mismatch.err;
  const ProcessResult approved = caw_admin(
      {"admin", "approve", device, "--fingerprint", print, "--new-person", "--mailbox", intake});
  ASSERT_EQ(approved.exit, 0) << approved.err;
  const auto history = inbox(caw2, true);
  ASSERT_EQ(history.size(), 1U) << "the message sent before the device existed";
  const auto old =
      caw2.json_of({"read", std::to_string(history[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(old.as_object().at("fragments").as_array().at(0), "text"),
            "Eerste doorverwijzing.");
  // The key of the epoch it was added in, kept by the device before its removal.
  const ProcessResult kept = caw2({"admin", "export-key", intake});
  ASSERT_EQ(kept.exit, 0) << kept.err;
  write_file(dir.path() / "caw2-epoch.key", view_of(kept.out));

  // 6. The admin removes it; what the CLB sends afterwards is sealed to a new epoch.
  const ProcessResult removed = caw_admin({"admin", "remove", device});
  ASSERT_EQ(removed.exit, 0) << removed.err;
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--text",
                             "psychisch_sociaal=Na de verwijdering."}));
  const auto refused = caw2({"inbox"});
  EXPECT_EQ(refused.exit, 1) << "the hub refuses the removed device";
  EXPECT_NE(refused.err.find("Device removed (403)"), std::string::npos) << refused.err;
  const auto after = inbox(caw);
  ASSERT_EQ(after.size(), 2U);  // the first referral and the new one
  const auto newest = std::to_string(after[1].as_object().at("sequence").as_int64());
  const auto body = dir.path() / "after.age";
  ASSERT_EQ(caw({"read", newest, "--save-age", body.string()}).exit, 0);
  const ProcessResult opened_by_removed = run_program(
      dir.path(), {"age", "-d", "-i", (dir.path() / "caw2-epoch.key").string(), body.string()});
  // Refused for the right reason: the key is not a recipient (a missing tool exits 127 and an
  // unreadable file with another message; neither would show the removal works).
  EXPECT_EQ(opened_by_removed.exit, 1) << "a removed member opened a later message";
  EXPECT_NE(opened_by_removed.err.find("no identity matched any of the recipients"),
            std::string::npos)
      << opened_by_removed.err;
}

// Scenario 7: the archive path. A message sealed by the CLI opens with the stock age tool and
// the mailbox key the admin exports.
TEST_F(ScenarioTest, StockAgeOpensAnArchivedMessageWithTheExportedMailboxKey) {
  clb.json_of(under_consent(
      {"send", "doorverwijzing", "--to", intake, "--text", "psychisch_sociaal=Voor het archief."}));
  const auto messages = inbox(caw);
  ASSERT_EQ(messages.size(), 1U);
  const auto body = dir.path() / "archived.age";
  ASSERT_EQ(caw({"read", std::to_string(messages[0].as_object().at("sequence").as_int64()),
                 "--save-age", body.string()})
                .exit,
            0);
  const ProcessResult key = caw_admin({"admin", "export-key", intake});
  ASSERT_EQ(key.exit, 0) << key.err;
  EXPECT_EQ(key.out.rfind("AGE-SECRET-KEY-1", 0), 0U);
  write_file(dir.path() / "intake.key", view_of(key.out));
  const ProcessResult plain = run_program(
      dir.path(), {"age", "-d", "-i", (dir.path() / "intake.key").string(), body.string()});
  ASSERT_EQ(plain.exit, 0) << plain.err;
  EXPECT_NE(plain.out.find("Voor het archief."), std::string::npos);
  // The school's devices hold no key that opens it.
  const ProcessResult school_key = school({"admin", "export-key", intake});
  EXPECT_EQ(school_key.exit, 1);
  EXPECT_NE(school_key.err.find("holds no key for that mailbox"), std::string::npos)
      << school_key.err;
}

// Scenario 8: the hub restarts in the middle; nothing is lost and nothing shows twice.
TEST_F(ScenarioTest, AHubRestartLosesNothingAndShowsNothingTwice) {
  for (int i = 0; i < 3; ++i) {
    school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                    "leren_en_studeren=voor de herstart " + std::to_string(i)});
  }
  ASSERT_EQ(inbox(clb).size(), 3U);
  restart_hub();
  for (int i = 0; i < 2; ++i) {
    school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                    "leren_en_studeren=na de herstart " + std::to_string(i)});
  }
  const auto fetched = clb.json_of({"inbox", "--all"});
  EXPECT_EQ(fetched.as_object().at("new").as_int64(), 2);
  const auto all = fetched.as_object().at("messages").as_array();
  ASSERT_EQ(all.size(), 5U);
  std::set<std::string> ids;
  for (const auto& m : all) {
    ids.insert(text_of(m, "message_id"));
    EXPECT_TRUE(m.as_object().at("flags").as_array().empty()) << json::serialize(m);
  }
  EXPECT_EQ(ids.size(), 5U);
  EXPECT_EQ(clb.json_of({"inbox"}).as_object().at("new").as_int64(), 0);
}

class AttachmentTest : public AttachmentScenario {};

// A 200 MiB attachment goes up and comes down through the hub in chunks, with a progress bar on
// both sides, and arrives byte for byte. What each process holds meanwhile is a figure, not a
// behaviour: the attachment memory benchmark reports it (docs/BENCHMARKS.md).
TEST_F(AttachmentTest, ALargeAttachmentArrivesByteForByteWithProgress) {
  const AttachmentRun run = transfer(200, "dossier-scan.bin");
  EXPECT_EQ(run.sent.exit, 0) << run.sent.err;
  EXPECT_NE(run.sent.err.find("100%"), std::string::npos) << "no progress bar: " << run.sent.err;
  EXPECT_EQ(run.read.exit, 0) << run.read.err;
  EXPECT_NE(run.read.err.find("100%"), std::string::npos) << run.read.err;
  EXPECT_TRUE(run.arrived) << "the saved file differs from the one sent";
}

// inbox --follow: a CAW device listening on the hub's stream sees every message as it arrives,
// through a hub restart (messages sent while it reconnects come with the catch-up), each once.
TEST_F(ScenarioTest, AFollowingInboxMissesNothingAcrossAHubRestart) {
  const pid_t follower = caw.start({"--json", "inbox", "--follow"}, "follow");
  const auto lines_so_far = [&] { return json_lines(caw.output("follow", "out")); };
  const auto wait_for = [&](std::size_t count) {
    (void)eventually([&] { return lines_so_far().size() >= count; });
    return lines_so_far().size();
  };
  const auto send = [&](int n) {
    clb.json_of(under_consent(
        {"send", "consultatie", "--to", intake, "--text", "contact=Bericht " + std::to_string(n)}));
  };
  send(1);
  send(2);
  EXPECT_EQ(wait_for(2), 2U) << slurp(dir.path() / "caw.follow.err");
  // Listening on the stream, not polling: the hub counts the follower as a subscriber.
  EXPECT_EQ(stream_subscribers(), 1);
  restart_hub();
  send(3);  // most likely before the follower is back: it comes with the catch-up
  send(4);
  EXPECT_EQ(wait_for(4), 4U) << slurp(dir.path() / "caw.follow.err");
  send(5);
  EXPECT_EQ(wait_for(5), 5U) << slurp(dir.path() / "caw.follow.err");
  // A follower busy catching up across the restart reads the old stream's end only afterwards,
  // so it may subscribe again a moment after message 5 is shown.
  EXPECT_TRUE(wait_for_subscribers(1)) << "the follower did not subscribe again after the restart";
  // A last message marks the end: the follower shows what it receives in order, so a duplicate
  // of 1-5 from the catch-up would show before it. Waiting for the marker, not for a time.
  send(6);
  ASSERT_GE(wait_for(6), 6U) << slurp(dir.path() / "caw.follow.err");
  const auto last = lines_so_far().back();
  EXPECT_EQ(text_of(last, "kind"), "consultatie");

  ASSERT_EQ(stop_program(follower), 0)
      << "the follower did not stop cleanly: " << slurp(dir.path() / "caw.follow.err");
  const auto entries = lines_so_far();
  ASSERT_EQ(entries.size(), 6U) << "each message exactly once";
  std::set<std::int64_t> sequences;
  for (const auto& entry : entries) {
    sequences.insert(entry.as_object().at("sequence").as_int64());
    EXPECT_EQ(text_of(entry, "kind"), "consultatie");
    EXPECT_EQ(text_of(entry, "problem"), "");
  }
  EXPECT_EQ(sequences.size(), 6U);
  EXPECT_EQ(*sequences.rbegin(), entries.back().as_object().at("sequence").as_int64())
      << "the marker was not the last thing shown";
  // What the follower stored is the inbox: nothing is fetched twice afterwards.
  EXPECT_EQ(caw.json_of({"inbox"}).as_object().at("new").as_int64(), 0);
}

}  // namespace
}  // namespace draaischijf::testing
