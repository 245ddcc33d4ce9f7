// Importing the operator's directory bundle into a device's trust: verified under the pinned
// operator key, never older than the last import, a changed key only on request, and names
// that could drive a terminal pinned spelt out.

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::client {
namespace {

using protocol::SigningKey;

class BundleImportTest : public ::testing::Test {
 protected:
  void SetUp() override { trust.set_policy_key(operator_key.public_key()); }
  std::vector<std::uint8_t> bundle(std::uint64_t sequence, const std::string& caw_name = "CAW",
                                   const SigningKey* signer = nullptr) const {
    protocol::DirectoryBundle b{sequence, 1, {}};
    b.organisations.push_back({clb, protocol::OrgType::clb, "CLB", clb_key.public_key()});
    b.organisations.push_back({caw, protocol::OrgType::caw, caw_name, caw_key.public_key()});
    return protocol::sign_directory_bundle(b, signer ? *signer : operator_key).value();
  }
  TrustFile imported(std::span<const std::uint8_t> bytes, bool accept = false) const {
    auto plan = plan_bundle_import(trust, bytes).value();
    return apply_bundle_import(trust, plan, accept).value();
  }

  SigningKey operator_key = SigningKey::generate();
  SigningKey clb_key = SigningKey::generate();
  SigningKey caw_key = SigningKey::generate();
  protocol::Id clb = protocol::random_id();
  protocol::Id caw = protocol::random_id();
  TrustFile trust;
};

TEST_F(BundleImportTest, PinsEveryOrganisationAndRecordsTheSequence) {
  const auto plan = plan_bundle_import(trust, bundle(3)).value();
  EXPECT_EQ(plan.count(BundleEntryState::added), 2U);
  trust = imported(bundle(3));
  ASSERT_NE(trust.find(caw), nullptr);
  EXPECT_EQ(trust.find(caw)->key, caw_key.public_key());
  EXPECT_EQ(trust.bundle_sequence(), 3U);
  // The sequence survives the trust file.
  EXPECT_EQ(TrustFile::parse(trust.to_text()).value().bundle_sequence(), 3U);
  // The same bundle again changes nothing.
  EXPECT_EQ(plan_bundle_import(trust, bundle(3)).value().count(BundleEntryState::unchanged), 2U);
}

TEST_F(BundleImportTest, WithoutAPinnedOperatorKeyOrUnderAnotherKeyNothingIsTrusted) {
  const auto impostor = SigningKey::generate();
  EXPECT_EQ(plan_bundle_import(trust, bundle(1, "CAW", &impostor)).error(),
            client_errc::bundle_untrusted);
  EXPECT_EQ(plan_bundle_import(TrustFile{}, bundle(1)).error(), client_errc::bundle_untrusted);
  EXPECT_EQ(plan_bundle_import(trust, std::vector<std::uint8_t>{'D', 'R'}).error(),
            client_errc::bundle_invalid);
}

TEST_F(BundleImportTest, AnOlderBundleIsRefused) {
  trust = imported(bundle(5));
  EXPECT_EQ(plan_bundle_import(trust, bundle(4)).error(), client_errc::bundle_rollback);
  // A plan made before a newer import cannot be applied after it either.
  TrustFile before;
  before.set_policy_key(operator_key.public_key());
  const auto stale = plan_bundle_import(before, bundle(4)).value();
  EXPECT_EQ(apply_bundle_import(trust, stale, true).error(), client_errc::bundle_rollback);
}

TEST_F(BundleImportTest, AChangedKeyIsRefusedUnlessAccepted) {
  const auto earlier = SigningKey::generate();
  ASSERT_TRUE(trust.pin({caw, earlier.public_key(), "CAW"}));
  const auto plan = plan_bundle_import(trust, bundle(2)).value();
  ASSERT_EQ(plan.count(BundleEntryState::changed), 1U);
  const auto changed = std::find_if(plan.entries.begin(), plan.entries.end(), [](const auto& e) {
    return e.first == BundleEntryState::changed;
  });
  EXPECT_EQ(changed->second.pinned_fingerprint, fingerprint(earlier.public_key()));
  EXPECT_EQ(changed->second.fingerprint, fingerprint(caw_key.public_key()));
  EXPECT_EQ(apply_bundle_import(trust, plan, false).error(), client_errc::bundle_key_changed);
  EXPECT_EQ(trust.find(caw)->key, earlier.public_key());  // nothing applied
  EXPECT_EQ(apply_bundle_import(trust, plan, true).value().find(caw)->key, caw_key.public_key());
}

TEST_F(BundleImportTest, ANameThatCouldReorderOrBreakALineIsPinnedSpeltOut) {
  // A right-to-left mark and a line separator pass the bundle's text check (no control, no
  // bidi override) but not the trust file's.
  const std::string hostile =
      "CAW \xe2\x80\x8f"
      "evil\xe2\x80\xa8org 00";
  trust = imported(bundle(1, hostile));
  const auto& name = trust.find(caw)->name;
  EXPECT_TRUE(protocol::is_display_safe(name));
  EXPECT_EQ(name.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_NE(name.find("\\u{200f}evil\\u{2028}org 00"), std::string::npos) << name;
  // The trust file stays one line per pin.
  EXPECT_EQ(TrustFile::parse(trust.to_text()).value().organisations().size(), 2U);
  // A bidi override does not even parse: the whole bundle is refused.
  EXPECT_EQ(plan_bundle_import(trust, bundle(2, "CAW \xe2\x80\xae")).error(),
            client_errc::bundle_invalid);
}

}  // namespace
}  // namespace draaischijf::client
