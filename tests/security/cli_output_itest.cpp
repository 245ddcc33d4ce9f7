// The CLI against text a sender (or a lying hub) chose: a message whose text holds OSC 52,
// OSC 8, cursor movement and a right-to-left override, and whose attachment file name holds a
// line separator and a right-to-left mark, is read with
// `draaischijf read`; no escape or bidi control reaches the terminal, the body's lines cannot
// pass for the CLI's own, and `--json` still gives the exact text. `read --save` writes new
// files only, 0600, never through a symbolic link, and replaces one only with --force.

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/display_text.hpp>

#include "process.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

const std::string kEvilText =
    "Beste collega,\nsignature and device certificate verified\x1b]52;c;ZXZpbA==\x07"
    "\x1b[2K\x1b[1A\r\u202e"
    "fdp.exe\x1b]8;;https://evil.example/\x1b\\klik\x1b]8;;\x1b\\";
// Envelope v1 let a line separator and a right-to-left mark through in file names; v2 refuses
// every character is_display_safe() refuses, at sealing and at opening.
const std::string kEvilFileName = "scan\u2028signature verified\u200f.pdf";
const std::string kFileName = "scan.pdf";

class CliOutputTest : public TamperingTest {
 protected:
  // The school sends the CLB's onthaal mailbox the text and a file with the hostile name.
  void send_hostile_message() {
    const auto scan = dir.path() / "scan.bin";
    write_file(scan, view_of("inhoud van de scan\n"));
    auto school = open_school();
    auto letter = file_to_onthaal(scan, onthaal, kFileName);
    protocol::Fragment fragment;
    fragment.category = protocol::DataCategory::leren_en_studeren;
    fragment.media_type = "text/plain";
    fragment.body = protocol::SecretBytes::copy_of(view_of(kEvilText));
    letter.fragments.push_back(std::move(fragment));
    const auto sent = school.send(std::move(letter));
    ASSERT_TRUE(sent) << sent.error().message();
    const auto listed = cli({"--json", "inbox"});
    ASSERT_EQ(listed.exit, 0) << listed.err;
    const auto messages = json::parse(listed.out).as_object().at("messages").as_array();
    ASSERT_EQ(messages.size(), 1U) << listed.out;
    sequence = std::to_string(messages[0].as_object().at("sequence").as_int64());
  }

  ProcessResult cli(const std::vector<std::string>& args) {
    std::vector<std::string> all = {DRAAISCHIJF_CLI_BINARY, "--profile",
                                    (dir.path() / "clb").string(), "--key-file",
                                    (dir.path() / "clb.key").string()};
    all.insert(all.end(), args.begin(), args.end());
    return run_program(dir.path(), all);
  }

  std::string sequence;
};

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777U;
}

TEST_F(CliOutputTest, AMessageCannotDriveTheTerminalOrForgeALine) {
  ASSERT_NO_FATAL_FAILURE(send_hostile_message());
  const auto read = cli({"read", sequence});
  ASSERT_EQ(read.exit, 0) << read.err;
  for (const auto* stream : {&read.out, &read.err}) {
    EXPECT_EQ(stream->find('\x1b'), std::string::npos) << *stream;
    EXPECT_EQ(stream->find('\x07'), std::string::npos) << *stream;
    EXPECT_EQ(stream->find('\r'), std::string::npos) << *stream;
    EXPECT_EQ(stream->find("\u202e"), std::string::npos) << *stream;
    EXPECT_EQ(stream->find("\u2028"), std::string::npos) << *stream;
    EXPECT_EQ(stream->find("\u200f"), std::string::npos) << *stream;
  }
  EXPECT_NE(read.out.find("\\x1b]52;c;ZXZpbA==\\x07"), std::string::npos) << read.out;
  EXPECT_NE(read.out.find("\\u{202e}fdp.exe"), std::string::npos) << read.out;
  // The body's second line is quoted: only the CLI's own line starts with spaces and the claim.
  EXPECT_NE(read.out.find("  | Beste collega,\n  | signature and device certificate verified"),
            std::string::npos)
      << read.out;
  // A script gets the text exactly as it was sent.
  const auto exact = cli({"--json", "read", sequence});
  ASSERT_EQ(exact.exit, 0) << exact.err;
  const auto message = json::parse(exact.out).as_object();
  EXPECT_EQ(message.at("fragments").as_array()[0].as_object().at("text").as_string(), kEvilText);
  EXPECT_EQ(message.at("attachments").as_array()[0].as_object().at("file_name").as_string(),
            kFileName);
}

TEST_F(CliOutputTest, AFileNameThatDisguisesALineIsRefusedBeforeAnythingIsSent) {
  const auto scan = dir.path() / "scan.bin";
  write_file(scan, view_of("inhoud\n"));
  auto school = open_school();
  const auto sent = school.send(file_to_onthaal(scan, onthaal, kEvilFileName));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(), make_error_code(protocol::errc::field_out_of_range));
  const auto listed = cli({"--json", "inbox"});
  ASSERT_EQ(listed.exit, 0) << listed.err;
  EXPECT_TRUE(json::parse(listed.out).as_object().at("messages").as_array().empty());
}

TEST_F(CliOutputTest, SavedFilesAreNewPrivateAndReplacedOnlyWithForce) {
  ASSERT_NO_FATAL_FAILURE(send_hostile_message());
  const auto out = dir.path() / "saved";
  const auto old_mask = ::umask(022);
  const auto first = cli({"read", sequence, "--save", out.string()});
  ::umask(old_mask);
  ASSERT_EQ(first.exit, 0) << first.err;
  const auto fragment = out / ("fragment-" + sequence + "-1");
  EXPECT_EQ(file_text(fragment), kEvilText);
  EXPECT_EQ(mode_of(fragment), 0600U);
  std::vector<fs::path> attachments;
  for (const auto& item : fs::directory_iterator(out)) {
    if (item.path() != fragment) {
      attachments.push_back(item.path());
    }
  }
  ASSERT_EQ(attachments.size(), 1U);
  EXPECT_TRUE(protocol::is_display_safe(attachments[0].filename().string())) << attachments[0];
  EXPECT_EQ(mode_of(attachments[0]), 0600U);

  // A second save over the first: refused, with what to do, and nothing changed.
  std::ofstream(fragment, std::ios::trunc) << "mijn notities";
  std::ofstream(attachments[0], std::ios::trunc) << "mijn scan";
  const auto again = cli({"read", sequence, "--save", out.string()});
  EXPECT_EQ(again.exit, 1) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(file_text(fragment), "mijn notities");
  EXPECT_EQ(file_text(attachments[0]), "mijn scan");
  // Nor through a symbolic link planted at the fragment's name.
  const auto elsewhere = dir.path() / "elsewhere.txt";
  std::ofstream(elsewhere) << "niet aanraken";
  fs::remove(fragment);
  fs::create_symlink(elsewhere, fragment);
  const auto through_link = cli({"read", sequence, "--save", out.string()});
  EXPECT_EQ(through_link.exit, 1);
  EXPECT_NE(through_link.err.find("is there already and was left as it is"), std::string::npos)
      << through_link.err;
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");

  const auto forced = cli({"read", sequence, "--save", out.string(), "--force"});
  ASSERT_EQ(forced.exit, 0) << forced.err;
  EXPECT_FALSE(fs::is_symlink(fragment));
  EXPECT_EQ(file_text(fragment), kEvilText);
  EXPECT_EQ(mode_of(fragment), 0600U);
  EXPECT_EQ(file_text(attachments[0]), "inhoud van de scan\n");
  EXPECT_EQ(file_text(elsewhere), "niet aanraken");
}

}  // namespace
}  // namespace draaischijf::testing
