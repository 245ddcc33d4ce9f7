// The device key store: what goes in comes out with the right passphrase or key file, and
// nothing comes out otherwise; the file is private and never overwritten.

#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <draaischijf/client/key_store.hpp>

#include "test_support.hpp"

namespace draaischijf::client {
namespace {

using protocol::SigningKey;
using protocol::age::X25519Identity;

DeviceSecrets sample() {
  return {protocol::random_id(),  protocol::random_id(),      protocol::random_id(), "clb_onthaal",
          SigningKey::generate(), X25519Identity::generate(), std::nullopt};
}

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class KeyStoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::filesystem::path store = dir / "device.store";
  const Unlock passphrase = Unlock::with_passphrase("correct horse battery staple");
};

TEST_F(KeyStoreTest, TheRightPassphraseOpensWhatWasSaved) {
  const auto secrets = sample();
  ASSERT_TRUE(save_key_store(store, secrets, passphrase, KdfCost::interactive()));
  const auto opened = open_key_store(store, passphrase);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->org_id, secrets.org_id);
  EXPECT_EQ(opened->device_id, secrets.device_id);
  EXPECT_EQ(opened->staff_id, secrets.staff_id);
  EXPECT_EQ(opened->role, "clb_onthaal");
  EXPECT_EQ(opened->signing.public_key(), secrets.signing.public_key());
  EXPECT_EQ(opened->encryption.public_key(), secrets.encryption.public_key());

  struct stat info {};
  ASSERT_EQ(::stat(store.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const auto bytes = file_bytes(store);
  const auto seed = secrets.signing.expose_seed();
  EXPECT_EQ(std::search(bytes.begin(), bytes.end(), seed.expose().begin(), seed.expose().end()),
            bytes.end())
      << "the signing seed is in the file in the clear";
}

TEST_F(KeyStoreTest, AnAdminStoreKeepsTheOrganisationKeyAndOthersHaveNone) {
  const auto key_file = dir / "store.key";
  ASSERT_TRUE(create_key_file(key_file));
  const auto unlock = Unlock::with_key_file(key_file);
  ASSERT_TRUE(unlock);
  auto admin = sample();
  admin.organisation = SigningKey::generate();
  ASSERT_TRUE(save_key_store(store, admin, *unlock));
  const auto opened = open_key_store(store, *unlock);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_TRUE(opened->organisation.has_value());
  EXPECT_EQ(opened->organisation->public_key(), admin.organisation->public_key());

  const auto other = dir / "other.store";
  ASSERT_TRUE(save_key_store(other, sample(), *unlock));
  const auto plain = open_key_store(other, *unlock);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->organisation.has_value());
}

TEST_F(KeyStoreTest, AWrongPassphraseIsAClearError) {
  ASSERT_TRUE(save_key_store(store, sample(), passphrase, KdfCost::interactive()));
  const auto opened = open_key_store(store, Unlock::with_passphrase("correct horse battery stapl"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), make_error_code(key_store_errc::cannot_open));
  EXPECT_NE(opened.error().message().find("passphrase"), std::string::npos);
}

TEST_F(KeyStoreTest, AnAlteredFileDoesNotOpen) {
  ASSERT_TRUE(save_key_store(store, sample(), passphrase, KdfCost::interactive()));
  const auto original = file_bytes(store);
  // A flipped bit anywhere: the header (bound as associated data) or the sealed payload.
  for (const std::size_t at : {std::size_t{7}, std::size_t{30}, original.size() - 1}) {
    auto altered = original;
    altered[at] ^= 0x01;
    const auto copy = dir / ("altered-" + std::to_string(at));
    std::ofstream(copy, std::ios::binary)
        .write(reinterpret_cast<const char*>(altered.data()),
               static_cast<std::streamsize>(altered.size()));
    EXPECT_FALSE(open_key_store(copy, passphrase)) << "bit flipped at " << at;
  }
  auto cut = original;
  cut.resize(20);
  std::ofstream(dir / "cut", std::ios::binary)
      .write(reinterpret_cast<const char*>(cut.data()), static_cast<std::streamsize>(cut.size()));
  EXPECT_EQ(open_key_store(dir / "cut", passphrase).error(),
            make_error_code(key_store_errc::damaged));
}

TEST_F(KeyStoreTest, AnExistingStoreIsNeverOverwrittenAndShortPassphrasesAreRefused) {
  ASSERT_TRUE(save_key_store(store, sample(), passphrase, KdfCost::interactive()));
  const auto before = file_bytes(store);
  EXPECT_EQ(save_key_store(store, sample(), passphrase, KdfCost::interactive()).error(),
            make_error_code(key_store_errc::exists));
  EXPECT_EQ(file_bytes(store), before);
  EXPECT_EQ(save_key_store(dir / "other", sample(), Unlock::with_passphrase("kort"),
                           KdfCost::interactive())
                .error(),
            make_error_code(key_store_errc::weak_passphrase));
}

TEST_F(KeyStoreTest, AKeyFileOpensItsStoreAndNoOther) {
  ASSERT_TRUE(create_key_file(dir / "device.key"));
  ASSERT_TRUE(create_key_file(dir / "other.key"));
  const auto key = Unlock::with_key_file(dir / "device.key");
  ASSERT_TRUE(key);
  const auto secrets = sample();
  ASSERT_TRUE(save_key_store(store, secrets, *key));
  const auto opened = open_key_store(store, *Unlock::with_key_file(dir / "device.key"));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->signing.public_key(), secrets.signing.public_key());
  EXPECT_EQ(open_key_store(store, *Unlock::with_key_file(dir / "other.key")).error(),
            make_error_code(key_store_errc::cannot_open));
  EXPECT_EQ(open_key_store(store, passphrase).error(), make_error_code(key_store_errc::cannot_open))
      << "a passphrase does not open a key-file store";
}

}  // namespace
}  // namespace draaischijf::client
