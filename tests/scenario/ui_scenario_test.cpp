// draaischijf ui, the program itself, against the real hub: the CLB's web inbox started from
// its profile as a person would (`draaischijf ui --no-browser`), spoken to over HTTP as its page
// speaks to it, while the school works with the CLI. What the page receives is verified by the
// client library in the program; message text arrives as JSON data, byte for byte.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "cli_fixture.hpp"
#include "local_http.hpp"

namespace draaischijf::testing {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

// Markup in every text the school controls: it must come back as the same characters.
constexpr std::string_view kHostile =
    "<script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" & 'single'";

class UiScenario : public CliScenario {
 protected:
  void TearDown() override {
    if (ui_pid > 0) {
      EXPECT_EQ(stop_program(ui_pid), 0) << slurp(ui_cli->output("ui", "err"));
    }
  }

  /// Starts `who`'s web inbox (the CLB's by default); the one-time address it printed.
  std::string start_ui(std::vector<std::string> options = {}, const Cli* who = nullptr) {
    const Cli& cli = who != nullptr ? *who : clb;
    std::vector<std::string> words = {"ui", "--no-browser"};
    words.insert(words.end(), options.begin(), options.end());
    ui_pid = cli.start(words, "ui");
    ui_cli = &cli;
    constexpr std::string_view kLead = "Open (works once): ";
    std::string url;
    EXPECT_TRUE(eventually([&] {
      const auto out = slurp(cli.output("ui", "out"));
      const auto at = out.find(kLead);
      const auto end = out.find('\n', at);
      if (at == std::string::npos || end == std::string::npos) {
        return false;
      }
      url = out.substr(at + kLead.size(), end - at - kLead.size());
      return true;
    })) << slurp(cli.output("ui", "err"));
    return url;
  }

  static json::object body_of(const LocalReply& reply) {
    return json::parse(reply.body()).as_object();
  }

  pid_t ui_pid = -1;
  const Cli* ui_cli = nullptr;
};

TEST_F(UiScenario, TheSchoolsSignaalArrivesVerifiedAndItsTextStaysText) {
  LocalPage page(start_ui());
  ASSERT_EQ(page.open().result_int(), 303U);
  const auto empty = body_of(page.get("/api/inbox"));
  EXPECT_TRUE(empty.at("messages").as_array().empty());
  EXPECT_EQ(empty.at("sync_problem").as_string(), "");

  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                  "leren_en_studeren=" + std::string(kHostile)});
  const auto inbox = page.get("/api/inbox");
  ASSERT_EQ(inbox.result_int(), 200U) << inbox.body();
  EXPECT_EQ(inbox[http::field::cache_control], "no-store");
  EXPECT_EQ(inbox[http::field::content_type], "application/json");
  const auto listed = body_of(inbox);
  ASSERT_EQ(listed.at("messages").as_array().size(), 1U);
  EXPECT_EQ(listed.at("unread").as_int64(), 1);
  const auto& entry = listed.at("messages").as_array().at(0).as_object();
  EXPECT_EQ(entry.at("kind").as_string(), "signaal");
  EXPECT_EQ(entry.at("sender_org").as_string(), orgs["school"]);
  EXPECT_EQ(entry.at("sender_role").as_string(), "school_zorgcoordinator");
  EXPECT_TRUE(entry.at("verified").as_bool());
  EXPECT_TRUE(entry.at("flags").as_array().empty());
  EXPECT_FALSE(entry.at("read").as_bool());

  const auto target = "/api/messages/" + std::string(entry.at("mailbox_id").as_string()) + "/" +
                      std::to_string(entry.at("sequence").as_int64());
  const auto opened = page.get(target);
  ASSERT_EQ(opened.result_int(), 200U) << opened.body();
  EXPECT_EQ(opened["X-Content-Type-Options"], "nosniff");
  const auto message = body_of(opened);
  const auto& fragment = message.at("fragments").as_array().at(0).as_object();
  EXPECT_EQ(fragment.at("category").as_string(), "leren_en_studeren");
  EXPECT_EQ(fragment.at("text").as_string(), kHostile);
  EXPECT_EQ(message.at("thread_id").as_string().size(), 32U);
  // Opened in the page is read: the inbox says so, as the CLI's would.
  const auto after = body_of(page.get("/api/inbox"));
  EXPECT_EQ(after.at("unread").as_int64(), 0);
  EXPECT_TRUE(after.at("messages").as_array().at(0).as_object().at("read").as_bool());
}

TEST_F(UiScenario, LockNowAnswers423UntilUnlockedAgain) {
  LocalPage page(start_ui());
  page.open();
  ASSERT_EQ(page.get("/api/inbox").result_int(), 200U);
  const auto locked = page.post("/api/lock");
  EXPECT_TRUE(body_of(locked).at("locked").as_bool());
  const auto refused = page.get("/api/inbox");
  EXPECT_EQ(refused.result_int(), 423U);
  EXPECT_EQ(body_of(refused).at("type").as_string(), "urn:draaischijf:ui-problem:locked");
  // Started with a key file: unlocking reads it again (a passphrase profile sends its phrase).
  const auto unlocked = page.post("/api/unlock", "{}");
  ASSERT_EQ(unlocked.result_int(), 200U) << unlocked.body();
  EXPECT_FALSE(body_of(unlocked).at("locked").as_bool());
  EXPECT_EQ(body_of(unlocked).at("device").as_object().at("role").as_string(), "clb_onthaal");
  EXPECT_EQ(page.get("/api/inbox").result_int(), 200U);
}

TEST_F(UiScenario, KeysLockAfterTheIdleTimeEvenWhileThePageRefreshes) {
  LocalPage page(start_ui({"--lock-after", "2"}));
  page.open();
  ASSERT_EQ(page.get("/api/inbox").result_int(), 200U);
  EXPECT_FALSE(body_of(page.get("/api/state")).at("locked").as_bool());
  // The page's own refresh (background) goes on; nobody uses it: the keys lock.
  const auto refresh = [&] {
    return local_http(page.port(), {http::verb::get,
                                    "/api/inbox",
                                    {{"Cookie", page.cookie()}, {"X-Draaischijf-Background", "1"}},
                                    {}});
  };
  EXPECT_TRUE(eventually([&] { return refresh().result_int() == 423U; }, std::chrono::seconds(20)));
  EXPECT_TRUE(body_of(page.get("/api/state")).at("locked").as_bool());
  EXPECT_EQ(page.get("/api/inbox").result_int(), 423U);
}

// The inbox's sync runs on a thread of its own: while it waits for a hub that does not answer
// (stopped with SIGSTOP: connections are accepted, nothing is answered), a message the device
// holds opens at once and the list from the device is served; the sync answers once the hub
// goes on. Before, the sync held the server's one thread and the message waited behind it.
TEST_F(UiScenario, AMessageTheDeviceHoldsOpensWhileTheSyncWaitsForTheHub) {
  using namespace std::chrono_literals;
  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                  "leren_en_studeren=Vaak afwezig op maandag."});
  LocalPage page(start_ui());
  page.open();
  const auto listed = body_of(page.get("/api/inbox"));
  ASSERT_EQ(listed.at("messages").as_array().size(), 1U) << listed;
  const auto& entry = listed.at("messages").as_array().at(0).as_object();
  const auto target = "/api/messages/" + std::string(entry.at("mailbox_id").as_string()) + "/" +
                      std::to_string(entry.at("sequence").as_int64());
  // Opened once: read (no read receipt is due again) and the mailbox's keys known.
  ASSERT_EQ(page.get(target).result_int(), 200U);

  hub->send_signal(SIGSTOP);
  auto sync = std::async(std::launch::async, [&] { return page.get("/api/inbox?news=1"); });
  std::this_thread::sleep_for(500ms);
  const bool sync_waits = sync.wait_for(0s) == std::future_status::timeout;
  const auto asked = std::chrono::steady_clock::now();
  auto opened = std::async(std::launch::async, [&] { return page.get(target); });
  auto local = std::async(std::launch::async, [&] { return page.get("/api/inbox?local=1"); });
  const bool answered = opened.wait_for(5s) == std::future_status::ready &&
                        local.wait_for(1s) == std::future_status::ready;
  const auto took = std::chrono::steady_clock::now() - asked;
  hub->send_signal(SIGCONT);  // before any assertion ends the test with the hub stopped

  EXPECT_TRUE(sync_waits) << "the sync did not wait for the stopped hub: nothing was tested";
  ASSERT_TRUE(answered) << "the message and the device's list waited for the sync";
  std::cout << "message opened in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms while the sync waited for the hub\n";
  const auto message = opened.get();
  ASSERT_EQ(message.result_int(), 200U) << message.body();
  EXPECT_EQ(body_of(message).at("fragments").as_array().at(0).as_object().at("text").as_string(),
            "Vaak afwezig op maandag.");
  const auto from_device = body_of(local.get());
  EXPECT_FALSE(from_device.at("synced").as_bool());
  EXPECT_EQ(from_device.at("messages").as_array().size(), 1U);
  // The hub goes on: the sync that waited ends and answers (nothing new, so no list).
  const auto synced = sync.get();
  ASSERT_EQ(synced.result_int(), 200U) << synced.body();
  EXPECT_TRUE(body_of(synced).at("synced").as_bool());
  EXPECT_EQ(body_of(synced).at("sync_problem").as_string(), "");
}

// A request for a second approval with a file, to a mailbox that cannot approve (the onthaal's
// own, R38): the pre-check refuses it with its reasons before the file leaves the device, and
// the hub holds no blob. Before, the file went up first and the request was refused after.
TEST_F(UiScenario, ARefusedApprovalRequestUploadsNoneOfItsFiles) {
  LocalPage page(start_ui());
  page.open();
  const auto uploaded =
      local_http(page.port(), {http::verb::post,
                               "/api/uploads?name=verslag.pdf&type=application/pdf",
                               {{"Cookie", page.cookie()}, {"Origin", page.origin()}},
                               "%PDF-1.4\n% een verslag\n%%EOF\n"});
  ASSERT_EQ(uploaded.result_int(), 201U) << uploaded.body();
  const json::object draft{
      {"kind", "doorverwijzing"},
      {"purpose", "doorverwijzing"},
      {"to", json::array{json::value(intake)}},
      {"pupil", kPupil},
      {"texts", json::array{{{"category", "psychisch_sociaal"}, {"text", "Zie het verslag."}}}},
      {"attachments",
       json::array{{{"upload_id", body_of(uploaded).at("upload_id")}, {"category", "verslag"}}}},
      {"message_id", std::string(32, '1')},
      {"thread_id", std::string(32, '2')},
      {"approval_role", "clb_onthaal"}};
  const auto asked = page.post("/api/compose/request-approval", json::serialize(draft));
  ASSERT_EQ(asked.result_int(), 422U) << asked.body();
  const auto problem = body_of(asked);
  EXPECT_EQ(problem.at("type").as_string(), "urn:draaischijf:ui-problem:policy-refused");
  const auto& rules = problem.at("refusal").as_object().at("rule_ids").as_array();
  EXPECT_NE(std::find(rules.begin(), rules.end(), json::value("R38")), rules.end()) << problem;
  std::size_t blobs = 0;
  if (std::filesystem::exists(dir.path() / "data" / "blobs")) {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir.path() / "data" / "blobs")) {
      blobs += entry.is_regular_file() ? 1U : 0U;
    }
  }
  EXPECT_EQ(blobs, 0U) << "the refused request's file went up to the hub";
}

// Wrong options are usage errors (exit 2) that say what is allowed; a port in use fails
// (exit 1) and says what to do.
TEST_F(UiScenario, BadOptionsAndABusyPortAreToldClearly) {
  for (const auto& words : std::vector<std::vector<std::string>>{{"ui", "--port", "70000"},
                                                                 {"ui", "--lock-after", "0"},
                                                                 {"ui", "--colour", "x"},
                                                                 {"ui", "extra"}}) {
    const auto r = clb(words);
    EXPECT_EQ(r.exit, 2) << words.back() << ": " << r.err;
    EXPECT_NE(r.err.find("draaischijf --help"), std::string::npos) << r.err;
  }
  LocalPage page(start_ui());
  const auto busy = clb({"ui", "--no-browser", "--port", std::to_string(page.port())});
  EXPECT_EQ(busy.exit, 1);
  EXPECT_NE(busy.err.find("cannot listen on 127.0.0.1:" + std::to_string(page.port())),
            std::string::npos)
      << busy.err;
  EXPECT_NE(busy.err.find("choose another --port"), std::string::npos) << busy.err;
}

// The CAW answers the CLB's referral from its web inbox, in the referral's thread, and
// acknowledges it; the pre-check of a reply to the wrong party shows the refusal first.
TEST_F(UiScenario, ThePartnerAnswersInTheThreadAndAcknowledges) {
  const auto referral = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Angstklachten sinds september."}));
  LocalPage page(start_ui({}, &caw));
  page.open();
  const auto listed = body_of(page.get("/api/inbox"));
  ASSERT_EQ(listed.at("messages").as_array().size(), 1U) << listed;
  const auto& entry = listed.at("messages").as_array().at(0).as_object();
  const auto mailbox = std::string(entry.at("mailbox_id").as_string());
  const auto sequence = entry.at("sequence").as_int64();
  const auto opened =
      body_of(page.get("/api/messages/" + mailbox + "/" + std::to_string(sequence)));
  const auto reply = [&](const std::string& kind, const std::string& to) {
    json::object body{{"kind", kind},
                      {"purpose", "terugkoppeling"},
                      {"to", json::array{json::value(to)}},
                      {"reply_to", {{"mailbox_id", mailbox}, {"sequence", sequence}}},
                      {"texts", json::array{{{"category", "contact"},
                                             {"text", "Intake gepland op 2 december."}}}}};
    return json::serialize(body);
  };
  const auto checked = body_of(page.post("/api/compose/check", reply("statusantwoord", onthaal)));
  EXPECT_TRUE(checked.at("allowed").as_bool()) << checked;
  const auto sent = page.post("/api/compose/send", reply("statusantwoord", onthaal));
  ASSERT_EQ(sent.result_int(), 200U) << sent.body();
  const auto acked =
      page.post("/api/messages/" + mailbox + "/" + std::to_string(sequence) + "/ack");
  EXPECT_EQ(acked.result_int(), 200U) << acked.body();
  // The CLB sees the answer in its referral's thread.
  const auto answers = inbox(clb);
  ASSERT_EQ(answers.size(), 1U);
  const auto answer =
      clb.json_of({"read", std::to_string(answers[0].as_object().at("sequence").as_int64())});
  EXPECT_EQ(text_of(answer, "sender_org"), orgs["caw"]);
  EXPECT_EQ(text_of(answer, "thread_id"), std::string(opened.at("thread_id").as_string()));
  EXPECT_FALSE(text_of(referral, "message_id").empty());
  // A form the pre-check refuses says so, with rule ids and Dutch reasons, and sends nothing.
  const auto school_mailbox =
      text_of(caw.json_of({"directory", orgs["school"]}).as_array().at(0), "mailbox_id");
  const auto refused =
      body_of(page.post("/api/compose/check", reply("doorverwijzing", school_mailbox)));
  ASSERT_FALSE(refused.at("allowed").as_bool()) << refused;
  const auto& refusal = refused.at("refusal").as_object();
  EXPECT_FALSE(refusal.at("rule_ids").as_array().empty());
  EXPECT_FALSE(refusal.at("reasons").as_array().at(0).as_object().at("nl").as_string().empty());
  EXPECT_FALSE(refusal.at("wat_nu").as_array().empty());
  const auto not_sent = page.post("/api/compose/send", reply("doorverwijzing", school_mailbox));
  EXPECT_EQ(not_sent.result_int(), 422U);
  EXPECT_EQ(body_of(not_sent).at("type").as_string(), "urn:draaischijf:ui-problem:policy-refused");
  EXPECT_TRUE(inbox(school, true).empty());
}

}  // namespace
}  // namespace draaischijf::testing
