// draaischijf ui, the program itself, against the real hub: the CLB's web inbox started from
// its profile as a person would (`draaischijf ui --no-browser`), spoken to over HTTP as its page
// speaks to it, while the school works with the CLI. What the page receives is verified by the
// client library in the program; message text arrives as JSON data, byte for byte.
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
      EXPECT_EQ(stop_program(ui_pid), 0) << slurp(clb.output("ui", "err"));
    }
  }

  /// Starts the CLB's web inbox; the one-time address it printed.
  std::string start_ui(std::vector<std::string> options = {}) {
    std::vector<std::string> words = {"ui", "--no-browser"};
    words.insert(words.end(), options.begin(), options.end());
    ui_pid = clb.start(words, "ui");
    constexpr std::string_view kLead = "Open (works once): ";
    std::string url;
    EXPECT_TRUE(eventually([&] {
      const auto out = slurp(clb.output("ui", "out"));
      const auto at = out.find(kLead);
      const auto end = out.find('\n', at);
      if (at == std::string::npos || end == std::string::npos) {
        return false;
      }
      url = out.substr(at + kLead.size(), end - at - kLead.size());
      return true;
    })) << slurp(clb.output("ui", "err"));
    return url;
  }

  static json::object body_of(const LocalReply& reply) {
    return json::parse(reply.body()).as_object();
  }

  pid_t ui_pid = -1;
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

}  // namespace
}  // namespace draaischijf::testing
