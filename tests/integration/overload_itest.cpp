// The hub's capacity refusals over HTTP, against the real hub process: an organisation whose
// stored attachments would pass limits.blob_quota_bytes gets 507 blob-quota-full before the
// body is sent (another organisation's uploads go on), and a writer that cannot keep up gets
// 503 overloaded with Retry-After for what does not fit in limits.writer_queue, with nothing
// stored (the same envelope is accepted as new once the writer is free again).
//
// The writer is held up the way a long transaction of another process would: the test takes
// SQLite's write lock on hub.db (BEGIN IMMEDIATE), so the hub's writer waits in its busy
// handler with the first job while the queue fills.

#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

// The problem document in `body`: its fields as RFC 9457 and the catalog promise them.
void expect_problem(const std::string& body, std::string_view slug, int status) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  const auto& doc = value.as_object();
  EXPECT_EQ(doc.at("type").as_string(), "urn:draaischijf:problem:" + std::string(slug)) << body;
  EXPECT_EQ(doc.at("status").as_int64(), status) << body;
  EXPECT_FALSE(doc.at("title").as_string().empty()) << body;
  EXPECT_FALSE(doc.at("title_nl").as_string().empty()) << body;
  EXPECT_FALSE(doc.at("detail").as_string().empty()) << body;
  EXPECT_NE(doc.if_contains("instance"), nullptr) << body;
}

// The header of an upload of `size` bytes that waits for 100 Continue; what the hub answers
// before any of the body is sent.
std::string announce_upload(DevHub& hub, const std::string& slug, std::size_t size) {
  auto connection = hub.client(slug);
  EXPECT_TRUE(connection->send("PUT /v1/blobs/" + hex(protocol::random_id()) +
                               " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                               "Content-Length: " +
                               std::to_string(size) + "\r\nExpect: 100-continue\r\n\r\n"));
  std::string answer;
  for (std::string more = connection->read_some(); !more.empty(); more = connection->read_some()) {
    answer += more;
    if (answer.rfind("HTTP/1.1 100", 0) == 0) {
      break;  // the hub wants the body: it did not refuse
    }
  }
  return answer;
}

TEST(HubCapacityTest, AnOrganisationOverItsAttachmentQuotaGets507BeforeTheBody) {
  TempDir dir;
  DevHub hub(dir.path(), "[limits]\nblob_quota_bytes = 1048576\n");
  const std::string blob(700 * 1024, 'b');
  const auto first = hub.call("clb", put_blob("/v1/blobs/" + hex(protocol::random_id()), blob));
  ASSERT_EQ(first.status, 201) << first.body;

  const std::string refused = announce_upload(hub, "clb", blob.size());
  ASSERT_EQ(refused.rfind("HTTP/1.1 507", 0), 0U) << refused.substr(0, 300);
  expect_problem(refused.substr(refused.find("\r\n\r\n") + 4), "blob-quota-full", 507);
  // The quota is the organisation's: another one uploads as before.
  EXPECT_EQ(hub.call("caw", put_blob("/v1/blobs/" + hex(protocol::random_id()), blob)).status, 201);
  // And so does this one, within what is left.
  EXPECT_EQ(hub.call("clb", put_blob("/v1/blobs/" + hex(protocol::random_id()),
                                     std::string(200 * 1024, 'c')))
                .status,
            201);
}

// SQLite's write lock on the hub's database, held until release() or the end of the scope.
class WriteLock {
 public:
  explicit WriteLock(const std::filesystem::path& database) {
    EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 10000);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  ~WriteLock() {
    release();
    sqlite3_close(db_);
  }
  void release() {
    if (held_) {
      EXPECT_EQ(sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
      held_ = false;
    }
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = true;
};

TEST(HubCapacityTest, AWriterThatCannotKeepUpGets503OverloadedAndStoresNothing) {
  TempDir dir;
  DevHub hub(dir.path(), "[limits]\nwriter_queue = 1\n");
  const auto intake = hub.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  constexpr std::size_t kSubmissions = 4;
  std::vector<std::vector<std::uint8_t>> envelopes;
  for (std::size_t i = 0; i < kSubmissions; ++i) {
    envelopes.push_back(hub.seal_from("clb", {hub.epoch_of(intake)}, "waits for the writer",
                                      MessageKind::doorverwijzing));
  }

  std::mutex mutex;
  std::condition_variable answered;
  std::vector<HttpResponse> answers(kSubmissions);
  int count = 0;
  {
    WriteLock lock(dir.path() / "data" / "hub.db");
    std::vector<std::thread> senders;
    for (std::size_t i = 0; i < kSubmissions; ++i) {
      senders.emplace_back([&, i] {
        auto answer = hub.call("clb", post("/v1/envelopes", text_of(envelopes[i])));
        const std::lock_guard guard(mutex);
        answers[i] = std::move(answer);
        ++count;
        answered.notify_all();
      });
    }
    {
      // With one job in the writer and one waiting, the others are refused at once; the lock
      // goes as soon as the first answer is in, well before the writer's busy timeout.
      std::unique_lock guard(mutex);
      ASSERT_TRUE(answered.wait_for(guard, std::chrono::seconds(20), [&] { return count > 0; }));
    }
    lock.release();
    for (auto& sender : senders) {
      sender.join();
    }
  }

  int refused = 0;
  int stored = 0;
  for (std::size_t i = 0; i < kSubmissions; ++i) {
    const HttpResponse& answer = answers[i];
    if (answer.status == 201) {
      ++stored;
      continue;
    }
    ASSERT_EQ(answer.status, 503) << answer.head << "\n" << answer.body;
    ++refused;
    expect_problem(answer.body, "overloaded", 503);
    EXPECT_NE(answer.head.find("Retry-After: 1"), std::string::npos) << answer.head;
    // Nothing of it was stored: the same bytes are a new submission, not a replay.
    EXPECT_EQ(hub.call("clb", post("/v1/envelopes", text_of(envelopes[i]))).status, 201);
  }
  EXPECT_GE(refused, 1) << "nothing was refused with a writer queue of one";
  EXPECT_GE(stored, 1) << "the writer did not take the jobs it had once free";
  const auto listing = hub.json("caw", get("/v1/mailboxes/" + mailbox + "/messages"));
  EXPECT_EQ(listing.at("messages").as_array().size(), kSubmissions);
}

}  // namespace
}  // namespace draaischijf::testing
