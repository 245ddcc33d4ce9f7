// The hub's transport against a black-box review, on the real hub process: HTTP laxness (Host,
// obs-fold, the WebSocket's Server header, HSTS, 405 on the transport routes), the modes of the
// files it keeps, an early refusal that must arrive instead of a reset, the cap on sockets that
// never finish a handshake, the first-request deadline, and the caps on notification streams.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

std::string raw(const std::string& head) { return head + "\r\n"; }

bool has_header(const HttpResponse& response, const std::string& line) {
  return response.head.find("\r\n" + line) != std::string::npos;
}

TEST(HubHttpStrictness, HostObsFoldHstsAndTransportMethods) {
  TempDir dir;
  DevHub hub(dir.path());
  // RFC 9112 3.2: no Host, or two, is a 400.
  const auto no_host = hub.call("clb", raw("GET /healthz HTTP/1.1\r\nConnection: close\r\n"));
  EXPECT_EQ(no_host.status, 400) << no_host.head;
  const auto two_hosts = hub.call(
      "clb",
      raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: evil\r\nConnection: close\r\n"));
  EXPECT_EQ(two_hosts.status, 400) << two_hosts.head;
  // An obs-folded Transfer-Encoding (Beast would join the lines into "gzip, chunked").
  const auto folded =
      hub.call("clb", raw("POST /v1/envelopes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                          "Transfer-Encoding: gzip,\r\n chunked\r\n") +
                          "0\r\n\r\n");
  EXPECT_EQ(folded.status, 400) << folded.head;
  // Every answer carries HSTS; the health routes know their method.
  const auto health = hub.call("clb", get("/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_TRUE(has_header(health, "Strict-Transport-Security: max-age=31536000")) << health.head;
  const auto api = hub.call("clb", get("/v1/organisations"));
  EXPECT_TRUE(has_header(api, "Strict-Transport-Security: max-age=31536000")) << api.head;
  for (const std::string target : {"/healthz", "/readyz", "/metrics"}) {
    const auto deleted = hub.call(
        "clb", raw("DELETE " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"));
    EXPECT_EQ(deleted.status, 405) << target;
    EXPECT_TRUE(has_header(deleted, "Allow: GET")) << deleted.head;
    EXPECT_TRUE(has_header(deleted, "Strict-Transport-Security: max-age=31536000"));
  }
  // The WebSocket's 101 names no software.
  auto connection = hub.client("clb");
  connection->send(
      "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n");
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    const std::string more = connection->read_some();
    if (more.empty()) {
      break;
    }
    head += more;
  }
  head = head.substr(0, head.find("\r\n\r\n"));
  ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0U) << head;
  const auto server = head.find("\r\nServer:");
  EXPECT_TRUE(server == std::string::npos || head.find("\r\nServer: draaischijf-hub") == server)
      << head;
  EXPECT_EQ(head.find("Beast"), std::string::npos) << head;
  EXPECT_NE(head.find("Strict-Transport-Security: max-age=31536000"), std::string::npos) << head;
}

TEST(HubFileModes, DataDirectoryIsPrivateAndTheDatabaseFilesAre0600) {
  TempDir dir;
  DevHub hub(dir.path());
  // One write, so the WAL and its index exist.
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
  const auto mode = [](const fs::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 07777) : -1;
  };
  EXPECT_EQ(mode(dir.path() / "data"), 0700);
  for (const std::string name : {"hub.db", "hub.db-wal", "hub.db-shm"}) {
    EXPECT_EQ(mode(dir.path() / "data" / name), 0600) << name;
  }
}

// One upload without Expect: 100-continue (`request_line`, 10 MiB announced): 3 MiB of body
// written whatever the hub says meanwhile, then the answer read. What arrived, and how many
// 64 KiB writes went through.
std::pair<std::string, int> stream_body(DevHub& hub, const std::string& request_line) {
  auto connection = hub.client("clb");
  connection->send(request_line +
                   "\r\nHost: localhost\r\nConnection: close\r\n"
                   "Content-Type: application/octet-stream\r\nContent-Length: 10485760\r\n\r\n");
  const std::string chunk(64 * 1024, 'x');
  int sent = 0;
  while (sent < 48 && connection->send(chunk)) {
    ++sent;
  }
  std::string answer;
  for (std::string more = connection->read_some(); !more.empty(); more = connection->read_some()) {
    answer += more;
  }
  return {answer, sent};
}

// A client that streams a body gets the 413, not a reset. The reset is a race (the close with
// unread data against the client's read), so the upload is tried several times.
TEST(HubEarlyRefusal, TooLargeBodyWithoutExpectGetsTheProblemDocument) {
  TempDir dir;
  DevHub hub(dir.path(), "[limits]\nmax_envelope_bytes = 4096\n");
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto [answer, sent] = stream_body(hub, "POST /v1/envelopes HTTP/1.1");
    EXPECT_EQ(sent, 48) << "the hub reset the connection while the body was still coming";
    EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0U) << attempt << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("envelope-too-large"), std::string::npos);
  }
}

// The same for the blob route, whose refusals come before the body is read (here: a query
// naming a mailbox, which an upload does not take): the problem document arrives, not a reset.
TEST(HubEarlyRefusal, ABlobRefusedBeforeItsBodyGetsTheProblemDocument) {
  TempDir dir;
  DevHub hub(dir.path());
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto [answer, sent] = stream_body(
        hub,
        "PUT /v1/blobs/00112233445566778899aabbccddeeff?mailbox=00112233445566778899aabbccddeeff "
        "HTTP/1.1");
    EXPECT_EQ(sent, 48) << "the hub reset the connection while the body was still coming";
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0U) << attempt << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("malformed-request"), std::string::npos);
  }
}

}  // namespace
}  // namespace draaischijf::testing
