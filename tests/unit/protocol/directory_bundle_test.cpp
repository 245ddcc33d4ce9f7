// The operator's signed directory bundle: what is signed comes back exactly, and a bundle that
// another key signed, that changed by one byte or that is not canonical is refused.

#include <gtest/gtest.h>

#include <draaischijf/protocol/directory_bundle.hpp>

namespace draaischijf::protocol {
namespace {

DirectoryBundle sample() {
  DirectoryBundle bundle{7, 1'800'000'000'000, {}};
  const Id clb = random_id();
  bundle.organisations.push_back({clb,
                                  OrgType::clb,
                                  "CLB Waas en Dender",
                                  SigningKey::generate().public_key(),
                                  Province::oost_vlaanderen,
                                  "Sint-Niklaas",
                                  {},
                                  std::nullopt});
  bundle.organisations.push_back({random_id(),
                                  OrgType::school,
                                  "Basisschool De Regenboog",
                                  SigningKey::generate().public_key(),
                                  Province::oost_vlaanderen,
                                  "Lokeren",
                                  {},
                                  clb});
  bundle.organisations.push_back({random_id(),
                                  OrgType::caw,
                                  "CAW Oost-Vlaanderen",
                                  SigningKey::generate().public_key(),
                                  std::nullopt,
                                  "",
                                  {Offer::caw_jac, Offer::caw_intake},
                                  std::nullopt});
  return bundle;
}

TEST(DirectoryBundleTest, RoundTripsEveryFieldUnderTheOperatorKey) {
  const auto operator_key = SigningKey::generate();
  const auto bundle = sample();
  const auto bytes = sign_directory_bundle(bundle, operator_key).value();
  const auto opened = open_directory_bundle(bytes, operator_key.public_key()).value();
  EXPECT_EQ(opened.sequence, 7U);
  EXPECT_EQ(opened.created_at_ms, 1'800'000'000'000U);
  ASSERT_EQ(opened.organisations.size(), 3U);
  for (const auto& original : bundle.organisations) {
    const auto it = std::find_if(opened.organisations.begin(), opened.organisations.end(),
                                 [&](const auto& o) { return o.org_id == original.org_id; });
    ASSERT_NE(it, opened.organisations.end());
    EXPECT_EQ(it->type, original.type);
    EXPECT_EQ(it->name, original.name);
    EXPECT_EQ(it->signing_key, original.signing_key);
    EXPECT_EQ(it->province, original.province);
    EXPECT_EQ(it->municipality, original.municipality);
    EXPECT_EQ(it->clb, original.clb);
    if (original.type == OrgType::caw) {
      EXPECT_EQ(it->offers, (std::vector{Offer::caw_intake, Offer::caw_jac}));  // sorted
    }
  }
}

TEST(DirectoryBundleTest, ABundleSignedByAnotherKeyIsRefused) {
  const auto operator_key = SigningKey::generate();
  const auto impostor = SigningKey::generate();
  const auto bytes = sign_directory_bundle(sample(), impostor).value();
  EXPECT_EQ(open_directory_bundle(bytes, operator_key.public_key()).error(),
            errc::signature_invalid);
}

TEST(DirectoryBundleTest, EveryChangedByteIsRefused) {
  const auto operator_key = SigningKey::generate();
  const auto bytes = sign_directory_bundle(sample(), operator_key).value();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto tampered = bytes;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(open_directory_bundle(tampered, operator_key.public_key())) << "byte " << i;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(open_directory_bundle(longer, operator_key.public_key()));
  EXPECT_FALSE(
      open_directory_bundle(std::span(bytes).first(bytes.size() - 1), operator_key.public_key()));
}

TEST(DirectoryBundleTest, ARepeatedOrganisationIsNeverSigned) {
  auto bundle = sample();
  bundle.organisations.push_back(bundle.organisations.front());
  EXPECT_EQ(sign_directory_bundle(bundle, SigningKey::generate()).error(),
            errc::field_out_of_range);
}

TEST(DirectoryBundleTest, ANameWithAControlCharacterDoesNotParseEvenWhenSigned) {
  const auto operator_key = SigningKey::generate();
  auto bundle = sample();
  bundle.organisations[0].name = "CLB\x1b]52;c;Zm9v\x07";
  const auto bytes = sign_directory_bundle(bundle, operator_key).value();
  EXPECT_EQ(open_directory_bundle(bytes, operator_key.public_key()).error(), errc::non_canonical);
}

}  // namespace
}  // namespace draaischijf::protocol
