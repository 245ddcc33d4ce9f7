// Checkpoints gossiped inside envelopes (docs/PROTOCOL.md 7.7, inner version 3): carried in the
// signed inner part byte for byte, sorted by origin, refused by the sealer and the parser in
// every malformed shape, and an inner part of version 2 (without them) still opened.

#include <gtest/gtest.h>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/note.hpp>

#include "envelope_internal.hpp"
#include "protocol_parties.hpp"
#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using testing::pattern_bytes;

constexpr std::uint64_t kNowMs = testing::kPartiesNowMs;
constexpr std::string_view kPrefix = "draaischijf-hub/00112233aabbccdd/";

class EnvelopeGossipTest : public ::testing::Test {
 protected:
  testing::TestOrg clb;
  testing::TestOrg caw;
  testing::TestDevice sender =
      testing::make_test_device(clb, clb.key, StaffRole::clb_maatschappelijk_werker);
  testing::TestMailbox intake = testing::make_test_mailbox(caw, 0);
  SigningKey hub = SigningKey::generate();
  MailboxKeyring caw_keys;
  TrustStore trust;

  void SetUp() override {
    caw_keys.add(intake.certificate.mailbox_id, 0, mailbox_identity(intake.seed));
    trust.add(clb.id, clb.key.public_key());
  }

  // A checkpoint of the hub's log `log`, signed as the hub signs it.
  [[nodiscard]] std::string checkpoint(std::string_view log, std::uint64_t size,
                                       std::uint8_t root_byte = 7) const {
    merkle::Hash root{};
    root.fill(root_byte);
    return note::sign_checkpoint(hub, {std::string(kPrefix) + std::string(log), size, root, {}});
  }

  static Draft letter() {
    Draft d;
    d.kind = MessageKind::consultatie;
    d.purpose = Purpose::begeleiding;
    d.thread_id = random_id();
    d.fragments.push_back({DataCategory::geaggregeerd, GuidanceDomain::none, "text/plain",
                           SecretBytes::copy_of(pattern_bytes(300))});
    return d;
  }

  Result<std::vector<std::uint8_t>> seal_letter(std::vector<std::string> checkpoints) {
    Draft d = letter();
    d.checkpoints = std::move(checkpoints);
    const MailboxEpochCertificate recipients[] = {intake.certificate};
    return seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs);
  }

  // A sender that writes the gossip block as it likes (and the inner version it likes).
  std::vector<std::uint8_t> seal_raw(std::vector<std::string> checkpoints,
                                     std::uint8_t inner_version = 3) {
    const Draft d = letter();
    detail::DeclaredLabels labels;
    labels.categories.add(DataCategory::geaggregeerd);
    const MailboxEpochCertificate recipients[] = {intake.certificate};
    std::vector<std::uint8_t> envelope;
    const auto sealed =
        detail::seal_with_labels(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs,
                                 labels, envelope, {std::move(checkpoints), inner_version});
    EXPECT_TRUE(sealed) << sealed.error().message();
    return envelope;
  }

  Result<OpenedEnvelope> open_it(std::span<const std::uint8_t> envelope) const {
    return open(envelope, caw_keys, trust);
  }
};

TEST_F(EnvelopeGossipTest, CheckpointsTravelByteForByteInOriginOrder) {
  const std::string directory = checkpoint("directory", 42);
  const std::string record = checkpoint("record", 7, 9);
  const auto envelope = seal_letter({record, directory});
  ASSERT_TRUE(envelope) << envelope.error().message();
  const auto opened = open_it(*envelope);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->inner_version, 3);
  EXPECT_EQ(opened->checkpoints, (std::vector<std::string>{directory, record}));
}

// The worked size of PROTOCOL.md 7.7: a directory checkpoint of size 42 and a record checkpoint
// of size 7, each with the hub's signature only, are 232 and 225 bytes; the block carrying both
// is 1 + (2 + 232) + (2 + 225) = 462 bytes, the empty block 1 byte, and inner version 2 has none.
TEST_F(EnvelopeGossipTest, TheGossipBlockHasTheSizeOfSection77) {
  const std::string directory = checkpoint("directory", 42);
  const std::string record = checkpoint("record", 7);
  EXPECT_EQ(directory.size(), 232U);
  EXPECT_EQ(record.size(), 225U);
  const auto signed_length = [&](std::span<const std::uint8_t> envelope) {
    const auto opened = open_it(envelope);
    if (!opened) {
      ADD_FAILURE() << opened.error().message();
      return std::uint32_t{0};
    }
    const auto plain = opened->plaintext.expose();
    return std::uint32_t{plain[1]} << 24 | std::uint32_t{plain[2]} << 16 |
           std::uint32_t{plain[3]} << 8 | std::uint32_t{plain[4]};
  };
  const auto both = signed_length(seal_raw({directory, record}));
  const auto none = signed_length(seal_raw({}));
  const auto version_two = signed_length(seal_raw({}, 2));
  EXPECT_EQ(both - none, 461U);
  EXPECT_EQ(none - version_two, 1U);
}

TEST_F(EnvelopeGossipTest, ACheckpointWithWitnessCosignaturesTravelsWhole) {
  auto served = note::parse(checkpoint("directory", 42)).value();
  const auto witness = SigningKey::generate();
  served.signatures.push_back(note::cosign(witness, "witness.test/w1", served.text, 1796601600));
  const std::string cosigned = note::encode(served);
  const auto envelope = seal_letter({cosigned});
  ASSERT_TRUE(envelope) << envelope.error().message();
  const auto opened = open_it(*envelope);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->checkpoints.size(), 1U);
  EXPECT_EQ(opened->checkpoints[0], cosigned);
}

TEST_F(EnvelopeGossipTest, NoCheckpointIsACountOfZero) {
  const auto envelope = seal_letter({});
  ASSERT_TRUE(envelope) << envelope.error().message();
  const auto opened = open_it(*envelope);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->inner_version, 3);
  EXPECT_TRUE(opened->checkpoints.empty());
}

TEST_F(EnvelopeGossipTest, AnInnerPartOfVersionTwoStillOpens) {
  const auto opened = open_it(seal_raw({}, 2));
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->inner_version, 2);
  EXPECT_TRUE(opened->checkpoints.empty());
  ASSERT_EQ(opened->fragments.size(), 1U);
}

TEST_F(EnvelopeGossipTest, AnUnknownInnerVersionIsRefused) {
  for (const std::uint8_t version : {std::uint8_t{1}, std::uint8_t{4}}) {
    const auto opened = open_it(seal_raw({}, version));
    ASSERT_FALSE(opened) << "inner version " << int(version);
    EXPECT_EQ(opened.error(), errc::unsupported_version);
  }
}

TEST_F(EnvelopeGossipTest, TheSealerRefusesWhatNoRecipientWouldParse) {
  const auto three = seal_letter(
      {checkpoint("directory", 1), checkpoint("record", 1), checkpoint("witnessed", 1)});
  ASSERT_FALSE(three);
  EXPECT_EQ(three.error(), errc::field_out_of_range);
  const auto junk = seal_letter({"not a signed note\n"});
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error(), errc::field_out_of_range);
  const auto twice = seal_letter({checkpoint("directory", 1), checkpoint("directory", 2)});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), errc::non_canonical);
}

TEST_F(EnvelopeGossipTest, TheParserRefusesEveryMalformedShape) {
  const std::string directory = checkpoint("directory", 3);
  const std::string record = checkpoint("record", 3);
  const std::string note_not_checkpoint = note::encode(
      {"hello\n", {note::sign(hub, "draaischijf-hub/00112233aabbccdd/directory", "hello\n")}});
  const struct {
    const char* what;
    std::vector<std::string> gossip;
    errc expected;
  } cases[] = {
      {"three checkpoints", {directory, record, checkpoint("zzz", 1)}, errc::field_out_of_range},
      {"an empty text", {std::string()}, errc::field_out_of_range},
      {"a note above 16 KiB", {std::string(note::kMaxNoteSize + 1, 'a')}, errc::field_out_of_range},
      {"not a signed note", {"just text\n"}, errc::non_canonical},
      {"a note that is no checkpoint", {note_not_checkpoint}, errc::non_canonical},
      {"a note in another encoding", {directory + "\n"}, errc::non_canonical},
      {"two of one log", {directory, checkpoint("directory", 4)}, errc::non_canonical},
      {"out of origin order", {record, directory}, errc::non_canonical},
  };
  for (const auto& c : cases) {
    const auto opened = open_it(seal_raw(c.gossip));
    ASSERT_FALSE(opened) << c.what << " was accepted";
    EXPECT_EQ(opened.error(), c.expected) << c.what;
  }
  // The same shapes written well open.
  EXPECT_TRUE(open_it(seal_raw({directory, record})));
}

}  // namespace
}  // namespace draaischijf::protocol
