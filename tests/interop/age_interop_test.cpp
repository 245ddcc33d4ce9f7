// Interoperability with the real `age` command-line tool (Debian package `age`): what we encrypt
// `age -d -i` decrypts, and what `age -r` encrypts we decrypt, across the chunk boundaries.

#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using testing::quoted;

class AgeInteropTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::run_command("command -v age >/dev/null 2>&1"), 0)
        << "the age tool is not installed: run ./setup.sh (Debian package 'age')";
  }

  // A mailbox key as `draaischijf admin` exports it, written 0600 like any key file.
  std::filesystem::path write_identity(const age::X25519Identity& identity) {
    const auto path = dir_ / "mailbox.key";
    const std::string text = "# draaischijf mailbox key\n" + identity.expose_secret_string() + "\n";
    testing::write_file(path, testing::view_of(text));
    ::chmod(path.c_str(), 0600);
    return path;
  }

  testing::TempDir dir_;
};

TEST_P(AgeInteropTest, AgeToolDecryptsWhatWeEncrypt) {
  const auto plaintext = testing::pattern_bytes(GetParam(), 3);
  const auto identity = mailbox_identity(EpochSeed::random());
  const auto recipient = identity.recipient();
  testing::write_file(dir_ / "sealed.age", age::encrypt(plaintext, {&recipient, 1}));
  const auto key = write_identity(identity);
  ASSERT_EQ(testing::run_command("age -d -i " + quoted(key) + " " + quoted(dir_ / "sealed.age") +
                                 " > " + quoted(dir_ / "out")),
            0);
  EXPECT_EQ(testing::read_file(dir_ / "out"), plaintext);
}

TEST_P(AgeInteropTest, WeDecryptWhatTheAgeToolEncrypts) {
  const auto plaintext = testing::pattern_bytes(GetParam(), 5);
  const auto identity = age::X25519Identity::generate();
  const auto other = age::X25519Identity::generate();
  testing::write_file(dir_ / "plain", plaintext);
  ASSERT_EQ(testing::run_command("age -r " + identity.recipient().to_string() + " -r " +
                                 other.recipient().to_string() + " -o " +
                                 quoted(dir_ / "sealed.age") + " " + quoted(dir_ / "plain")),
            0);
  std::ifstream in(dir_ / "sealed.age", std::ios::binary);
  std::ostringstream out;
  const auto result = age::decrypt_stream(in, {&identity, 1}, out);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(out.str(), std::string(plaintext.begin(), plaintext.end()));
}

TEST(AgeInteropToolTest, AgeToolRefusesATamperedFileOfOurs) {
  testing::TempDir dir;
  const auto identity = age::X25519Identity::generate();
  const auto recipient = identity.recipient();
  auto sealed = age::encrypt(testing::pattern_bytes(1000), {&recipient, 1});
  sealed.back() ^= 1;
  testing::write_file(dir / "sealed.age", sealed);
  const std::string text = identity.expose_secret_string() + "\n";
  testing::write_file(dir / "key", testing::view_of(text));
  ::chmod((dir / "key").c_str(), 0600);
  // The tool must be there (a missing one also exits non-zero, with 127), and it must refuse for
  // the reason a tampered chunk gives: authentication, not a parse or usage error.
  ASSERT_EQ(testing::run_command("command -v age >/dev/null 2>&1"), 0)
      << "the age tool is needed (apt-get install age)";
  EXPECT_EQ(testing::run_command("age -d -i " + quoted(dir / "key") + " -o /dev/null " +
                                 quoted(dir / "sealed.age") + " 2>" + quoted(dir / "error")),
            1)
      << "age exits with status 1 on a refused file";
  const auto error = testing::read_file(dir / "error");
  EXPECT_NE(std::string(error.begin(), error.end()).find("failed to decrypt and authenticate"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Sizes, AgeInteropTest,
                         ::testing::Values(0, 1, 64 * 1024, 64 * 1024 + 1, 5 * 1024 * 1024),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return "bytes_" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace draaischijf::protocol
