// draaischijf ui's local web server in-process on 127.0.0.1, spoken to over real sockets as a
// browser (or another site's page in that browser) would: the one-time token, the Host and
// Origin checks, the headers on every answer, and a locked key store answering 423. The vault
// here has no profile to open, so it stays locked; tests/scenario/ui_scenario_test.cpp runs
// the program with real keys against the real hub.
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>

#include "local_http.hpp"
#include "local_server.hpp"
#include "test_support.hpp"

namespace draaischijf::testing {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

class UiLocalServer : public ::testing::Test {
 protected:
  UiLocalServer() {
    server.start();
    thread = std::thread([this] { io.run(); });
    page.emplace(server.start_url());
  }
  ~UiLocalServer() override {
    io.stop();
    thread.join();
  }

  static std::string problem_type(const LocalReply& reply) {
    return std::string(json::parse(reply.body()).as_object().at("type").as_string());
  }

  TempDir dir;
  ui::Vault vault{[this](const client::Unlock& unlock) -> protocol::Result<client::Client> {
                    auto profile = client::Profile::open(dir.path() / "no-profile");
                    if (!profile) {
                      return profile.error();
                    }
                    return client::Client::open(*profile, unlock);
                  },
                  std::chrono::minutes(15), protocol::system_clock()};
  boost::asio::io_context io;
  ui::LocalServer server{io, vault, 0};
  std::thread thread;
  std::optional<LocalPage> page;
};

void expect_security_headers(const LocalReply& reply, const std::string& what) {
  EXPECT_EQ(reply["Content-Security-Policy"],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
      << what;
  EXPECT_EQ(reply[http::field::cache_control], "no-store") << what;
  EXPECT_EQ(reply["X-Content-Type-Options"], "nosniff") << what;
  EXPECT_EQ(reply["Referrer-Policy"], "no-referrer") << what;
}

TEST_F(UiLocalServer, TheTokenIsExchangedOnceThenTheCookieOpensThePages) {
  const auto before = local_http(server.port(), {http::verb::get, "/", {}, {}});
  EXPECT_EQ(before.result_int(), 401U);
  EXPECT_EQ(problem_type(before), "urn:draaischijf:ui-problem:no-session");
  const auto exchanged = page->open();
  EXPECT_EQ(exchanged.result_int(), 303U);
  EXPECT_EQ(exchanged[http::field::location], "/");
  EXPECT_NE(std::string(exchanged[http::field::set_cookie]).find("HttpOnly; SameSite=Strict"),
            std::string::npos);
  const auto index = page->get("/");
  EXPECT_EQ(index.result_int(), 200U);
  EXPECT_NE(index.body().find("<script type=\"module\" src=\"/app.js\"></script>"),
            std::string::npos);
  EXPECT_EQ(page->get("/app.js")[http::field::content_type], "text/javascript; charset=utf-8");
  // The URL a second time: refused, and it gives no cookie.
  const auto reused = local_http(server.port(), {http::verb::get, page->token_target(), {}, {}});
  EXPECT_EQ(reused.result_int(), 403U);
  EXPECT_EQ(problem_type(reused), "urn:draaischijf:ui-problem:token-spent");
  EXPECT_EQ(reused[http::field::set_cookie], "");
}

TEST_F(UiLocalServer, EveryAnswerCarriesTheSecurityHeaders) {
  expect_security_headers(local_http(server.port(), {http::verb::get, "/", {}, {}}), "refused");
  expect_security_headers(page->open(), "token exchange");
  expect_security_headers(page->get("/"), "page");
  expect_security_headers(page->get("/app.css"), "style");
  expect_security_headers(page->get("/api/state"), "api");
  expect_security_headers(page->get("/api/inbox"), "locked");
  expect_security_headers(page->get("/nothing-here"), "not found");
}

TEST_F(UiLocalServer, ARequestUnderAnotherHostNameIsRefused) {
  page->open();
  // A site whose name now resolves to 127.0.0.1 (DNS rebinding) sends its own name.
  const auto rebound = local_http(
      server.port(),
      {http::verb::get,
       "/api/state",
       {{"Host", "rebind.example:" + std::to_string(server.port())}, {"Cookie", page->cookie()}},
       {}});
  EXPECT_EQ(rebound.result_int(), 421U);
  EXPECT_EQ(problem_type(rebound), "urn:draaischijf:ui-problem:bad-host");
  EXPECT_EQ(page->get("/api/state").result_int(), 200U);
}

TEST_F(UiLocalServer, ACrossOriginPostIsRefusedAndChangesNothing) {
  page->open();
  const auto forged =
      local_http(server.port(), {http::verb::post,
                                 "/api/unlock",
                                 {{"Cookie", page->cookie()}, {"Origin", "http://evil.example"}},
                                 R"({"passphrase":"guess"})"});
  EXPECT_EQ(forged.result_int(), 403U);
  EXPECT_EQ(problem_type(forged), "urn:draaischijf:ui-problem:bad-origin");
  // The page itself reaches the unlock (which fails: this vault has no key store).
  const auto own = page->post("/api/unlock", R"({"passphrase":"guess"})");
  EXPECT_EQ(own.result_int(), 401U);
  EXPECT_EQ(problem_type(own), "urn:draaischijf:ui-problem:wrong-passphrase");
}

TEST_F(UiLocalServer, ALockedKeyStoreAnswers423AndThePageIsToldWhatToDo) {
  page->open();
  const auto state = json::parse(page->get("/api/state").body()).as_object();
  EXPECT_TRUE(state.at("locked").as_bool());
  for (const char* target : {"/api/inbox",
                             "/api/messages/"
                             "00112233445566778899aabbccddeeff/1"}) {
    const auto reply = page->get(target);
    EXPECT_EQ(reply.result_int(), 423U) << target;
    EXPECT_EQ(reply[http::field::content_type], "application/problem+json");
    const auto problem = json::parse(reply.body()).as_object();
    EXPECT_EQ(problem.at("type").as_string(), "urn:draaischijf:ui-problem:locked");
    EXPECT_EQ(problem.at("title_nl").as_string(), "Vergrendeld");
    EXPECT_FALSE(problem.at("wat_nu").as_string().empty());
  }
  const auto empty = page->post("/api/unlock", "{}");
  EXPECT_EQ(empty.result_int(), 400U);  // no key file here: a passphrase is needed
}

}  // namespace
}  // namespace draaischijf::testing
