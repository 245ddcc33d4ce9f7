// The trust file, fingerprints and the profile settings: what a device pins and how it reads it.

#include <gtest/gtest.h>

#include <draaischijf/client/profile.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "test_support.hpp"

namespace draaischijf::client {
namespace {

TEST(TrustFileTest, RoundTripsOrganisationsAndTheHubKey) {
  const auto clb = protocol::SigningKey::generate();
  const auto hub = protocol::SigningKey::generate();
  TrustFile trust;
  const auto org = protocol::random_id();
  ASSERT_TRUE(trust.pin({org, clb.public_key(), "CLB Waas en Dender"}));
  trust.set_hub_key(hub.public_key());
  const auto parsed = TrustFile::parse(trust.to_text());
  ASSERT_TRUE(parsed);
  ASSERT_NE(parsed->find(org), nullptr);
  EXPECT_EQ(parsed->find(org)->key, clb.public_key());
  EXPECT_EQ(parsed->find(org)->name, "CLB Waas en Dender");
  EXPECT_EQ(parsed->hub_key(), hub.public_key());
  EXPECT_EQ(parsed->find(protocol::random_id()), nullptr);
  // Only an explicit replace changes a pinned key, and never keeps two.
  const auto rotated = protocol::SigningKey::generate();
  ASSERT_TRUE(trust.replace({org, rotated.public_key(), "CLB Waas en Dender"}));
  EXPECT_EQ(trust.organisations().size(), 1U);
  EXPECT_EQ(trust.find(org)->key, rotated.public_key());
}

TEST(TrustFileTest, RoundTripsThePolicyOperatorKey) {
  const auto operator_key = protocol::SigningKey::generate();
  TrustFile trust;
  EXPECT_FALSE(TrustFile::parse(trust.to_text())->policy_key()) << "optional: no pre-check";
  trust.set_policy_key(operator_key.public_key());
  const auto parsed = TrustFile::parse(trust.to_text());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->policy_key(), operator_key.public_key());
  EXPECT_FALSE(parsed->hub_key()) << "the policy key is not the receipt key";
}

TEST(TrustFileTest, AMalformedLineIsRefusedWithItsNumber) {
  const auto key = protocol::base64_encode(protocol::SigningKey::generate().public_key());
  const std::string id(32, 'a');
  for (const std::string& bad :
       {"org " + id + " notbase64! CLB", "org " + id.substr(2) + " " + key + " short id",
        "organisation " + id + " " + key + " unknown kind", "hub " + key.substr(1),
        "policy " + key.substr(2)}) {
    TrustFileProblem problem;
    const auto parsed = TrustFile::parse("# comment\n" + bad + "\n", &problem);
    EXPECT_FALSE(parsed) << bad;
    EXPECT_EQ(problem.line, 2U) << bad;
    EXPECT_FALSE(problem.reason.empty()) << bad;
  }
}

TEST(FingerprintTest, DistinguishesKeysAndIgnoresHowPeopleTypeThem) {
  const auto a = protocol::SigningKey::generate();
  const auto b = protocol::SigningKey::generate();
  const auto print = fingerprint(a.public_key());
  EXPECT_EQ(print.size(), 49U);  // 40 hex digits in ten groups
  EXPECT_NE(print, fingerprint(b.public_key()));
  std::string typed;
  for (const char c : print) {
    if (c != ' ') {
      typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  EXPECT_TRUE(same_fingerprint(print, typed));
  EXPECT_FALSE(same_fingerprint(print, fingerprint(b.public_key())));
  EXPECT_FALSE(same_fingerprint("", ""));
  // A device fingerprint changes when either of its keys does.
  const protocol::X25519PublicKey box_a{1};
  const protocol::X25519PublicKey box_b{2};
  const auto arts = device_fingerprint(a.public_key(), box_a, "clb_arts");
  EXPECT_NE(arts, device_fingerprint(a.public_key(), box_b, "clb_arts"));
  EXPECT_NE(arts, device_fingerprint(b.public_key(), box_a, "clb_arts"));
}

// A hub that relays another role than the device claims (to get a director certified in place
// of the onthaal) changes the fingerprint the admin compares with the one the device shows.
TEST(TrustTest, TheDeviceFingerprintCoversTheClaimedRole) {
  const auto key = protocol::SigningKey::generate();
  const protocol::X25519PublicKey box{7};
  EXPECT_FALSE(same_fingerprint(device_fingerprint(key.public_key(), box, "clb_onthaal"),
                                device_fingerprint(key.public_key(), box, "clb_directeur")));
}

TEST(ProfileTest, SettingsRoundTripAndUnknownSettingsAreRefused) {
  testing::TempDir dir;
  ProfileSettings settings;
  settings.hub = {"hub.example", 9443};
  settings.read_receipts = false;
  ASSERT_TRUE(Profile::create(dir / "p", settings));
  EXPECT_FALSE(Profile::create(dir / "p", settings)) << "an existing profile is not replaced";
  const auto opened = Profile::open(dir / "p");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->settings().hub.host, "hub.example");
  EXPECT_EQ(opened->settings().hub.port, 9443);
  EXPECT_FALSE(opened->settings().read_receipts);
  ASSERT_TRUE(write_file_atomically(dir / "p" / "profile.conf", "hub_host x\nread_reciepts no\n"));
  EXPECT_FALSE(Profile::open(dir / "p")) << "a misspelt setting must not fall back to a default";
  EXPECT_FALSE(parse_hub_address("localhost:0"));
  EXPECT_FALSE(parse_hub_address(":8443"));
  EXPECT_EQ(parse_hub_address("localhost")->port, 8443);
}

}  // namespace
}  // namespace draaischijf::client
