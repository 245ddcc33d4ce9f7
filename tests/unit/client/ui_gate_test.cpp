// draaischijf ui's gate (who may talk to the local web server), its problem catalogue and its
// embedded pages, without a network: the requests are built as the browser would send them.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "assets.hpp"
#include "gate.hpp"
#include "problems.hpp"

namespace draaischijf::ui {
namespace {

namespace http = boost::beast::http;

constexpr std::uint16_t kPort = 48123;

Request request(http::verb method, std::string target, std::string host = "127.0.0.1:48123") {
  Request r{method, target, 11};
  r.set(http::field::host, host);
  return r;
}

std::string token_target(const Gate& gate) {
  const auto url = gate.start_url();
  return url.substr(url.find("/?t="));
}

std::string cookie_pair(const Gate& gate) {
  const auto cookie = gate.session_cookie();
  return cookie.substr(0, cookie.find(';'));
}

TEST(UiGate, TheOneTimeUrlIsExchangedOnceForAStrictHttpOnlyCookie) {
  Gate gate(kPort);
  EXPECT_EQ(gate.start_url().rfind("http://127.0.0.1:48123/?t=", 0), 0U);
  EXPECT_EQ(gate.start_url().size(), std::string("http://127.0.0.1:48123/?t=").size() + 64);
  const auto first = gate.admit(request(http::verb::get, token_target(gate)));
  EXPECT_FALSE(first.refused);
  EXPECT_TRUE(first.exchange_token);
  const auto cookie = gate.session_cookie();
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  // The same URL again (from the history, another tab, someone who saw it): dead.
  const auto again = gate.admit(request(http::verb::get, token_target(gate)));
  EXPECT_EQ(again.refused, Problem::token_spent);
  EXPECT_FALSE(again.exchange_token);
}

TEST(UiGate, AWrongTokenOpensNothingAndDoesNotSpendTheRealOne) {
  Gate gate(kPort);
  const auto wrong = std::string("/?t=") + std::string(64, 'a');
  EXPECT_EQ(gate.admit(request(http::verb::get, wrong)).refused, Problem::token_spent);
  EXPECT_EQ(gate.admit(request(http::verb::get, "/?t=zz")).refused, Problem::token_spent);
  EXPECT_TRUE(gate.admit(request(http::verb::get, token_target(gate))).exchange_token);
}

TEST(UiGate, WithoutTheCookieNothingIsServed) {
  Gate gate(kPort);
  for (const char* target : {"/", "/app.js", "/api/inbox", "/api/state"}) {
    EXPECT_EQ(gate.admit(request(http::verb::get, target)).refused, Problem::no_session) << target;
  }
  auto forged = request(http::verb::get, "/api/inbox");
  forged.set(http::field::cookie, std::string(kSessionCookie) + "=" + std::string(64, '0'));
  EXPECT_EQ(gate.admit(forged).refused, Problem::no_session);
  auto good = request(http::verb::get, "/api/inbox");
  good.set(http::field::cookie, "other=1; " + cookie_pair(gate) + "; more=2");
  EXPECT_FALSE(gate.admit(good).refused);
}

TEST(UiGate, OnlyThisServersOwnHostNameIsAccepted) {
  Gate gate(kPort);
  for (const char* host : {"evil.example:48123", "127.0.0.1:48124", "127.0.0.1", "localhost",
                           "127.0.0.1:48123.evil.example", "", "LOCALHOST:48123x"}) {
    auto r = request(http::verb::get, "/api/state", host);
    r.set(http::field::cookie, cookie_pair(gate));
    EXPECT_EQ(gate.admit(r).refused, Problem::bad_host) << host;
  }
  // Even the token is not exchanged under a rebound name.
  EXPECT_EQ(
      gate.admit(request(http::verb::get, token_target(gate), "rebind.example:48123")).refused,
      Problem::bad_host);
  for (const char* host : {"127.0.0.1:48123", "localhost:48123"}) {
    auto r = request(http::verb::get, "/api/state", host);
    r.set(http::field::cookie, cookie_pair(gate));
    EXPECT_FALSE(gate.admit(r).refused) << host;
  }
}

TEST(UiGate, EveryNonGetNeedsThisServersOrigin) {
  Gate gate(kPort);
  for (const char* origin : {"", "null", "http://evil.example", "https://127.0.0.1:48123",
                             "http://127.0.0.1:48124", "http://127.0.0.1:48123/"}) {
    auto r = request(http::verb::post, "/api/lock");
    r.set(http::field::cookie, cookie_pair(gate));
    if (*origin != '\0') {
      r.set(http::field::origin, origin);
    }
    EXPECT_EQ(gate.admit(r).refused, Problem::bad_origin) << origin;
  }
  for (const char* origin : {"http://127.0.0.1:48123", "http://localhost:48123"}) {
    auto r = request(http::verb::post, "/api/lock");
    r.set(http::field::cookie, cookie_pair(gate));
    r.set(http::field::origin, origin);
    EXPECT_FALSE(gate.admit(r).refused) << origin;
  }
  // Only a GET exchanges the token: a HEAD (or a prefetch of another kind) does not spend it.
  EXPECT_EQ(gate.admit(request(http::verb::head, token_target(gate))).refused, Problem::no_session);
  // A cross-site POST carrying the token is refused too, and does not spend it.
  auto post = request(http::verb::post, token_target(gate));
  post.set(http::field::origin, "http://127.0.0.1:48123");
  EXPECT_EQ(gate.admit(post).refused, Problem::no_session);
  EXPECT_TRUE(gate.admit(request(http::verb::get, token_target(gate))).exchange_token);
}

TEST(UiProblems, EveryProblemHasAStableTypeAndBothLanguages) {
  std::set<std::string_view> types;
  for (auto kind :
       {Problem::bad_host, Problem::bad_origin, Problem::no_session, Problem::token_spent,
        Problem::locked, Problem::wrong_passphrase, Problem::not_found, Problem::bad_request,
        Problem::method_not_allowed, Problem::hub_failed, Problem::policy_refused,
        Problem::hub_refused, Problem::consent_invalid, Problem::attachment_too_large,
        Problem::upload_gone}) {
    const auto& text = problem_text(kind);
    EXPECT_EQ(text.kind, kind);
    EXPECT_EQ(text.type.rfind("urn:draaischijf:ui-problem:", 0), 0U);
    EXPECT_TRUE(types.insert(text.type).second) << text.type;
    EXPECT_FALSE(text.title_nl.empty());
    EXPECT_FALSE(text.what_en.empty());
    EXPECT_NE(text.title_nl, text.title_en);
    const auto json = problem_json(kind, "why");
    EXPECT_EQ(json.at("status").as_int64(), text.status);
    EXPECT_EQ(json.at("detail").as_string(), "why");
  }
  EXPECT_EQ(problem_text(Problem::locked).status, 423U);
}

TEST(UiAssets, ThePagesAreBuiltInAndHaveNoInlineScript) {
  const auto* index = find_asset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->path, "/index.html");
  EXPECT_EQ(content_type_of(index->path), "text/html; charset=utf-8");
  ASSERT_NE(find_asset("/app.js?v=1"), nullptr);
  EXPECT_EQ(content_type_of("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(find_asset("/../CMakeLists.txt"), nullptr);
  EXPECT_EQ(find_asset("/missing.js"), nullptr);
  for (const auto& file : embedded_files()) {
    if (!file.path.ends_with(".html")) {
      continue;
    }
    const std::string text(file.bytes);
    // Every <script> loads a file; no inline handlers (the CSP would refuse them anyway).
    for (auto at = text.find("<script"); at != std::string::npos;
         at = text.find("<script", at + 1)) {
      const auto end = text.find('>', at);
      EXPECT_NE(text.substr(at, end - at).find(" src="), std::string::npos) << file.path;
      EXPECT_EQ(text.compare(end + 1, 9, "</script>"), 0) << file.path;
    }
    EXPECT_EQ(text.find(" onclick="), std::string::npos);
    EXPECT_EQ(text.find(" onload="), std::string::npos);
    EXPECT_EQ(text.find(" style="), std::string::npos);
    EXPECT_EQ(text.find("http://"), std::string::npos) << "nothing fetched from elsewhere";
    EXPECT_EQ(text.find("https://"), std::string::npos) << "nothing fetched from elsewhere";
  }
  // The page's script never turns text into HTML.
  for (const auto& file : embedded_files()) {
    if (file.path.ends_with(".js")) {
      const std::string text(file.bytes);
      EXPECT_EQ(text.find("innerHTML"), std::string::npos) << file.path;
      EXPECT_EQ(text.find("outerHTML"), std::string::npos) << file.path;
      EXPECT_EQ(text.find("insertAdjacentHTML"), std::string::npos) << file.path;
      EXPECT_EQ(text.find("document.write"), std::string::npos) << file.path;
    }
  }
}

// The modules a screen other than the inbox needs are imported when it is first opened
// (`import('./x.js')` in a module), with what they import in turn; every other module is named in
// index.html (as a script or a modulepreload), so the browser asks for all of those at once
// instead of learning of each from the module that imports it, a round trip per level of
// imports before the page can start. A module in neither would be found late, or never.
TEST(UiAssets, ThePageAsksForEveryModuleAtOnceOrWhenItsScreenOpens) {
  const auto* index = find_asset("/");
  ASSERT_NE(index, nullptr);
  const std::string text(index->bytes);
  const auto imports = [](std::string_view module, std::string_view opening) {
    std::set<std::string> out;
    for (auto at = module.find(opening); at != std::string_view::npos;
         at = module.find(opening, at + 1)) {
      const auto start = at + opening.size();
      const auto end = module.find('\'', start);
      out.insert("/" + std::string(module.substr(start, end - start)));
    }
    return out;
  };
  std::set<std::string> lazy;
  for (const auto& file : embedded_files()) {
    lazy.merge(imports(file.bytes, "import('./"));
  }
  ASSERT_FALSE(lazy.empty()) << "no screen is loaded when it opens";
  for (const auto& file : embedded_files()) {
    if (lazy.contains(std::string(file.path))) {
      lazy.merge(imports(file.bytes, "from './"));
    }
  }
  for (const auto& file : embedded_files()) {
    if (file.path.ends_with(".js")) {
      const std::string path(file.path);
      const bool script =
          text.find("<script type=\"module\" src=\"" + path + "\"") != std::string::npos;
      const bool preload =
          text.find("<link rel=\"modulepreload\" href=\"" + path + "\">") != std::string::npos;
      EXPECT_TRUE(script || preload || lazy.contains(path))
          << path << " is neither named in index.html nor loaded with a screen";
    }
  }
}

}  // namespace
}  // namespace draaischijf::ui
