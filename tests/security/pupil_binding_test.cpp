// The pupil pseudonym is not the sender's word (security issue item 9): it is derived with the
// organisation's pupil key from the organisation's own reference, and that key reaches a device
// only in a box the organisation signed. These tests hold the derivation and the box; the
// envelope's own checks (pupil_missing, pupil_mismatch) are in envelope_test.cpp.

#include <gtest/gtest.h>

#include <draaischijf/protocol/pupil.hpp>

#include "protocol_parties.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;

TEST(PupilBindingTest, ThePseudonymFollowsTheOrganisationsKeyAndReference) {
  const TestOrg clb;
  const TestOrg other_clb;
  const auto key = PupilKey::of_organisation(clb.key);
  const auto a = bind_pupil(key, "dossier-2016-0042").value();
  // The same organisation derives the same pseudonym on every device and every day...
  EXPECT_EQ(
      pupil_pseudonym(a),
      pupil_pseudonym(bind_pupil(PupilKey::of_organisation(clb.key), "dossier-2016-0042").value()));
  // ...another reference or another organisation's key gives another one, so a hub that knows
  // references (or guesses them) cannot recompute them without the key.
  EXPECT_NE(pupil_pseudonym(a), pupil_pseudonym(bind_pupil(key, "dossier-2016-0043").value()));
  EXPECT_NE(pupil_pseudonym(a),
            pupil_pseudonym(
                bind_pupil(PupilKey::of_organisation(other_clb.key), "dossier-2016-0042").value()));
  EXPECT_NE(a.salt, hash256("draaischijf/pupil-salt/v1", {}));
}

TEST(PupilBindingTest, ReferencesAreBoundedAndDisplaySafe) {
  const TestOrg clb;
  const auto key = PupilKey::of_organisation(clb.key);
  for (const std::string& bad : {std::string(), std::string(129, 'a'), std::string("a\nb"),
                                 std::string("a\x1b[2Jb"), std::string("a\u202Eb")}) {
    EXPECT_EQ(bind_pupil(key, bad).error(), make_error_code(errc::field_out_of_range)) << bad;
  }
  EXPECT_TRUE(bind_pupil(key, std::string(128, 'a')));
}

TEST(PupilBindingTest, OnlyAggregatedDataNeedsNoPupil) {
  for (const auto& entry : data_categories()) {
    CategorySet one;
    one.add(entry.value);
    EXPECT_EQ(names_a_pupil(one), entry.value != DataCategory::geaggregeerd) << entry.name;
  }
}

class PupilKeyBoxTest : public ::testing::Test {
 protected:
  TestOrg clb;
  Id device_id = random_id();
  age::X25519Identity device_key = age::X25519Identity::generate();
  PupilKey key = PupilKey::of_organisation(clb.key);

  std::vector<std::uint8_t> box_for(const Id& device, const SigningKey& signer) const {
    return seal_pupil_key(key, clb.id, device, device_key.public_key(), signer);
  }
  Result<PupilKey> open_box(std::span<const std::uint8_t> box) const {
    return open_pupil_key(box, clb.id, device_id, device_key, clb.key.public_key());
  }
};

TEST_F(PupilKeyBoxTest, TheDeviceOpensTheBoxItsOrganisationSigned) {
  const auto box = box_for(device_id, clb.key);
  EXPECT_EQ(box.size(), kPupilKeyBoxSize);
  const auto opened = open_box(box);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(pupil_pseudonym(bind_pupil(*opened, "dossier-1").value()),
            pupil_pseudonym(bind_pupil(key, "dossier-1").value()));
}

TEST_F(PupilKeyBoxTest, ABoxTheHubMadeIsRefused) {
  // Anyone can seal a box to the device's public key: the hub would then know the key and could
  // test guessed references against every pseudonym. Only the organisation's signature counts.
  const auto forged = box_for(device_id, SigningKey::generate());
  EXPECT_EQ(open_box(forged).error(), make_error_code(errc::signature_invalid));
}

TEST_F(PupilKeyBoxTest, ABoxForAnotherDeviceIsRefused) {
  const auto theirs = box_for(random_id(), clb.key);
  EXPECT_EQ(open_box(theirs).error(), make_error_code(errc::signature_invalid));
}

TEST_F(PupilKeyBoxTest, EveryAlteredByteIsRefused) {
  const auto box = box_for(device_id, clb.key);
  for (std::size_t i = 0; i < box.size(); ++i) {
    auto altered = box;
    altered[i] ^= 0x01;
    EXPECT_FALSE(open_box(altered)) << "byte " << i;
  }
  EXPECT_FALSE(open_box(std::span(box).first(box.size() - 1)));
}

}  // namespace
}  // namespace draaischijf::testing
