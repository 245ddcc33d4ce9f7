// GET /api/events, the page's long poll for live updates (client-lib/ui/live.hpp), passes the
// same gate as every other request: without the session cookie, or from another Host, it is
// refused before it waits; with the cookie it answers with the relay's count and the security
// headers. The relay here points at a hub that is not there, so it never hears anything.
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "local_http.hpp"
#include "local_server.hpp"

namespace draaischijf::testing {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

class UiLiveEvents : public ::testing::Test {
 protected:
  UiLiveEvents() {
    server.start();
    thread = std::thread([this] { io.run(); });
    page.emplace(server.start_url());
  }
  ~UiLiveEvents() override {
    io.stop();
    thread.join();
  }

  // No profile: the vault stays locked, which the long poll does not need.
  ui::Vault vault{[](const client::Unlock&) -> protocol::Result<client::Client> {
                    return make_error_code(client::client_errc::profile_invalid);
                  },
                  std::chrono::minutes(15), protocol::system_clock()};
  // No TLS identity: every attempt to open the stream fails at once, and is tried again.
  ui::LiveRelay live{client::HubAddress{"localhost", 1}, client::DeviceTls{}};
  boost::asio::io_context io;
  ui::LocalServer server{io, vault, 0, &live};
  std::thread thread;
  std::optional<LocalPage> page;
};

std::string type_of(const LocalReply& reply) {
  return std::string(json::parse(reply.body()).as_object().at("type").as_string());
}

TEST_F(UiLiveEvents, TheLongPollNeedsTheSessionCookieAndThisHost) {
  const auto anonymous =
      local_http(server.port(), {http::verb::get, "/api/events?after=0", {}, {}});
  EXPECT_EQ(anonymous.result_int(), 401U);
  EXPECT_EQ(type_of(anonymous), "urn:draaischijf:ui-problem:no-session");

  page->open();
  const auto rebound =
      local_http(server.port(), {http::verb::get,
                                 "/api/events",
                                 {{"Host", "evil.example:80"}, {"Cookie", page->cookie()}},
                                 {}});
  EXPECT_EQ(rebound.result_int(), 421U);
  EXPECT_EQ(type_of(rebound), "urn:draaischijf:ui-problem:bad-host");

  const auto answered = page->get("/api/events");
  ASSERT_EQ(answered.result_int(), 200U) << answered.body();
  const auto body = json::parse(answered.body()).as_object();
  EXPECT_EQ(body.at("generation").to_number<std::uint64_t>(), 0U);
  EXPECT_FALSE(body.at("listening").as_bool());
  EXPECT_EQ(answered[http::field::cache_control], "no-store");
  EXPECT_NE(answered["Content-Security-Policy"].find("default-src 'self'"), std::string_view::npos);
  // A POST is no long poll: the API's own answer, which needs the vault.
  EXPECT_EQ(page->post("/api/events").result_int(), 423U);
}

}  // namespace
}  // namespace draaischijf::testing
