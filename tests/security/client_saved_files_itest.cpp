// Inbox::save_attachment writes where a reader chose, so a planted file or symbolic link must
// not turn a download into a write somewhere else: the partial file is created O_EXCL and
// O_NOFOLLOW, 0600; an existing target is replaced only when the caller asks, and then the
// link itself is replaced, never what it points to.

#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SavedFilesTest : public TamperingTest {
 protected:
  void SetUp() override {
    TamperingTest::SetUp();
    const auto scan = dir.path() / "scan.bin";
    write_file(scan, view_of(kContent));
    auto school = open_school();
    send_file_to_onthaal(school, scan, onthaal);
    ASSERT_TRUE(device->sync());
    const auto inbox = device->inbox(false).value();
    ASSERT_EQ(inbox.size(), 1U);
    mailbox = inbox[0].mailbox_id;
    sequence = inbox[0].sequence;
    fs::create_directories(out);
    std::ofstream(elsewhere) << "niet aanraken";
  }

  protocol::Result<std::uint64_t> save(const fs::path& target, bool replace = false) {
    return device->save_attachment(mailbox, sequence, 0, target, replace);
  }

  static constexpr std::string_view kContent = "het verslag\n";
  Id mailbox{};
  std::int64_t sequence = 0;
  fs::path out = dir.path() / "out";
  fs::path elsewhere = dir.path() / "elsewhere.txt";
};

TEST_F(SavedFilesTest, ASavedAttachmentIsPrivateWhateverTheUmask) {
  const auto old_mask = ::umask(0);
  const auto saved = save(out / "verslag.pdf");
  ::umask(old_mask);
  ASSERT_TRUE(saved) << saved.error().message();
  struct stat info {};
  ASSERT_EQ(::stat((out / "verslag.pdf").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777U, 0600U);
}

TEST_F(SavedFilesTest, AnExistingFileIsReplacedOnlyWhenAsked) {
  std::ofstream(out / "verslag.pdf") << "mijn eigen bestand";
  const auto refused = save(out / "verslag.pdf");
  ASSERT_FALSE(refused) << "an existing file was overwritten";
  EXPECT_EQ(refused.error(), make_error_code(client_errc::file_exists));
  EXPECT_NE(refused.error().message().find("--force"), std::string::npos);
  EXPECT_EQ(file_text(out / "verslag.pdf"), "mijn eigen bestand");
  EXPECT_FALSE(fs::exists(out / "verslag.pdf.part"));
  ASSERT_TRUE(save(out / "verslag.pdf", true));
  EXPECT_EQ(file_text(out / "verslag.pdf"), kContent);
}

TEST_F(SavedFilesTest, ASymbolicLinkAtTheTargetIsNeitherFollowedNorReplacedUnasked) {
  fs::create_symlink(elsewhere, out / "verslag.pdf");
  EXPECT_FALSE(save(out / "verslag.pdf"));
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");
  ASSERT_TRUE(save(out / "verslag.pdf", true));
  EXPECT_FALSE(fs::is_symlink(out / "verslag.pdf"));
  EXPECT_EQ(file_text(out / "verslag.pdf"), kContent);
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");
}

TEST_F(SavedFilesTest, ASymbolicLinkPlantedAtThePartFileIsNotFollowed) {
  fs::create_symlink(elsewhere, out / "verslag.pdf.part");
  const auto refused = save(out / "verslag.pdf");
  ASSERT_FALSE(refused) << "the download went through the planted link";
  EXPECT_EQ(refused.error(), make_error_code(client_errc::file_exists));
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");
  EXPECT_FALSE(fs::exists(out / "verslag.pdf"));
  // Asked to replace, the link itself goes; what it pointed to stays as it was.
  ASSERT_TRUE(save(out / "verslag.pdf", true));
  EXPECT_EQ(file_text(out / "verslag.pdf"), kContent);
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");
  EXPECT_FALSE(fs::exists(fs::symlink_status(out / "verslag.pdf.part")));
}

}  // namespace
}  // namespace draaischijf::testing
