#include <gtest/gtest.h>

#include <draaischijf/protocol/epoch.hpp>

namespace draaischijf::protocol {
namespace {

struct MailboxChain {
  SigningKey org_key = SigningKey::generate();
  Id mailbox_id = random_id();
  Id org_id = random_id();
  std::vector<EpochSeed> seeds;
  std::vector<MailboxEpochCertificate> certificates;
  std::vector<std::vector<std::uint8_t>> previous_boxes;  // [n] boxes seed n-1 under seed n

  void rotate() {
    MailboxEpochCertificate c;
    c.mailbox_id = mailbox_id;
    c.org_id = org_id;
    c.epoch = static_cast<std::uint32_t>(seeds.size());
    seeds.push_back(EpochSeed::random());
    c.mailbox_key = mailbox_identity(seeds.back()).public_key();
    if (c.epoch > 0) {
      c.previous_certificate = certificate_hash(certificates.back());
      previous_boxes.push_back(
          seal_previous_seed(seeds.back(), mailbox_id, c.epoch, seeds[c.epoch - 1]));
    } else {
      previous_boxes.emplace_back();
    }
    certificates.push_back(issue(c, org_key));
  }
};

TEST(EpochTest, MemberDeviceOpensItsSeedBox) {
  MailboxChain chain;
  chain.rotate();
  const auto device = age::X25519Identity::generate();
  const auto box =
      seal_seed_to_device(chain.seeds[0], chain.mailbox_id, 0, device.public_key()).value();
  EXPECT_EQ(box.size(), kSeedBoxSize);
  const auto seed = open_seed_box(box, device, chain.certificates[0]);
  ASSERT_TRUE(seed);
  EXPECT_TRUE(seed->ct_equal(chain.seeds[0]));
}

TEST(EpochTest, AnotherDeviceCannotOpenTheSeedBox) {
  MailboxChain chain;
  chain.rotate();
  const auto member = age::X25519Identity::generate();
  const auto outsider = age::X25519Identity::generate();
  const auto box =
      seal_seed_to_device(chain.seeds[0], chain.mailbox_id, 0, member.public_key()).value();
  EXPECT_EQ(open_seed_box(box, outsider, chain.certificates[0]).error(), errc::seed_box_invalid);
}

TEST(EpochTest, ASeedThatDoesNotDeriveTheCertifiedKeyIsRefused) {
  // Anyone can write a sealed box: a hub could box its own seed to a device.
  MailboxChain chain;
  chain.rotate();
  const auto device = age::X25519Identity::generate();
  const auto forged_seed = EpochSeed::random();
  const auto box =
      seal_seed_to_device(forged_seed, chain.mailbox_id, 0, device.public_key()).value();
  EXPECT_EQ(open_seed_box(box, device, chain.certificates[0]).error(),
            errc::seed_does_not_match_certificate);
}

TEST(EpochTest, ASeedBoxForAnotherEpochIsRefused) {
  MailboxChain chain;
  chain.rotate();
  chain.rotate();
  const auto device = age::X25519Identity::generate();
  const auto box =
      seal_seed_to_device(chain.seeds[0], chain.mailbox_id, 0, device.public_key()).value();
  EXPECT_EQ(open_seed_box(box, device, chain.certificates[1]).error(), errc::seed_box_invalid);
}

TEST(EpochTest, NewestSeedWalksBackThroughTheWholeHistory) {
  MailboxChain chain;
  for (int i = 0; i < 5; ++i) {
    chain.rotate();
  }
  EpochSeed seed = EpochSeed::copy_of(chain.seeds.back().expose());
  for (std::size_t epoch = chain.seeds.size() - 1; epoch > 0; --epoch) {
    auto previous = open_previous_seed(chain.previous_boxes[epoch], seed, chain.certificates[epoch],
                                       chain.certificates[epoch - 1]);
    ASSERT_TRUE(previous) << "epoch " << epoch << ": " << previous.error().message();
    EXPECT_TRUE(previous->ct_equal(chain.seeds[epoch - 1]));
    seed = std::move(*previous);
  }
}

TEST(EpochTest, AnOldSeedCannotOpenANewerEpoch) {
  // A member removed before epoch 2 holds seeds 0 and 1 only; neither opens the box of epoch 2.
  MailboxChain chain;
  chain.rotate();
  chain.rotate();
  chain.rotate();
  EXPECT_EQ(open_previous_seed(chain.previous_boxes[2], chain.seeds[1], chain.certificates[2],
                               chain.certificates[1])
                .error(),
            errc::epoch_chain_broken);
  EXPECT_FALSE(
      ct_equal(mailbox_identity(chain.seeds[1]).public_key(), chain.certificates[2].mailbox_key));
}

TEST(EpochTest, SmallOrderDeviceKeyGetsNoSeedBox) {
  X25519PublicKey identity_point{};  // the all-zero point has order 1
  EXPECT_EQ(seal_seed_to_device(EpochSeed::random(), random_id(), 0, identity_point).error(),
            errc::field_out_of_range);
}

TEST(EpochTest, MailboxIdentityIsAnAgeIdentity) {
  const auto seed = EpochSeed::random();
  const auto identity = mailbox_identity(seed);
  const auto again = mailbox_identity(seed);
  EXPECT_EQ(identity.public_key(), again.public_key());
  const auto recipient = identity.recipient();
  const std::vector<std::uint8_t> message = {'h', 'i'};
  const auto file = age::encrypt(message, {&recipient, 1});
  const auto opened = age::decrypt(file, {&identity, 1});
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->size(), 2U);
}

}  // namespace
}  // namespace draaischijf::protocol
