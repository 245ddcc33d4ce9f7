// Format v2 of the operator's directory bundle: the removal list is signed with the rest, comes
// back exactly, is canonical (ascending ids, known reasons, no id in both lists), and a version 1
// bundle still opens.

#include <gtest/gtest.h>

#include <draaischijf/protocol/directory_bundle.hpp>

namespace draaischijf::protocol {
namespace {

class DirectoryBundleRemovalTest : public ::testing::Test {
 protected:
  DirectoryBundle bundle() const {
    DirectoryBundle b{4, 1'800'000'000'000, {}};
    b.organisations.push_back({kept, OrgType::clb, "CLB", SigningKey::generate().public_key()});
    b.removals.push_back({gone, 1'790'000'000'000, RemovalReason::merged});
    b.removals.push_back({also_gone, 1'795'000'000'000, RemovalReason::key_compromised});
    return b;
  }
  SigningKey operator_key = SigningKey::generate();
  Id kept = random_id();
  Id gone = random_id();
  Id also_gone = random_id();
};

TEST_F(DirectoryBundleRemovalTest, TheRemovalListRoundTripsInIdOrder) {
  const auto bytes = sign_directory_bundle(bundle(), operator_key).value();
  EXPECT_EQ(bytes[4], 2);  // the version byte
  const auto opened = open_directory_bundle(bytes, operator_key.public_key()).value();
  EXPECT_EQ(opened.version, 2);
  ASSERT_EQ(opened.removals.size(), 2U);
  EXPECT_TRUE(opened.removals[0].org_id < opened.removals[1].org_id);
  for (const auto& r : opened.removals) {
    EXPECT_EQ(r.reason, r.org_id == gone ? RemovalReason::merged : RemovalReason::key_compromised);
    EXPECT_EQ(r.removed_at_ms, r.org_id == gone ? 1'790'000'000'000U : 1'795'000'000'000U);
  }
  // Canonical: signing what was opened gives the same bytes but the signature (Ed25519 is
  // deterministic, so those too).
  EXPECT_EQ(sign_directory_bundle(opened, operator_key).value(), bytes);
}

// Each byte of the removal list is signed: the last removal's reason, its time and its id.
TEST_F(DirectoryBundleRemovalTest, ATamperedRemovalListFailsTheSignature) {
  const auto bytes = sign_directory_bundle(bundle(), operator_key).value();
  const std::size_t reason = bytes.size() - 64 - 1;
  for (const std::size_t at : {reason, reason - 1, reason - 8 - 1}) {
    auto tampered = bytes;
    // Another known reason code; a time or id one bit off (the ids stay in order).
    tampered[at] =
        static_cast<std::uint8_t>(at == reason ? (tampered[at] == 1 ? 2 : 1) : tampered[at] ^ 0x01);
    EXPECT_EQ(open_directory_bundle(tampered, operator_key.public_key()).error(),
              errc::signature_invalid)
        << at;
  }
  // Dropping the whole list (count 0) is caught by the signature as well.
  auto dropped = std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 64 - 2 * (16 + 8 + 1));
  dropped[dropped.size() - 1] = 0;
  dropped[dropped.size() - 2] = 0;
  dropped.insert(dropped.end(), bytes.end() - 64, bytes.end());
  EXPECT_EQ(open_directory_bundle(dropped, operator_key.public_key()).error(),
            errc::signature_invalid);
}

TEST_F(DirectoryBundleRemovalTest, AVersionOneBundleStillOpens) {
  auto b = bundle();
  b.removals.clear();
  b.version = kDirectoryBundleVersionWithoutRemovals;
  const auto bytes = sign_directory_bundle(b, operator_key).value();
  EXPECT_EQ(bytes[4], 1);
  const auto opened = open_directory_bundle(bytes, operator_key.public_key()).value();
  EXPECT_EQ(opened.version, 1);
  EXPECT_TRUE(opened.removals.empty());
  ASSERT_EQ(opened.organisations.size(), 1U);
  // Version 1 has no removal list: removals cannot be signed into it.
  auto with_removals = bundle();
  with_removals.version = kDirectoryBundleVersionWithoutRemovals;
  EXPECT_EQ(sign_directory_bundle(with_removals, operator_key).error(), errc::field_out_of_range);
}

TEST_F(DirectoryBundleRemovalTest, AnIdInBothListsOrAnUnknownReasonIsRefused) {
  auto both = bundle();
  both.removals.push_back({kept, 1, RemovalReason::ceased});
  EXPECT_EQ(sign_directory_bundle(both, operator_key).error(), errc::field_out_of_range);
  auto unknown = bundle();
  unknown.removals[0].reason = static_cast<RemovalReason>(9);
  EXPECT_EQ(sign_directory_bundle(unknown, operator_key).error(), errc::field_out_of_range);
  auto twice = bundle();
  twice.removals.push_back(twice.removals[0]);
  EXPECT_EQ(sign_directory_bundle(twice, operator_key).error(), errc::field_out_of_range);
}

TEST_F(DirectoryBundleRemovalTest, ReasonNamesRoundTrip) {
  for (const auto reason :
       {RemovalReason::ceased, RemovalReason::merged, RemovalReason::key_compromised,
        RemovalReason::left_network, RemovalReason::other}) {
    EXPECT_EQ(parse_removal_reason(name_of(reason)), reason);
  }
  EXPECT_FALSE(parse_removal_reason("bored"));
  EXPECT_EQ(removal_reason_names(), "ceased, merged, key-compromised, left-network, other");
}

}  // namespace
}  // namespace draaischijf::protocol
