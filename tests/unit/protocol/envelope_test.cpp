#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "envelope_internal.hpp"
#include "protocol_parties.hpp"
#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using testing::pattern_bytes;

constexpr std::uint64_t kNowMs = testing::kPartiesNowMs;
constexpr std::uint64_t kNow = testing::kPartiesNow;
using Org = testing::TestOrg;
using Device = testing::TestDevice;

testing::TestMailbox make_mailbox(const Org& org, std::uint32_t epoch = 0) {
  return testing::make_test_mailbox(org, epoch);
}
Device make_device(const Org& org, const SigningKey& issuer, StaffRole role) {
  return testing::make_test_device(org, issuer, role);
}

class EnvelopeTest : public ::testing::Test {
 protected:
  Org clb;
  Org caw;
  Device sender = make_device(clb, clb.key, StaffRole::clb_maatschappelijk_werker);
  testing::TestMailbox intake = make_mailbox(caw);
  testing::TestMailbox onthaal = make_mailbox(clb);
  MailboxKeyring caw_keys;
  TrustStore trust;

  void SetUp() override {
    caw_keys.add(intake.certificate.mailbox_id, 0, mailbox_identity(intake.seed));
    trust.add(clb.id, clb.key.public_key());
  }

  static Draft draft_of(std::size_t size) {
    Draft d;
    d.kind = MessageKind::doorverwijzing;
    d.purpose = Purpose::doorverwijzing;
    d.consent_reference = random_id();
    d.pupil = PupilBinding{"dossier-7", hash256("test/pupil-salt", {})};
    d.thread_id = random_id();
    d.fragments.push_back({DataCategory::psychisch_sociaal,
                           GuidanceDomain::psychisch_en_sociaal_functioneren, "text/plain",
                           SecretBytes::copy_of(pattern_bytes(size))});
    return d;
  }

  // Adds an attachment descriptor with the reference fragment that gives it its category.
  static void attach(Draft& d, const Id& id) {
    AttachmentDescriptor a;
    a.id = id;
    a.key = SecretKey<32>::random();
    a.media_type = "application/pdf";
    a.file_name = "verslag.pdf";
    d.fragments.push_back({DataCategory::verslag, GuidanceDomain::none,
                           std::string(kAttachmentReferenceMediaType), SecretBytes::copy_of(a.id)});
    d.attachments.push_back(std::move(a));
  }

  // A sender that writes the outer attachment list itself, whatever the descriptors inside.
  std::vector<std::uint8_t> seal_listing(const Draft& d, std::vector<Id> listed) {
    CategorySet categories;
    for (const Fragment& f : d.fragments) {
      categories.add(f.category);
    }
    const MailboxEpochCertificate recipients[] = {intake.certificate};
    std::vector<std::uint8_t> envelope;
    const auto sealed = detail::seal_with_labels(
        d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs,
        {categories, pupil_pseudonym(*d.pupil), std::move(listed)}, envelope);
    EXPECT_TRUE(sealed) << sealed.error().message();
    return envelope;
  }

  std::vector<std::uint8_t> seal_to_both(const Draft& d, std::uint64_t sequence = 1) {
    const MailboxEpochCertificate recipients[] = {intake.certificate, onthaal.certificate};
    auto sealed = seal(d, {sender.certificate, sender.signing_key, sequence}, recipients, kNowMs);
    EXPECT_TRUE(sealed) << sealed.error().message();
    return sealed.value();
  }

  std::vector<std::uint8_t> referral(std::size_t size = 2048) {
    return seal_to_both(draft_of(size));
  }

  errc open_error(std::span<const std::uint8_t> envelope) {
    auto opened = open(envelope, caw_keys, trust);
    if (opened) {
      ADD_FAILURE() << "envelope opened although it should not";
      return errc{};
    }
    EXPECT_EQ(&opened.error().category(), &protocol_category()) << opened.error().message();
    return static_cast<errc>(opened.error().value());
  }
};

TEST_F(EnvelopeTest, RecipientOpensAndVerifiesEverything) {
  Draft d = draft_of(2048);
  const Id thread = d.thread_id;
  AttachmentDescriptor a;
  a.id = random_id();
  a.key = SecretKey<32>::random();
  a.ciphertext_size = 12345;
  a.ciphertext_hash[0] = 0xAA;
  a.media_type = "application/pdf";
  a.file_name = "verslag intake €.pdf";
  const auto key_copy = SecretKey<32>::copy_of(a.key.expose());
  d.fragments.push_back({DataCategory::verslag, GuidanceDomain::none,
                         std::string(kAttachmentReferenceMediaType), SecretBytes::copy_of(a.id)});
  d.attachments.push_back(std::move(a));
  const auto envelope = seal_to_both(d, 42);
  auto opened = open(envelope, caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->outer.kind, MessageKind::doorverwijzing);
  EXPECT_EQ(opened->outer.sender_org, clb.id);
  EXPECT_TRUE(opened->outer.categories.contains(DataCategory::psychisch_sociaal));
  EXPECT_EQ(opened->sender.device_id, sender.certificate.device_id);
  EXPECT_EQ(opened->sequence, 42U);
  EXPECT_EQ(opened->thread_id, thread);
  ASSERT_EQ(opened->fragments.size(), 2U);  // the text and the attachment's reference
  const auto expected = pattern_bytes(2048);
  EXPECT_TRUE(std::equal(opened->fragments[0].body.begin(), opened->fragments[0].body.end(),
                         expected.begin(), expected.end()));
  ASSERT_EQ(opened->attachments.size(), 1U);
  EXPECT_EQ(opened->attachments[0].file_name, "verslag intake €.pdf");
  EXPECT_TRUE(opened->attachments[0].key.ct_equal(key_copy));
  EXPECT_EQ(opened->attachments[0].ciphertext_size, 12345U);
  // A reply links to this envelope by its hash.
  Draft reply = draft_of(10);
  reply.thread_id = thread;
  reply.previous_hash = envelope_hash(envelope);
  const auto answer = seal_to_both(reply, 43);
  const auto opened_answer = open(answer, caw_keys, trust);
  ASSERT_TRUE(opened_answer);
  EXPECT_EQ(opened_answer->previous_hash, envelope_hash(envelope));
  EXPECT_EQ(opened_answer->thread_id, thread);
  // Moving the opened envelope keeps the fragment views pointing at live plaintext.
  const OpenedEnvelope moved = std::move(*opened);
  EXPECT_TRUE(std::equal(moved.fragments[0].body.begin(), moved.fragments[0].body.end(),
                         expected.begin(), expected.end()));
}

TEST_F(EnvelopeTest, FiveMebibytePayloadRoundTrips) {
  const auto envelope = referral(5 * 1024 * 1024);
  auto opened = open(envelope, caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  const auto expected = pattern_bytes(5 * 1024 * 1024);
  EXPECT_TRUE(std::equal(opened->fragments[0].body.begin(), opened->fragments[0].body.end(),
                         expected.begin(), expected.end()));
}

TEST_F(EnvelopeTest, HubSeesLabelsButNoContent) {
  Draft d = draft_of(0);
  const std::string canary = "CANARY-plaintext-7f3a91";
  d.fragments[0].body = SecretBytes::copy_of(testing::view_of(canary));
  const auto envelope = seal_to_both(d);
  const std::string_view wire(reinterpret_cast<const char*>(envelope.data()), envelope.size());
  EXPECT_EQ(wire.find(canary), std::string_view::npos);
  const auto parsed = parse_envelope(envelope);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->outer.recipients.size(), 2U);
  EXPECT_EQ(parsed->outer.recipients[0].mailbox_id, intake.certificate.mailbox_id);
  EXPECT_EQ(parsed->outer.consent_reference, d.consent_reference);
  EXPECT_EQ(parsed->inner_size % kInnerPadding, 0U);
}

TEST_F(EnvelopeTest, WrongRecipientIsRefused) {
  MailboxKeyring other;
  other.add(random_id(), 0, age::X25519Identity::generate());
  const auto opened = open(referral(), other, trust);
  EXPECT_EQ(opened.error(), errc::not_a_recipient);
}

TEST_F(EnvelopeTest, WrongKeyForTheListedMailboxIsRefused) {
  MailboxKeyring wrong;
  wrong.add(intake.certificate.mailbox_id, 0, age::X25519Identity::generate());
  EXPECT_EQ(open(referral(), wrong, trust).error(), errc::stanza_does_not_open);
}

TEST_F(EnvelopeTest, MissingEpochKeyIsReportedAsSuch) {
  MailboxKeyring later;
  later.add(intake.certificate.mailbox_id, 1, age::X25519Identity::generate());
  EXPECT_EQ(open(referral(), later, trust).error(), errc::unknown_epoch);
}

TEST_F(EnvelopeTest, EveryTamperedOuterLabelBreaksTheSignature) {
  const auto envelope = referral();
  // created_at, kind, purpose, categories, attestations (its highest and lowest byte), consent
  // reference, pupil pseudonym (offsets from the spec, 7.1).
  for (const std::size_t offset : {29U, 47U, 49U, 53U, 54U, 57U, 58U, 74U}) {
    auto tampered = envelope;
    tampered[offset] ^= 0x01;
    EXPECT_EQ(open_error(tampered), errc::signature_invalid) << "offset " << offset;
  }
}

TEST_F(EnvelopeTest, TamperedSenderOrganisationIsCaught) {
  auto tampered = referral();
  tampered[30] ^= 0x01;
  EXPECT_EQ(open_error(tampered), errc::sender_mismatch);
}

TEST_F(EnvelopeTest, TamperedAgeHeaderFailsItsMac) {
  const auto envelope = referral();
  const auto parsed = parse_envelope(envelope).value();
  // Change one character of the share of the second stanza (the CLB's own mailbox), which the
  // CAW does not use: only the header MAC can notice.
  const std::size_t header_at = parsed.outer_bytes.size();
  const std::string header(parsed.age_header.begin(), parsed.age_header.end());
  const std::size_t second = header.find("-> X25519 ", header.find("-> X25519 ") + 1);
  ASSERT_NE(second, std::string::npos);
  auto tampered = envelope;
  auto& c = tampered[header_at + second + 12];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(open_error(tampered), errc::age_header_mac_mismatch);
}

TEST_F(EnvelopeTest, SwappedBodyFailsTheKeyCommitment) {
  const auto first = referral(1000);
  const auto second = referral(1000);
  const auto p1 = parse_envelope(first).value();
  const auto p2 = parse_envelope(second).value();
  ASSERT_EQ(p1.body.size(), p2.body.size());
  std::vector<std::uint8_t> swapped(p1.outer_bytes.begin(), p1.outer_bytes.end());
  swapped.insert(swapped.end(), p2.body.begin(), p2.body.end());
  EXPECT_EQ(open_error(swapped), errc::key_commitment_mismatch);
}

TEST_F(EnvelopeTest, StanzaWrappingAnotherFileKeyFailsTheKeyCommitment) {
  // A sender gives the CAW a different file key than the CLB copy, with a header MAC that is
  // valid under the CAW's key: without the commitment both would read "the same" message
  // differently (invisible salamanders).
  const auto envelope = referral();
  const auto parsed = parse_envelope(envelope).value();
  const auto other_key = age::FileKey::random();
  std::vector<age::Stanza> stanzas = parsed.header.stanzas;
  stanzas[0] = age::wrap_x25519(other_key, {intake.certificate.mailbox_key});
  std::vector<std::uint8_t> header;
  age::serialize_header(stanzas, other_key, header);
  ASSERT_EQ(header.size(), parsed.age_header.size());
  auto forged = envelope;
  std::copy(header.begin(), header.end(),
            forged.begin() + static_cast<std::ptrdiff_t>(parsed.outer_bytes.size()));
  EXPECT_EQ(open_error(forged), errc::key_commitment_mismatch);
}

TEST_F(EnvelopeTest, StaleAndUnknownEpochsAreRefused) {
  const auto outer = parse_envelope(referral()).value().outer;
  const Id intake_id = intake.certificate.mailbox_id;
  const Id onthaal_id = onthaal.certificate.mailbox_id;
  const RecipientMailbox current[] = {{intake_id, 0}, {onthaal_id, 0}};
  EXPECT_TRUE(check_recipient_epochs(outer, current));
  const RecipientMailbox rotated[] = {{intake_id, 1}, {onthaal_id, 0}};
  EXPECT_EQ(check_recipient_epochs(outer, rotated).error(), errc::stale_epoch);
  const RecipientMailbox missing[] = {{onthaal_id, 0}};
  EXPECT_EQ(check_recipient_epochs(outer, missing).error(), errc::unknown_epoch);
}

TEST_F(EnvelopeTest, CertificateFromAnUntrustedKeyIsRefused) {
  const SigningKey rogue = SigningKey::generate();
  const Device impostor = make_device(clb, rogue, StaffRole::clb_arts);
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  const auto envelope =
      seal(draft_of(100), {impostor.certificate, impostor.signing_key, 1}, recipients, kNowMs);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(open_error(*envelope), errc::certificate_untrusted);
}

TEST_F(EnvelopeTest, SignatureByAKeyTheCertificateDoesNotNameIsRefused) {
  const SigningKey uncertified = SigningKey::generate();
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  const auto envelope =
      seal(draft_of(100), {sender.certificate, uncertified, 1}, recipients, kNowMs);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(open_error(*envelope), errc::signature_invalid);
}

TEST_F(EnvelopeTest, ExpiredSenderCertificateIsRefused) {
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  const auto envelope = seal(draft_of(100), {sender.certificate, sender.signing_key, 1}, recipients,
                             (kNow + 7200) * 1000);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(open_error(*envelope), errc::certificate_expired);
}

TEST_F(EnvelopeTest, SealingToAnEpochOutsideItsWindowIsRefused) {
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  const Sender from{sender.certificate, sender.signing_key, 1};
  const auto after = (intake.certificate.not_after + 1) * 1000;
  EXPECT_EQ(seal(draft_of(100), from, recipients, after).error(), errc::epoch_expired);
  const auto before = (intake.certificate.not_before - 1) * 1000;
  EXPECT_EQ(seal(draft_of(100), from, recipients, before).error(), errc::epoch_not_yet_valid);
}

TEST_F(EnvelopeTest, LabelsThatDoNotMatchTheContentAreRefused) {
  CategorySet declared;
  declared.add(DataCategory::handelingsgericht_advies);  // claims advice, carries psychosocial
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  std::vector<std::uint8_t> envelope;
  const Draft draft = draft_of(100);
  ASSERT_TRUE(detail::seal_with_labels(draft, {sender.certificate, sender.signing_key, 1},
                                       recipients, kNowMs,
                                       {declared, pupil_pseudonym(*draft.pupil), {}}, envelope));
  EXPECT_EQ(open_error(envelope), errc::label_mismatch);
}

TEST_F(EnvelopeTest, TruncatedAndExtendedEnvelopesAreRefused) {
  const auto envelope = referral();
  const auto parsed = parse_envelope(envelope).value();
  for (const std::size_t keep : {std::size_t{0}, std::size_t{3}, std::size_t{50},
                                 parsed.outer_bytes.size(), envelope.size() - 1}) {
    const auto result = parse_envelope(std::span(envelope).first(keep));
    EXPECT_EQ(result.error(), errc::truncated) << "kept " << keep;
  }
  auto extended = envelope;
  extended.push_back(0);
  EXPECT_EQ(parse_envelope(extended).error(), errc::trailing_data);
}

TEST_F(EnvelopeTest, BodyLengthThatCutsThePayloadIsRefused) {
  // Shorten the body consistently (length field and bytes): the payload no longer ends on a
  // whole inner part.
  auto envelope = referral();
  const auto parsed = parse_envelope(envelope).value();
  const std::size_t length_at = parsed.outer_bytes.size() - 4;
  envelope.pop_back();
  const auto body = static_cast<std::uint32_t>(parsed.body.size() - 1);
  for (std::size_t i = 0; i < 4; ++i) {
    envelope[length_at + i] = static_cast<std::uint8_t>(body >> (8 * (3 - i)));
  }
  EXPECT_EQ(parse_envelope(envelope).error(), errc::non_canonical);
}

TEST_F(EnvelopeTest, StructuralErrorsHaveSpecificCodes) {
  const auto envelope = referral();
  auto magic = envelope;
  magic[0] = 'X';
  EXPECT_EQ(parse_envelope(magic).error(), errc::bad_magic);
  auto version = envelope;
  version[4] = 9;
  EXPECT_EQ(parse_envelope(version).error(), errc::unsupported_version);
  auto suite = envelope;
  suite[5] = 9;
  EXPECT_EQ(parse_envelope(suite).error(), errc::unsupported_suite);
  auto kind = envelope;
  kind[46] = 0xFF;
  EXPECT_EQ(parse_envelope(kind).error(), errc::field_out_of_range);
  // Attestations are bytes 54..57, big-endian: byte 54 holds bits 24..31; bit 24 is the last
  // known code, 25 and above are refused.
  for (const std::uint8_t high : {std::uint8_t{0x02}, std::uint8_t{0x80}}) {
    auto attestation = envelope;
    attestation[54] |= high;
    EXPECT_EQ(parse_envelope(attestation).error(), errc::field_out_of_range) << int{high};
  }
  auto last_known = envelope;
  last_known[54] |= 0x01;
  EXPECT_TRUE(parse_envelope(last_known));  // parses; only the signature (open) catches it
}

TEST_F(EnvelopeTest, SealRefusesBadDrafts) {
  const MailboxEpochCertificate one[] = {intake.certificate};
  const Sender who{sender.certificate, sender.signing_key, 1};
  Draft empty = draft_of(10);
  empty.fragments.clear();
  EXPECT_EQ(seal(empty, who, one, kNowMs).error(), errc::field_out_of_range);
  EXPECT_EQ(seal(draft_of(10), who, {}, kNowMs).error(), errc::no_recipients);
  const MailboxEpochCertificate twice[] = {intake.certificate, intake.certificate};
  EXPECT_EQ(seal(draft_of(10), who, twice, kNowMs).error(), errc::duplicate_recipient);
  std::vector<MailboxEpochCertificate> many(kMaxRecipients + 1, intake.certificate);
  EXPECT_EQ(seal(draft_of(10), who, many, kNowMs).error(), errc::too_many_recipients);
  Draft bad_name = draft_of(10);
  AttachmentDescriptor a;
  a.file_name = "evil\x1b[2Jname.pdf";
  bad_name.attachments.push_back(std::move(a));
  EXPECT_EQ(seal(bad_name, who, one, kNowMs).error(), errc::field_out_of_range);
}

TEST_F(EnvelopeTest, SealIntoReusesTheCallersBufferAndGivesAnOpenableEnvelope) {
  std::vector<std::uint8_t> buffer(10, 0xEE);
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  ASSERT_TRUE(seal_into(draft_of(3000), {sender.certificate, sender.signing_key, 1}, recipients,
                        kNowMs, buffer));
  EXPECT_NE(buffer[0], 0xEE);  // cleared, not appended to
  EXPECT_TRUE(open(buffer, caw_keys, trust));
  Draft bad = draft_of(1);
  bad.fragments.clear();
  EXPECT_EQ(seal_into(bad, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs, buffer)
                .error(),
            errc::field_out_of_range);
}

TEST_F(EnvelopeTest, ManyFragmentsAndAttachmentsSpanningChunkBoundariesRoundTrip) {
  // Fragment bodies are sealed in place; chunks that straddle several pieces are assembled.
  Draft d = draft_of(70000);
  for (std::uint32_t i = 0; i < 40; ++i) {
    d.fragments.push_back({DataCategory::handelingsgericht_advies, GuidanceDomain::none,
                           "text/plain", SecretBytes::copy_of(pattern_bytes(3000 + i * 977, i))});
  }
  d.fragments.push_back({DataCategory::contact, GuidanceDomain::none, "text/plain", SecretBytes()});
  const auto envelope = seal_to_both(d);
  auto opened = open(envelope, caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->fragments.size(), 42U);
  for (std::uint32_t i = 0; i < 40; ++i) {
    const auto expected = pattern_bytes(3000 + i * 977, i);
    const auto body = opened->fragments[i + 1].body;
    EXPECT_TRUE(std::equal(body.begin(), body.end(), expected.begin(), expected.end())) << i;
  }
  EXPECT_TRUE(opened->fragments[41].body.empty());
}

TEST_F(EnvelopeTest, AnOlderEpochOfOneMailboxDoesNotHideAnotherMailboxWeCanOpen) {
  // Listed first: intake, whose epoch 0 this keyring lacks; second: onthaal, which it holds.
  MailboxKeyring keys;
  keys.add(intake.certificate.mailbox_id, 1, age::X25519Identity::generate());
  keys.add(onthaal.certificate.mailbox_id, 0, mailbox_identity(onthaal.seed));
  EXPECT_TRUE(open(referral(), keys, trust));
}

TEST_F(EnvelopeTest, MalformedStanzaOfAnyRecipientIsRefusedAtParse) {
  // The stock age tool refuses a whole file for one bad stanza, so the hub must too.
  auto envelope = referral();
  const auto parsed = parse_envelope(envelope).value();
  const std::string header(parsed.age_header.begin(), parsed.age_header.end());
  const std::size_t second = header.find("-> X25519 ", header.find("-> X25519 ") + 1);
  // The share is 43 base64 characters; '-' is outside the alphabet.
  envelope[parsed.outer_bytes.size() + second + 10] = '-';
  EXPECT_EQ(parse_envelope(envelope).error(), errc::recipient_stanza_mismatch);
}

TEST_F(EnvelopeTest, SmallOrderMailboxKeyIsRefusedBeforeSealing) {
  MailboxEpochCertificate broken = intake.certificate;
  broken.mailbox_key = {};  // the identity point: every shared secret would be zero
  EXPECT_EQ(
      seal(draft_of(10), {sender.certificate, sender.signing_key, 1}, {&broken, 1}, kNowMs).error(),
      errc::field_out_of_range);
  age::PublicKey zero{};
  const auto text = age::X25519Recipient{zero}.to_string();
  EXPECT_EQ(age::X25519Recipient::parse(text).error(), errc::field_out_of_range);
}

TEST_F(EnvelopeTest, FileNamesWithC1ControlsOrBidiOverridesAreRefused) {
  const MailboxEpochCertificate one[] = {intake.certificate};
  for (const char* name : {"rapport\xc2\x9b"
                           "2J.pdf",
                           "rapport\xe2\x80\xae"
                           "fdp.exe"}) {
    Draft d = draft_of(10);
    AttachmentDescriptor a;
    a.file_name = name;
    d.attachments.push_back(std::move(a));
    EXPECT_EQ(seal(d, {sender.certificate, sender.signing_key, 1}, one, kNowMs).error(),
              errc::field_out_of_range)
        << name;
  }
}

TEST_F(EnvelopeTest, WorkedExampleLayoutOfSection72) {
  // 0 approvals, 0 attachments, 2 recipients, the smallest inner part: PROTOCOL.md 7.2 byte for
  // byte.
  Draft d = draft_of(100);
  d.message_id = random_id();
  d.attestations = 0x01000021;  // codes 0, 5 and 24
  const auto envelope = seal_to_both(d);
  const auto parsed = parse_envelope(envelope).value();
  const auto at = [&](std::size_t offset, std::size_t size) {
    return std::vector<std::uint8_t>(envelope.begin() + static_cast<std::ptrdiff_t>(offset),
                                     envelope.begin() + static_cast<std::ptrdiff_t>(offset + size));
  };
  const auto bytes = [](const auto& field) {
    return std::vector<std::uint8_t>(field.begin(), field.end());
  };
  EXPECT_EQ(at(0, 6), (std::vector<std::uint8_t>{'D', 'R', 'S', 'J', 3, 1}));
  EXPECT_EQ(at(6, 16), bytes(d.message_id));
  EXPECT_EQ(at(30, 16), bytes(clb.id));
  EXPECT_EQ(at(46, 4), (std::vector<std::uint8_t>{0, 3, 0, 2}));     // doorverwijzing, twice
  EXPECT_EQ(at(50, 4), (std::vector<std::uint8_t>{0, 0, 0, 0x80}));  // psychisch_sociaal (7)
  EXPECT_EQ(at(54, 4), (std::vector<std::uint8_t>{0x01, 0x00, 0x00, 0x21}));
  EXPECT_EQ(at(58, 16), bytes(d.consent_reference));
  EXPECT_EQ(at(74, 32), bytes(pupil_pseudonym(*d.pupil)));
  EXPECT_EQ(envelope[106], 0);  // approval count
  EXPECT_EQ(envelope[107], 0);  // attachment count
  EXPECT_EQ(envelope[108], 2);  // recipient count
  EXPECT_EQ(at(109, 16), bytes(intake.certificate.mailbox_id));
  EXPECT_EQ(at(125, 4), (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(at(129, 16), bytes(onthaal.certificate.mailbox_id));
  EXPECT_EQ(at(149, 32), bytes(parsed.outer.key_commitment));
  EXPECT_EQ(at(181, 4), (std::vector<std::uint8_t>{0x00, 0x00, 0x11, 0x2A}));  // 4,394
  EXPECT_EQ(parsed.outer_bytes.size(), 185U);  // B = 145 + 16a + 16b + 20r
  EXPECT_EQ(parsed.age_header.size(), 266U);   // 70 + 98r, at 185..450
  EXPECT_EQ(envelope[403], '-');               // the MAC line starts at 403
  EXPECT_EQ(parsed.inner_size, 4096U);
  EXPECT_EQ(envelope.size(), 4579U);
}

TEST_F(EnvelopeTest, ApprovalReferencesShiftTheRecipientsBySixteenBytesEach) {
  Draft d = draft_of(10);
  d.message_id = random_id();  // fixed before asking for approval
  const Id low{1};
  const Id high{2};
  for (const Id& id : {high, low}) {  // the sealer sorts them
    ApprovalStatement statement =
        approval_statement(d, clb.id, std::vector<Id>{intake.certificate.mailbox_id}, kNowMs);
    statement.approval_id = id;
    d.approvals.push_back(sign_approval(statement, sender.certificate, sender.signing_key).value());
  }
  const auto envelope = seal_to_both(d);
  const auto parsed = parse_envelope(envelope).value();
  EXPECT_EQ(parsed.outer_bytes.size(), 145U + 2 * 16 + 2 * 20);
  EXPECT_EQ(envelope[106], 2);
  EXPECT_EQ(envelope[107], 1);  // first byte of the lower id
  EXPECT_EQ(envelope[123], 2);
  EXPECT_EQ(envelope[139], 0);  // attachment count
  EXPECT_EQ(envelope[140], 2);  // recipient count
  EXPECT_EQ(parsed.outer.approvals, (std::vector<Id>{low, high}));
}

TEST_F(EnvelopeTest, AttestationsRoundTripThroughSealParseAndOpen) {
  Draft d = draft_of(10);
  d.attestations = (1U << 5) | (1U << 24);  // verontrusting, gc_teamoverleg
  const auto envelope = seal_to_both(d);
  EXPECT_EQ(parse_envelope(envelope).value().outer.attestations, d.attestations);
  const auto opened = open(envelope, caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->outer.attestations, d.attestations);
}

TEST_F(EnvelopeTest, SealRefusesUnknownAttestations) {
  static_assert(known_attestations((1U << kAttestationCount) - 1));
  static_assert(!known_attestations(1U << kAttestationCount));
  const MailboxEpochCertificate one[] = {intake.certificate};
  Draft d = draft_of(10);
  d.attestations = 1U << kAttestationCount;
  EXPECT_EQ(seal(d, {sender.certificate, sender.signing_key, 1}, one, kNowMs).error(),
            errc::field_out_of_range);
}

TEST_F(EnvelopeTest, DraftMessageIdIsKeptAndAZeroOneIsDrawnFresh) {
  Draft d = draft_of(10);
  d.message_id = random_id();
  EXPECT_EQ(parse_envelope(seal_to_both(d)).value().outer.message_id, d.message_id);
  d.message_id = {};
  const Id first = parse_envelope(seal_to_both(d)).value().outer.message_id;
  const Id second = parse_envelope(seal_to_both(d)).value().outer.message_id;
  EXPECT_FALSE(is_zero(first));
  EXPECT_NE(first, second);
}

TEST_F(EnvelopeTest, PayloadBitFlipIsCaught) {
  auto envelope = referral(100000);
  envelope[envelope.size() - 100] ^= 0x80;
  EXPECT_EQ(open_error(envelope), errc::age_payload_corrupt);
}

// --- envelope v2: what the pupil label and the file names must be ----------------------------

TEST_F(EnvelopeTest, PupilCategoriesWithoutAPupilAreRefusedBySealerAndParser) {
  Draft d = draft_of(10);
  d.pupil.reset();
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  EXPECT_EQ(seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs).error(),
            errc::pupil_missing);
  // A sender that writes the labels itself is refused by the hub's parser and the recipient.
  std::vector<std::uint8_t> envelope;
  CategorySet psychosocial;
  psychosocial.add(DataCategory::psychisch_sociaal);
  ASSERT_TRUE(detail::seal_with_labels(d, {sender.certificate, sender.signing_key, 1}, recipients,
                                       kNowMs, {psychosocial, {}, {}}, envelope));
  EXPECT_EQ(parse_envelope(envelope).error(), errc::pupil_missing);
  EXPECT_EQ(open_error(envelope), errc::pupil_missing);
  // Aggregated figures are about no one pupil: no pseudonym needed.
  d.fragments[0].category = DataCategory::geaggregeerd;
  EXPECT_TRUE(seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs));
}

TEST_F(EnvelopeTest, APseudonymThatIsNotThePupilInsideIsRefused) {
  const Draft d = draft_of(10);
  const MailboxEpochCertificate recipients[] = {intake.certificate};
  CategorySet psychosocial;
  psychosocial.add(DataCategory::psychisch_sociaal);
  // The consent of another pupil: the label names them, the content names this one.
  const auto other = PupilBinding{"dossier-8", d.pupil->salt};
  std::vector<std::uint8_t> envelope;
  ASSERT_TRUE(detail::seal_with_labels(d, {sender.certificate, sender.signing_key, 1}, recipients,
                                       kNowMs, {psychosocial, pupil_pseudonym(other), {}},
                                       envelope));
  EXPECT_TRUE(parse_envelope(envelope));  // the hub cannot tell
  EXPECT_EQ(open_error(envelope), errc::pupil_mismatch);
  // The honest envelope opens with the pupil named inside.
  const auto opened = open(seal_to_both(d), caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->pupil, d.pupil);
  EXPECT_EQ(opened->outer.pupil_pseudonym, pupil_pseudonym(*d.pupil));
}

TEST_F(EnvelopeTest, FileNamesThatDisguiseThemselvesAreRefused) {
  for (const std::string& name :
       {std::string("verslag\u2028.pdf"), std::string("verslag\u202Efdp.exe"),
        std::string("a\u200Eb.pdf"), std::string("a\u061Cb.pdf"), std::string("a\u2029b")}) {
    Draft d = draft_of(10);
    AttachmentDescriptor a;
    a.id = random_id();
    a.media_type = "application/pdf";
    a.file_name = name;
    d.fragments.push_back({DataCategory::verslag, GuidanceDomain::none,
                           std::string(kAttachmentReferenceMediaType), SecretBytes::copy_of(a.id)});
    d.attachments.push_back(std::move(a));
    const MailboxEpochCertificate recipients[] = {intake.certificate};
    EXPECT_EQ(seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs).error(),
              errc::field_out_of_range)
        << name;
  }
}

// --- envelope v3: the attachment blob ids in the outer labels -------------------------------

TEST_F(EnvelopeTest, OuterAttachmentListRoundTripsInAscendingOrder) {
  Draft d = draft_of(10);
  const Id low{1};
  const Id middle{2};
  const Id high{3};
  for (const Id& id : {middle, high, low}) {  // the sealer sorts them
    attach(d, id);
  }
  const auto envelope = seal_to_both(d);
  const auto parsed = parse_envelope(envelope).value();
  EXPECT_EQ(parsed.outer.attachments, (std::vector<Id>{low, middle, high}));
  // After the (empty) approval list: the count, then the ids; the recipients follow them.
  EXPECT_EQ(envelope[107], 3);
  EXPECT_EQ(envelope[108], 1);
  EXPECT_EQ(envelope[124], 2);
  EXPECT_EQ(envelope[140], 3);
  EXPECT_EQ(envelope[156], 2);  // recipient count
  EXPECT_EQ(parsed.outer_bytes.size(), 145U + 3 * 16 + 2 * 20);
  auto tampered = envelope;
  tampered[110] ^= 0x01;  // still an ascending list: only the signature tells
  EXPECT_EQ(open_error(tampered), errc::signature_invalid);
  const auto opened = open(envelope, caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->outer.attachments, parsed.outer.attachments);
  EXPECT_EQ(opened->attachments.size(), 3U);
  // Without attachments the list is empty and still written (its count is zero).
  EXPECT_TRUE(parse_envelope(referral()).value().outer.attachments.empty());
}

TEST_F(EnvelopeTest, AnOuterAttachmentListThatDiffersFromTheDescriptorsIsRefusedOnOpen) {
  Draft d = draft_of(10);
  const Id first{1};
  const Id second{2};
  attach(d, first);
  attach(d, second);
  ASSERT_TRUE(open(seal_listing(d, {first, second}), caw_keys, trust)) << "the honest list";
  const std::vector<std::pair<const char*, std::vector<Id>>> lies = {
      {"one left out: its recipients could not download it", {first}},
      {"none listed", {}},
      {"a blob the descriptors do not carry: granted behind the recipients' backs",
       {first, second, Id{9}}},
      {"another blob in place of one", {first, Id{9}}},
  };
  for (const auto& [what, listed] : lies) {
    const auto envelope = seal_listing(d, listed);
    EXPECT_TRUE(parse_envelope(envelope)) << what << ": the hub cannot tell";
    EXPECT_EQ(open_error(envelope), errc::attachment_list_mismatch) << what;
  }
  // A list of blobs for a message without attachments is refused too.
  EXPECT_EQ(open_error(seal_listing(draft_of(10), {first})), errc::attachment_list_mismatch);
  static_assert(static_cast<int>(errc::attachment_list_mismatch) == 45, "values are stable");
}

TEST_F(EnvelopeTest, TheOuterAttachmentListIsAnAscendingSetOfAtMostSixtyFour) {
  const Draft d = draft_of(10);
  EXPECT_EQ(parse_envelope(seal_listing(d, {Id{2}, Id{1}})).error(), errc::non_canonical);
  EXPECT_EQ(parse_envelope(seal_listing(d, {Id{1}, Id{1}})).error(), errc::non_canonical);
  std::vector<Id> many;
  for (std::uint8_t i = 1; i <= kMaxAttachments + 1; ++i) {
    many.push_back(Id{i});
  }
  EXPECT_EQ(parse_envelope(seal_listing(d, many)).error(), errc::field_out_of_range);
  many.pop_back();
  EXPECT_TRUE(parse_envelope(seal_listing(d, many))) << "64 ids parse";
  // The public sealer never writes two descriptors under one id.
  Draft twice = draft_of(10);
  attach(twice, Id{7});
  attach(twice, Id{7});
  const MailboxEpochCertificate one[] = {intake.certificate};
  EXPECT_EQ(seal(twice, {sender.certificate, sender.signing_key, 1}, one, kNowMs).error(),
            errc::non_canonical);
}

// PROTOCOL.md 7.15: a v2 envelope has no attachment list, so the hub could not grant its blobs
// by policy; it is refused like v1, and a v3 outer part under version byte 2 is refused too.
TEST_F(EnvelopeTest, VersionTwoIsRefusedLikeVersionOne) {
  std::ifstream in(
      std::string(DRAAISCHIJF_SOURCE_DIR) + "/tests/vectors/envelope/v2-referral-with-attachment",
      std::ios::binary);
  const std::vector<std::uint8_t> v2{std::istreambuf_iterator<char>(in), {}};
  ASSERT_GT(v2.size(), 4000U);
  ASSERT_EQ(v2[4], 2);
  EXPECT_EQ(parse_envelope(v2).error(), errc::unsupported_version);
  EXPECT_EQ(open_error(v2), errc::unsupported_version);
  for (const std::uint8_t version : {std::uint8_t{1}, std::uint8_t{2}}) {
    auto relabelled = referral();
    relabelled[4] = version;
    EXPECT_EQ(parse_envelope(relabelled).error(), errc::unsupported_version) << int{version};
  }
}

}  // namespace
}  // namespace draaischijf::protocol
