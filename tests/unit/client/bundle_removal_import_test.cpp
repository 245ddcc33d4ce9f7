// Importing a v2 directory bundle that lists removed organisations: each pinned one is unpinned
// and recorded as removed (it can never be pinned again), one not pinned is noted, an older
// bundle is still refused, a v1 bundle still imports, and a removal list changed after signing
// is not trusted.

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/directory_bundle.hpp>

namespace draaischijf::client {
namespace {

using protocol::RemovalReason;
using protocol::SigningKey;

class BundleRemovalImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trust.set_policy_key(operator_key.public_key());
    ASSERT_TRUE(trust.pin({caw, caw_key.public_key(), "CAW Oost"}));
  }
  std::vector<std::uint8_t> bundle(std::uint64_t sequence, bool remove_caw,
                                   std::uint8_t version = protocol::kDirectoryBundleVersion) const {
    protocol::DirectoryBundle b{sequence, 1, {}};
    b.version = version;
    b.organisations.push_back({clb, protocol::OrgType::clb, "CLB", clb_key.public_key()});
    if (remove_caw) {
      b.removals.push_back({caw, 1'800'000'000'000, RemovalReason::ceased});
      b.removals.push_back({never_pinned, 1'700'000'000'000, RemovalReason::merged});
    } else {
      b.organisations.push_back({caw, protocol::OrgType::caw, "CAW", caw_key.public_key()});
    }
    return protocol::sign_directory_bundle(b, operator_key).value();
  }

  SigningKey operator_key = SigningKey::generate();
  SigningKey clb_key = SigningKey::generate();
  SigningKey caw_key = SigningKey::generate();
  protocol::Id clb = protocol::random_id();
  protocol::Id caw = protocol::random_id();
  protocol::Id never_pinned = protocol::random_id();
  TrustFile trust;
};

TEST_F(BundleRemovalImportTest, ARemovedOrganisationIsUnpinnedAndNeverPinnedAgain) {
  const auto plan = plan_bundle_import(trust, bundle(2, true)).value();
  ASSERT_EQ(plan.removals.size(), 2U);
  const auto& pinned = plan.removals[0].removal.org_id == caw ? plan.removals[0] : plan.removals[1];
  const auto& other = plan.removals[0].removal.org_id == caw ? plan.removals[1] : plan.removals[0];
  EXPECT_TRUE(pinned.pinned);
  EXPECT_EQ(pinned.name, "CAW Oost");
  EXPECT_EQ(pinned.fingerprint, fingerprint(caw_key.public_key()));
  EXPECT_EQ(pinned.removal.reason, "ceased");
  EXPECT_FALSE(other.pinned);  // noted, nothing to unpin
  EXPECT_TRUE(other.name.empty());

  trust = apply_bundle_import(trust, plan, false).value();
  EXPECT_EQ(trust.find(caw), nullptr);
  ASSERT_NE(trust.removal(caw), nullptr);
  EXPECT_EQ(trust.removal(caw)->removed_at_ms, 1'800'000'000'000U);
  ASSERT_NE(trust.removal(never_pinned), nullptr);
  ASSERT_NE(trust.find(clb), nullptr);
  // The removal survives the trust file, and the id is never pinned again, by hand or by an
  // (impossible) later bundle that lists it again.
  trust = TrustFile::parse(trust.to_text()).value();
  ASSERT_NE(trust.removal(caw), nullptr);
  EXPECT_EQ(trust.pin({caw, caw_key.public_key(), "CAW"}).error(),
            client_errc::organisation_removed);
  EXPECT_EQ(trust.replace({caw, caw_key.public_key(), "CAW"}).error(),
            client_errc::organisation_removed);
  const auto relisted = plan_bundle_import(trust, bundle(3, false)).value();
  EXPECT_EQ(apply_bundle_import(trust, relisted, true).error(), client_errc::organisation_removed);
}

TEST_F(BundleRemovalImportTest, AnOlderBundleIsStillRefused) {
  trust =
      apply_bundle_import(trust, plan_bundle_import(trust, bundle(5, true)).value(), false).value();
  EXPECT_EQ(plan_bundle_import(trust, bundle(4, false)).error(), client_errc::bundle_rollback);
}

TEST_F(BundleRemovalImportTest, AVersionOneBundleStillImports) {
  const auto plan = plan_bundle_import(trust, bundle(1, false, 1)).value();
  EXPECT_TRUE(plan.removals.empty());
  trust = apply_bundle_import(trust, plan, false).value();
  EXPECT_NE(trust.find(clb), nullptr);
  EXPECT_NE(trust.find(caw), nullptr);
  EXPECT_EQ(trust.bundle_sequence(), 1U);
}

TEST_F(BundleRemovalImportTest, ARemovalListChangedAfterSigningIsNotTrusted) {
  auto bytes = bundle(2, true);
  // A reason code: ceased (1) <-> merged (2).
  bytes[bytes.size() - 64 - 1] = static_cast<std::uint8_t>(bytes[bytes.size() - 64 - 1] ^ 0x03);
  EXPECT_EQ(plan_bundle_import(trust, bytes).error(), client_errc::bundle_untrusted);
  EXPECT_NE(trust.find(caw), nullptr);
}

TEST_F(BundleRemovalImportTest, AMalformedRemovedLineIsRefused) {
  TrustFileProblem problem;
  EXPECT_FALSE(TrustFile::parse("removed 00 12 ceased\n", &problem));
  EXPECT_EQ(problem.line, 1U);
  const std::string id(32, 'a');
  EXPECT_FALSE(TrustFile::parse("removed " + id + " 12 bored\n"));
  EXPECT_TRUE(TrustFile::parse("removed " + id + " 12 ceased\n"));
}

}  // namespace
}  // namespace draaischijf::client
