// The web inbox's attachment uploads (client-lib/ui/outgoing.hpp) in-process over real sockets:
// a file is admitted on the request's head, before a byte of it is kept: the gate first (the
// session cookie, this server's Origin), then the size it announces against the attachment
// limit, then the keys. The vault here has no profile to open, so it stays locked;
// tests/browser/attach.browser.mjs sends and downloads attachments with real keys.
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>

#include "local_http.hpp"
#include "local_server.hpp"
#include "test_support.hpp"

namespace draaischijf::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

class UiUpload : public ::testing::Test {
 protected:
  UiUpload() {
    server.start();
    thread = std::thread([this] { io.run(); });
    page.emplace(server.start_url());
    page->open();
  }
  ~UiUpload() override {
    io.stop();
    thread.join();
  }

  // Only the head of an upload announcing `length` bytes, as a browser starts one; the
  // server's answer, read before any body is sent.
  LocalReply announce(std::uint64_t length, const std::string& origin) {
    asio::io_context client;
    beast::tcp_stream stream(client);
    stream.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    const std::string head =
        "POST /api/uploads?name=verslag.pdf&type=application%2Fpdf HTTP/1.1\r\n"
        "Host: 127.0.0.1:" +
        std::to_string(server.port()) + "\r\nCookie: " + page->cookie() + "\r\nOrigin: " + origin +
        "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + std::to_string(length) +
        "\r\n\r\n";
    asio::write(stream, asio::buffer(head));
    beast::flat_buffer buffer;
    LocalReply reply;
    http::read(stream, buffer, reply);
    return reply;
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
  asio::io_context io;
  ui::LocalServer server{io, vault, 0};
  std::thread thread;
  std::optional<LocalPage> page;
};

TEST_F(UiUpload, AFileFromAnotherSiteOrWithoutTheSessionIsRefusedOnItsHead) {
  const auto other = announce(10, "http://evil.example");
  EXPECT_EQ(other.result_int(), 403U);
  EXPECT_EQ(problem_type(other), "urn:draaischijf:ui-problem:bad-origin");
  const auto no_session =
      local_http(server.port(),
                 {http::verb::post, "/api/uploads?name=a.pdf", {{"Origin", page->origin()}}, "x"});
  EXPECT_EQ(no_session.result_int(), 401U);
  EXPECT_EQ(problem_type(no_session), "urn:draaischijf:ui-problem:no-session");
}

TEST_F(UiUpload, AFileBeyondTheAttachmentLimitIsRefusedBeforeItsBodyIsRead) {
  const auto refused = announce(ui::kMaxUploadBytes + 1, page->origin());
  EXPECT_EQ(refused.result_int(), 413U);
  EXPECT_EQ(problem_type(refused), "urn:draaischijf:ui-problem:attachment-too-large");
  EXPECT_EQ(refused["X-Content-Type-Options"], "nosniff");
  const auto problem = json::parse(refused.body()).as_object();
  EXPECT_EQ(problem.at("title_nl").as_string(), "Bijlage te groot");
  EXPECT_NE(std::string(problem.at("wat_nu").as_string()).find("1 GiB"), std::string::npos);
  // The limit is what fits the hub's default blob limit once encrypted.
  EXPECT_LE(protocol::attachment_ciphertext_size(ui::kMaxUploadBytes), std::uint64_t{1} << 30);
  EXPECT_GT(protocol::attachment_ciphertext_size(ui::kMaxUploadBytes + 1), std::uint64_t{1} << 30);
}

TEST_F(UiUpload, AFileWithinTheLimitWaitsForTheKeysWhileLocked) {
  const auto locked = announce(1024, page->origin());
  EXPECT_EQ(locked.result_int(), 423U);
  EXPECT_EQ(problem_type(locked), "urn:draaischijf:ui-problem:locked");
  // The state tells the page the limit, so it can say so before sending a byte.
  const auto state = json::parse(page->get("/api/state").body()).as_object();
  EXPECT_EQ(state.at("max_attachment_bytes").to_number<std::uint64_t>(), ui::kMaxUploadBytes);
}

}  // namespace
}  // namespace draaischijf::testing
