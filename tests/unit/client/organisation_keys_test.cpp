// The organisation key ceremony on the admin's device: the organisation key store opens only
// with its own unlock and is no device store; the backup opens only with the offline key and a
// doctored one is refused; create_organisation leaves nothing behind when it cannot finish, and
// its request verifies under the key it made.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/protocol/fingerprint.hpp>

#include "test_support.hpp"

namespace draaischijf::client {
namespace {

using protocol::age::X25519Identity;

class OrganisationKeysTest : public ::testing::Test {
 protected:
  OrganisationSecrets sample() const {
    return {protocol::random_id(), protocol::OrgType::caw, "CAW Limburg",
            protocol::SigningKey::generate()};
  }
  NewOrganisation new_organisation() const {
    return {{}, protocol::OrgType::caw, "CAW Limburg", store, dir / "org.age", offline.recipient()};
  }
  testing::TempDir dir;
  std::filesystem::path store = dir / "org.drok";
  const Unlock passphrase = Unlock::with_passphrase("correct horse battery staple");
  const X25519Identity offline = X25519Identity::generate();
};

TEST_F(OrganisationKeysTest, StoreOpensWithItsOwnUnlockOnlyAndIsNoDeviceStore) {
  const auto secrets = sample();
  ASSERT_TRUE(save_organisation_key_store(store, secrets, passphrase, KdfCost::interactive()));
  const auto opened = open_organisation_key_store(store, passphrase);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->org_id, secrets.org_id);
  EXPECT_EQ(opened->type, protocol::OrgType::caw);
  EXPECT_EQ(opened->name, "CAW Limburg");
  EXPECT_EQ(opened->key.public_key(), secrets.key.public_key());
  struct stat info {};
  ASSERT_EQ(::stat(store.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  EXPECT_EQ(open_organisation_key_store(store, Unlock::with_passphrase("another long passphrase"))
                .error(),
            key_store_errc::cannot_open);
  // The same unlock does not make it a device store, nor a device store an organisation store.
  EXPECT_EQ(open_key_store(store, passphrase).error(), key_store_errc::damaged);
  EXPECT_EQ(save_organisation_key_store(store, secrets, passphrase, KdfCost::interactive()).error(),
            key_store_errc::exists);
}

TEST_F(OrganisationKeysTest, BackupOpensWithTheOfflineKeyOnlyAndRefusesADoctoredSeed) {
  const auto secrets = sample();
  const auto backup = organisation_backup(secrets, offline.recipient());
  const auto restored = open_organisation_backup(backup, offline);
  ASSERT_TRUE(restored) << restored.error().message();
  EXPECT_EQ(restored->key.public_key(), secrets.key.public_key());
  EXPECT_EQ(restored->org_id, secrets.org_id);
  EXPECT_FALSE(open_organisation_backup(backup, X25519Identity::generate()));
  // A backup whose seed is not the key it names (written by someone who could encrypt to the
  // offline key, but not from this organisation's key) is refused.
  const std::string doctored =
      "draaischijf organisation key v1\norg_id " + protocol::to_hex(secrets.org_id) +
      "\norg_type caw\nname CAW Limburg\nsigning_key " +
      protocol::base64_encode(secrets.key.public_key()) + "\nsigning_seed " +
      protocol::base64_encode(protocol::SigningKey::generate().expose_seed().expose()) + "\n";
  const auto recipient = offline.recipient();
  const auto sealed = protocol::age::encrypt(testing::view_of(doctored), {&recipient, 1});
  EXPECT_EQ(open_organisation_backup(sealed, offline).error(), key_store_errc::damaged);
}

TEST_F(OrganisationKeysTest, CreateMakesStoreBackupAndAVerifiedRequestOrNothing) {
  const auto request =
      create_organisation(new_organisation(), passphrase, 1'800'000'000, KdfCost::interactive());
  ASSERT_TRUE(request) << request.error().message();
  EXPECT_TRUE(protocol::verify_registration(*request));
  EXPECT_EQ(request->created_at, 1'800'000'000U);
  const auto opened = open_organisation_key_store(store, passphrase).value();
  EXPECT_EQ(opened.key.public_key(), request->signing_key);
  EXPECT_EQ(opened.org_id, request->org_id);
  const auto backup = testing::read_file(dir / "org.age");
  EXPECT_EQ(open_organisation_backup(backup, offline).value().key.public_key(),
            request->signing_key);
  // Nothing is replaced.
  EXPECT_EQ(create_organisation(new_organisation(), passphrase, 1, KdfCost::interactive()).error(),
            key_store_errc::exists);

  // A backup that cannot be written leaves no store behind; an unsafe name makes nothing.
  auto elsewhere = new_organisation();
  elsewhere.store = dir / "second.drok";
  elsewhere.backup = dir / "missing-folder" / "org.age";
  EXPECT_FALSE(create_organisation(elsewhere, passphrase, 1, KdfCost::interactive()));
  EXPECT_FALSE(std::filesystem::exists(elsewhere.store));
  elsewhere.backup = dir / "second.age";
  elsewhere.name = "CAW\nLimburg";
  EXPECT_EQ(create_organisation(elsewhere, passphrase, 1, KdfCost::interactive()).error(),
            client_errc::name_unsafe);
  EXPECT_FALSE(std::filesystem::exists(elsewhere.store));
}

}  // namespace
}  // namespace draaischijf::client
