// A full disk (docs/OPERATIONS.md, "When the disk fills"), without root: the database is capped
// with limits.max_database_bytes (SQLite's max_page_count) and the attachment folder's free
// space is demanded beyond what any disk has (limits.min_free_disk_bytes). New work gets 507
// storage-full, reads and acknowledgements go on, and the hub takes new work again by itself
// once room returns. A hub also starts when its signing key's public half cannot be written.

#include <sys/stat.h>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

class DiskFullApiTest : public ::testing::Test {
 protected:
  TempDir dir;
};

TEST_F(DiskFullApiTest, AFullDatabaseRefusesNewWorkServesReadsAndAcksAndRecoversByItself) {
  // delivered_days = 0: an acknowledged message's ciphertext goes at the next retention pass.
  InProcessHub served(dir.path(),
                      "[limits]\nmax_database_bytes = 4194304\n[retention]\ndelivered_days = 0\n");
  DevHub dev(served.port(), served.pki());
  const auto intake = dev.mailbox_of("caw");
  const std::string mailbox(intake.at("mailbox_id").as_string());
  const std::string large(400 * 1024, 'x');
  const auto send = [&] {
    const auto envelope =
        dev.seal_from("clb", {dev.epoch_of(intake)}, large, MessageKind::doorverwijzing);
    return dev.call("clb", post("/v1/envelopes", text_of(envelope)));
  };

  std::vector<std::int64_t> stored;
  HttpResponse refused;
  for (int i = 0; i < 20 && refused.status == 0; ++i) {
    auto answer = send();
    if (answer.status == 201) {
      stored.push_back(boost::json::parse(answer.body).at("sequence").as_int64());
    } else {
      refused = answer;
    }
  }
  ASSERT_EQ(refused.status, 507) << refused.body;
  EXPECT_NE(refused.body.find("urn:draaischijf:problem:storage-full"), std::string::npos);
  ASSERT_GE(stored.size(), 2U);

  // Everything answered 201 is there, readable; acknowledgements still fit.
  const auto listing = dev.json("caw", get("/v1/mailboxes/" + mailbox + "/messages"));
  EXPECT_EQ(listing.at("messages").as_array().size(), stored.size());
  for (const std::int64_t sequence : stored) {
    const std::string path = "/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence);
    const auto fetched = dev.call("caw", get(path));
    ASSERT_EQ(fetched.status, 200);
    auto opened = dev.open_as("caw", bytes_of(fetched.body));
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(dev.call("caw", post(path + "/ack", "")).status, 200);
  }
  EXPECT_EQ(send().status, 507);  // still full: nothing has been freed yet

  // The retention pass frees the acknowledged ciphertext; the next submission is stored.
  EXPECT_EQ(served.hub().purge_now().envelopes, stored.size());
  EXPECT_EQ(send().status, 201);
}

TEST_F(DiskFullApiTest, AnUploadTheDiskCannotTakeGets507BeforeItsBody) {
  // More free space than any test machine has: the disk is "full" for attachments.
  InProcessHub served(dir.path(), "[limits]\nmin_free_disk_bytes = 1099511627776\n");
  DevHub dev(served.port(), served.pki());
  const std::string blob(4096, 'b');
  const auto upload = dev.call("clb", put_blob("/v1/blobs/" + hex(protocol::random_id()), blob));
  EXPECT_EQ(upload.status, 507) << upload.body;
  EXPECT_NE(upload.body.find("urn:draaischijf:problem:storage-full"), std::string::npos);
  // Reads go on.
  EXPECT_EQ(dev.call("clb", get("/v1/organisations")).status, 200);
  EXPECT_TRUE(std::filesystem::is_empty(served.pki().parent_path() / "blobs"));
}

ino_t inode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_ino;
}

TEST(HubStartTest, TheSigningKeysPublicHalfIsWrittenOnlyWhenNeededAndNeverStopsAStart) {
  TempDir dir;
  DevHub hub(dir.path());
  const auto pub = dir.path() / "data" / "hub-signing.pub";
  const auto written = read_file(pub);
  const auto inode = inode_of(pub);
  hub.restart("");
  EXPECT_EQ(inode_of(pub), inode) << "an identical file is not written again";

  // A public half that cannot be written (a folder no rename replaces, as a read-only or full
  // disk refuses it): the hub starts, says so and serves.
  std::filesystem::remove(pub);
  std::filesystem::create_directories(pub / "occupied");
  hub.restart("");
  EXPECT_NE(hub.process().log_text().find("hub_key.public_not_written"), std::string::npos);
  EXPECT_EQ(hub.call("clb", get("/healthz")).status, 200);

  // Once it can be written again, the same key's public half is back.
  std::filesystem::remove_all(pub);
  hub.restart("");
  EXPECT_EQ(read_file(pub), written);
}

}  // namespace
}  // namespace draaischijf::testing
