#include <gtest/gtest.h>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "independent_checks.hpp"
#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using testing::pattern_bytes;

constexpr std::uint64_t kNowMs = 1'800'000'000'000;
constexpr std::uint64_t kNow = kNowMs / 1000;

// Offsets in the approval encoding (PROTOCOL.md 7.12).
constexpr std::size_t kKindAt = 53;
constexpr std::size_t kCategoriesAt = 57;
constexpr std::size_t kAttestationsAt = 61;
constexpr std::size_t kCertificateAt = 153;
constexpr std::size_t kRecipientCountAt = 384;
constexpr std::size_t kRecipientsAt = 385;

struct Org {
  Id id = random_id();
  SigningKey key = SigningKey::generate();
};

struct Device {
  SigningKey signing_key = SigningKey::generate();
  DeviceCertificate certificate;
};

struct Mailbox {
  EpochSeed seed = EpochSeed::random();
  MailboxEpochCertificate certificate;
};

Device make_device(const Org& org, StaffRole role) {
  Device d;
  DeviceCertificate c;
  c.org_id = org.id;
  c.org_type = OrgType::clb;
  c.device_id = random_id();
  c.staff_id = random_id();
  c.role = role;
  c.signing_key = d.signing_key.public_key();
  c.encryption_key = age::X25519Identity::generate().public_key();
  c.not_before = kNow - 3600;
  c.not_after = kNow + 3600;
  d.certificate = issue(c, org.key);
  return d;
}

Mailbox make_mailbox(const Org& org) {
  Mailbox m;
  MailboxEpochCertificate c;
  c.mailbox_id = random_id();
  c.org_id = org.id;
  c.mailbox_key = mailbox_identity(m.seed).public_key();
  c.not_before = kNow - 3600;
  c.not_after = kNow + 3600;
  m.certificate = issue(c, org.key);
  return m;
}

template <class Bytes>
auto at(Bytes& bytes, std::size_t offset) {
  return bytes.begin() + static_cast<std::ptrdiff_t>(offset);
}

errc error_of(const boost::system::error_code& e) {
  EXPECT_EQ(&e.category(), &protocol_category()) << e.message();
  return static_cast<errc>(e.value());
}

class ApprovalTest : public ::testing::Test {
 protected:
  Org clb;
  Org caw;
  Device sender = make_device(clb, StaffRole::clb_psycholoog);
  Device arts = make_device(clb, StaffRole::clb_arts);
  Mailbox intake = make_mailbox(caw);
  Mailbox onthaal = make_mailbox(clb);
  MailboxKeyring caw_keys;
  TrustStore trust;

  void SetUp() override {
    caw_keys.add(intake.certificate.mailbox_id, 0, mailbox_identity(intake.seed));
    trust.add(clb.id, clb.key.public_key());
  }

  // A referral with two fragments and an attachment, its message id fixed before asking.
  static Draft referral() {
    Draft d;
    d.message_id = random_id();
    d.kind = MessageKind::doorverwijzing;
    d.purpose = Purpose::doorverwijzing;
    d.attestations = 1U << 5;  // verontrusting
    d.consent_reference = random_id();
    d.pupil = PupilBinding{"dossier-9", hash256("test/pupil-salt", {})};
    d.thread_id = random_id();
    d.fragments.push_back({DataCategory::psychisch_sociaal,
                           GuidanceDomain::psychisch_en_sociaal_functioneren, "text/plain",
                           SecretBytes::copy_of(pattern_bytes(3000))});
    d.fragments.push_back({DataCategory::diagnostiek, GuidanceDomain::none, "text/markdown",
                           SecretBytes::copy_of(pattern_bytes(70000, 2))});
    AttachmentDescriptor a;
    a.id = random_id();
    a.key = SecretKey<32>::random();
    a.ciphertext_size = 4242;
    a.ciphertext_hash[5] = 0x55;
    a.plaintext_hash[6] = 0x66;
    a.media_type = "application/pdf";
    a.file_name = "verslag €.pdf";
    // An attachment travels with the one reference fragment that gives its category.
    d.fragments.push_back({DataCategory::verslag, GuidanceDomain::none,
                           std::string(kAttachmentReferenceMediaType), SecretBytes::copy_of(a.id)});
    d.attachments.push_back(std::move(a));
    return d;
  }

  [[nodiscard]] std::vector<Id> mailbox_ids() const {
    return {intake.certificate.mailbox_id, onthaal.certificate.mailbox_id};
  }

  [[nodiscard]] ApprovalStatement statement_for(const Draft& d) const {
    const auto mailboxes = mailbox_ids();
    return approval_statement(d, clb.id, mailboxes, kNowMs);
  }

  [[nodiscard]] std::vector<std::uint8_t> approve(const ApprovalStatement& s) const {
    auto signed_approval = sign_approval(s, arts.certificate, arts.signing_key);
    EXPECT_TRUE(signed_approval) << signed_approval.error().message();
    return signed_approval.value();
  }

  std::vector<std::uint8_t> seal_to_both(const Draft& d) {
    const MailboxEpochCertificate recipients[] = {intake.certificate, onthaal.certificate};
    auto sealed = seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kNowMs);
    EXPECT_TRUE(sealed) << sealed.error().message();
    return sealed.value();
  }
};

TEST_F(ApprovalTest, SignParseEncodeVerifyRoundTrip) {
  const Draft d = referral();
  const ApprovalStatement s = statement_for(d);
  const auto bytes = approve(s);
  EXPECT_EQ(bytes.size(), approval_size(2));
  EXPECT_EQ(approval_size(2), 481U);
  const auto parsed = parse_approval(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_TRUE(verify_approval_signature(*parsed));
  // The caller's own step: the embedded certificate against the organisation key.
  EXPECT_TRUE(
      verify(parsed->approver, clb.key.public_key(), parsed->statement.created_at_ms / 1000));
  const ApprovalStatement& p = parsed->statement;
  EXPECT_EQ(p.approval_id, s.approval_id);
  EXPECT_EQ(p.message_id, d.message_id);
  EXPECT_EQ(p.sender_org, clb.id);
  EXPECT_EQ(p.kind, MessageKind::doorverwijzing);
  EXPECT_EQ(p.purpose, Purpose::doorverwijzing);
  EXPECT_TRUE(p.categories.contains(DataCategory::diagnostiek));
  EXPECT_EQ(p.attestations, d.attestations);
  EXPECT_EQ(p.consent_reference, d.consent_reference);
  // 7.14 by hand, not with the library's pupil_pseudonym():
  // BLAKE2b-256("draaischijf/pupil-pseudonym/v1" ‖ 0x00 ‖ salt ‖ reference).
  EXPECT_EQ(p.pupil_pseudonym,
            testing::blake2b_256_domain("draaischijf/pupil-pseudonym/v1",
                                        {d.pupil->salt, testing::view_of(d.pupil->reference)}));
  // The value of content_hash() itself is checked against the independent implementation in
  // tests/vectors (KatVectorsTest.ApprovalContentHashMatches).
  EXPECT_EQ(p.content_hash, content_hash(d));
  EXPECT_EQ(p.created_at_ms, kNowMs);
  auto sorted = mailbox_ids();
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(p.recipients, sorted);
  EXPECT_EQ(parsed->approver.role, StaffRole::clb_arts);
  EXPECT_EQ(parsed->approver.device_id, arts.certificate.device_id);
}

TEST_F(ApprovalTest, EveryByteIsBoundByTheSignature) {
  const auto bytes = approve(statement_for(referral()));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (const std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      auto tampered = bytes;
      tampered[i] ^= flip;
      const auto parsed = parse_approval(tampered);
      EXPECT_FALSE(parsed && verify_approval_signature(*parsed))
          << "byte " << i << " flip " << int{flip};
    }
  }
}

TEST_F(ApprovalTest, ASignatureByAKeyTheCertificateDoesNotNameIsRefused) {
  const auto bytes =
      sign_approval(statement_for(referral()), arts.certificate, SigningKey::generate()).value();
  EXPECT_EQ(verify_approval_signature(parse_approval(bytes).value()).error(),
            errc::signature_invalid);
}

TEST_F(ApprovalTest, TheHubMatchesTheApprovalToTheSealedEnvelope) {
  Draft d = referral();
  const ApprovalStatement s = statement_for(d);
  const auto approval = parse_approval(approve(s)).value();
  d.approvals = {approve(statement_for(d)), approve(s)};
  const auto envelope = seal_to_both(d);
  const auto outer = parse_envelope(envelope).value().outer;
  EXPECT_TRUE(check_approval_matches(approval, outer));
  // Epochs and the recipients' order are not approved: a sender told its epoch is stale seals
  // again, and the approval still holds.
  OuterHeader resealed = outer;
  std::reverse(resealed.recipients.begin(), resealed.recipients.end());
  resealed.recipients[0].epoch = 7;
  EXPECT_TRUE(check_approval_matches(approval, resealed));
}

TEST_F(ApprovalTest, EveryMismatchedLabelIsRefused) {
  Draft d = referral();
  const ApprovalStatement s = statement_for(d);
  const auto approval = parse_approval(approve(s)).value();
  d.approvals = {approve(s)};
  const OuterHeader outer = parse_envelope(seal_to_both(d)).value().outer;
  const std::vector<std::pair<const char*, void (*)(OuterHeader&)>> changes = {
      {"not listed", [](OuterHeader& o) { o.approvals = {random_id()}; }},
      {"message id", [](OuterHeader& o) { o.message_id[0] ^= 1; }},
      {"sender organisation", [](OuterHeader& o) { o.sender_org[0] ^= 1; }},
      {"kind", [](OuterHeader& o) { o.kind = MessageKind::consultatie; }},
      {"purpose", [](OuterHeader& o) { o.purpose = Purpose::verontrusting; }},
      {"categories", [](OuterHeader& o) { o.categories.add(DataCategory::gerechtelijk); }},
      {"attestations", [](OuterHeader& o) { o.attestations |= 1U << 6; }},
      {"no attestations", [](OuterHeader& o) { o.attestations = 0; }},
      {"consent reference", [](OuterHeader& o) { o.consent_reference = {}; }},
      {"pupil pseudonym", [](OuterHeader& o) { o.pupil_pseudonym[31] ^= 1; }},
      {"extra recipient",
       [](OuterHeader& o) {
         o.recipients.push_back({random_id(), 0});
       }},
      {"missing recipient", [](OuterHeader& o) { o.recipients.pop_back(); }},
      {"other recipient", [](OuterHeader& o) { o.recipients[1].mailbox_id[0] ^= 1; }},
  };
  for (const auto& [what, change] : changes) {
    OuterHeader changed = outer;
    change(changed);
    const auto matched = check_approval_matches(approval, changed);
    ASSERT_FALSE(matched) << what;
    EXPECT_EQ(error_of(matched.error()), errc::approval_mismatch) << what;
  }
}

TEST_F(ApprovalTest, AnApproverOfAnotherOrganisationIsRefused) {
  const Device outsider = make_device(caw, StaffRole::partner_verantwoordelijke);
  ApprovalStatement s = statement_for(referral());
  // Signing for another organisation's message is refused outright...
  EXPECT_EQ(sign_approval(s, outsider.certificate, outsider.signing_key).error(),
            errc::sender_mismatch);
  // ...and a forged object pairing them fails verification and matching.
  ParsedApproval forged = parse_approval(approve(s)).value();
  forged.approver = outsider.certificate;
  EXPECT_EQ(verify_approval_signature(forged).error(), errc::sender_mismatch);
  Draft d = referral();
  d.message_id = s.message_id;
  d.approvals = {approve(s)};
  const OuterHeader outer = parse_envelope(seal_to_both(d)).value().outer;
  EXPECT_EQ(check_approval_matches(forged, outer).error(), errc::approval_mismatch);
  // An approval a CAW device gave for its own organisation does not match the CLB's envelope.
  s.sender_org = caw.id;
  const auto theirs =
      parse_approval(sign_approval(s, outsider.certificate, outsider.signing_key).value()).value();
  EXPECT_TRUE(verify_approval_signature(theirs));
  EXPECT_EQ(check_approval_matches(theirs, outer).error(), errc::approval_mismatch);
}

TEST_F(ApprovalTest, ContentHashIsTheSameForSenderAndRecipient) {
  Draft d = referral();
  const ApprovalStatement s = statement_for(d);
  d.approvals = {approve(s)};
  const auto opened = open(seal_to_both(d), caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(content_hash(*opened), s.content_hash);
  EXPECT_EQ(content_hash(*opened), content_hash(d));
  const auto approval = parse_approval(approve(s)).value();
  EXPECT_TRUE(check_approval_matches(approval, opened->outer));
}

TEST_F(ApprovalTest, ContentHashChangesWithTheContent) {
  const Draft d = referral();
  const Hash256 original = content_hash(d);
  const auto changed = [&](auto change) {
    Draft copy = referral();
    copy.thread_id = d.thread_id;
    copy.attachments[0].id = d.attachments[0].id;
    copy.fragments[2].body = SecretBytes::copy_of(d.attachments[0].id);  // its reference
    EXPECT_EQ(content_hash(copy), original);  // the same content hashes the same
    change(copy);
    return content_hash(copy);
  };
  EXPECT_NE(changed([](Draft& c) { c.fragments[1].body.expose_mutable()[69999] ^= 1; }), original);
  EXPECT_NE(changed([](Draft& c) { c.fragments[0].domain = GuidanceDomain::none; }), original);
  EXPECT_NE(changed([](Draft& c) { c.fragments[0].media_type = "text/html"; }), original);
  EXPECT_NE(changed([](Draft& c) { std::swap(c.fragments[0], c.fragments[1]); }), original);
  EXPECT_NE(changed([](Draft& c) { c.attachments[0].file_name = "verslag.pdf"; }), original);
  EXPECT_NE(changed([](Draft& c) { c.attachments[0].plaintext_hash[0] ^= 1; }), original);
  EXPECT_NE(changed([](Draft& c) { c.fragments[2].category = DataCategory::diagnostiek; }),
            original);  // the attachment's category, from its reference
  EXPECT_NE(changed([](Draft& c) { c.thread_id[0] ^= 1; }), original);
  EXPECT_NE(changed([](Draft& c) { c.previous_hash[0] ^= 1; }), original);
  // The attachment key and the outer labels are not content (labels are matched separately).
  EXPECT_EQ(changed([](Draft& c) { c.attachments[0].key = SecretKey<32>::random(); }), original);
  // Nor what exists only once the file is encrypted and uploaded: so a file is approved first.
  EXPECT_EQ(changed([](Draft& c) { c.attachments[0].ciphertext_hash[0] ^= 1; }), original);
  EXPECT_EQ(changed([](Draft& c) { c.attachments[0].ciphertext_size += 17; }), original);
  EXPECT_EQ(changed([](Draft& c) {
              c.attachments[0].id = random_id();
              c.fragments[2].body = SecretBytes::copy_of(c.attachments[0].id);
            }),
            original);
  EXPECT_EQ(changed([](Draft& c) { c.purpose = Purpose::consultatie; }), original);
  // A recipient sees a different hash when one fragment byte differs from what was approved.
  Draft tampered = referral();
  tampered.thread_id = d.thread_id;
  tampered.fragments[0].body.expose_mutable()[0] ^= 1;
  const auto opened = open(seal_to_both(tampered), caw_keys, trust);
  ASSERT_TRUE(opened);
  EXPECT_NE(content_hash(*opened), original);
}

TEST_F(ApprovalTest, SignRefusesStatementsNoEnvelopeCouldMatch) {
  const ApprovalStatement good = statement_for(referral());
  const auto refused = [&](void (*change)(ApprovalStatement&)) {
    ApprovalStatement s = good;
    change(s);
    const auto signed_approval = sign_approval(s, arts.certificate, arts.signing_key);
    return signed_approval ? errc{} : error_of(signed_approval.error());
  };
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.message_id = {}; }), errc::field_out_of_range);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.approval_id = {}; }), errc::field_out_of_range);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.categories = {}; }), errc::field_out_of_range);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.attestations = 1U << kAttestationCount; }),
            errc::field_out_of_range);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.recipients.clear(); }), errc::no_recipients);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.recipients.push_back(s.recipients[0]); }),
            errc::duplicate_recipient);
  EXPECT_EQ(refused([](ApprovalStatement& s) { s.recipients.resize(kMaxRecipients + 1); }),
            errc::too_many_recipients);
}

TEST_F(ApprovalTest, StructuralErrorsHaveSpecificCodes) {
  const auto bytes = approve(statement_for(referral()));
  const auto parse_error = [](const std::vector<std::uint8_t>& input) {
    const auto parsed = parse_approval(input);
    return parsed ? errc{} : error_of(parsed.error());
  };
  for (const std::size_t keep :
       {std::size_t{0}, std::size_t{3}, std::size_t{60}, kRecipientCountAt, bytes.size() - 1}) {
    EXPECT_EQ(parse_error({bytes.begin(), at(bytes, keep)}), errc::truncated) << "kept " << keep;
  }
  auto extended = bytes;
  extended.push_back(0);
  EXPECT_EQ(parse_error(extended), errc::trailing_data);
  const auto with = [&](std::size_t at, std::uint8_t value) {
    auto changed = bytes;
    changed[at] = value;
    return parse_error(changed);
  };
  EXPECT_EQ(with(0, 'X'), errc::bad_magic);
  EXPECT_EQ(with(4, 2), errc::unsupported_version);
  EXPECT_EQ(with(kKindAt, 0xFF), errc::field_out_of_range);
  EXPECT_EQ(with(kCategoriesAt, 0x01), errc::field_out_of_range);    // category bit 24
  EXPECT_EQ(with(kAttestationsAt, 0x02), errc::field_out_of_range);  // attestation bit 25
  EXPECT_EQ(with(kCertificateAt, 'X'), errc::bad_magic);             // the embedded certificate
  EXPECT_EQ(with(kRecipientCountAt, 0), errc::no_recipients);
  EXPECT_EQ(with(kRecipientCountAt, static_cast<std::uint8_t>(kMaxRecipients + 1)),
            errc::too_many_recipients);
  // The recipients are a set in ascending order: swapping the two is not the one encoding.
  auto swapped = bytes;
  std::swap_ranges(at(swapped, kRecipientsAt), at(swapped, kRecipientsAt + 16),
                   at(swapped, kRecipientsAt + 16));
  EXPECT_EQ(parse_error(swapped), errc::non_canonical);
  auto repeated = bytes;
  std::copy(at(bytes, kRecipientsAt), at(bytes, kRecipientsAt + 16),
            at(repeated, kRecipientsAt + 16));
  EXPECT_EQ(parse_error(repeated), errc::non_canonical);
  // Empty categories: the zero set is as unlabelled as in an envelope.
  auto unlabelled = bytes;
  std::fill_n(at(unlabelled, kCategoriesAt), 4, 0);
  EXPECT_EQ(parse_error(unlabelled), errc::field_out_of_range);
}

TEST_F(ApprovalTest, EmbeddedCertificateSitsAtItsOffset) {
  const auto bytes = approve(statement_for(referral()));
  const auto certificate = encode(arts.certificate);
  EXPECT_TRUE(std::equal(certificate.begin(), certificate.end(), at(bytes, kCertificateAt)));
  EXPECT_EQ(bytes[kRecipientCountAt], 2);
}

// --- envelope v2: the approval travels inside and every recipient checks it -----------------

TEST_F(ApprovalTest, ARecipientAcceptsTheContentThatWasApproved) {
  Draft a = referral();
  a.approvals = {approve(statement_for(a))};
  const auto opened = open(seal_to_both(a), caw_keys, trust);
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->approvals.size(), 1U);
  const auto carried = parse_approval(opened->approvals[0]).value();
  EXPECT_EQ(carried.approver.role, StaffRole::clb_arts);
  EXPECT_EQ(carried.statement.content_hash, content_hash(*opened));
}

TEST_F(ApprovalTest, ARecipientRefusesOtherContentUnderTheApprovalOfA) {
  const Draft a = referral();
  const auto approval_of_a = approve(statement_for(a));
  // B: the same ids and labels, another text.
  Draft b = referral();
  b.message_id = a.message_id;
  b.consent_reference = a.consent_reference;
  b.thread_id = a.thread_id;
  b.attachments[0].id = a.attachments[0].id;
  b.fragments[2].body = SecretBytes::copy_of(a.attachments[0].id);
  b.fragments[0].body = SecretBytes::copy_of(pattern_bytes(3000, 9));
  b.approvals = {approval_of_a};
  EXPECT_EQ(error_of(open(seal_to_both(b), caw_keys, trust).error()),
            errc::approval_content_mismatch);
}

TEST_F(ApprovalTest, ARecipientRefusesAnExtraAttachmentUnderTheApprovalOfA) {
  Draft a = referral();
  const auto approval_of_a = approve(statement_for(a));
  // A plus a second file of a category A already carries: the labels still match.
  AttachmentDescriptor extra;
  extra.id = random_id();
  extra.media_type = "application/pdf";
  extra.file_name = "bijlage.pdf";
  extra.plaintext_hash[0] = 1;
  a.fragments.push_back({DataCategory::verslag, GuidanceDomain::none,
                         std::string(kAttachmentReferenceMediaType),
                         SecretBytes::copy_of(extra.id)});
  a.attachments.push_back(std::move(extra));
  a.approvals = {approval_of_a};
  EXPECT_EQ(error_of(open(seal_to_both(a), caw_keys, trust).error()),
            errc::approval_content_mismatch);
}

TEST_F(ApprovalTest, ARecipientRefusesAnApprovalByTheSendersOwnPerson) {
  Draft a = referral();
  // A second device of the sender's own person (the same certified staff id) approves.
  Device own_laptop = make_device(clb, StaffRole::clb_arts);
  own_laptop.certificate.staff_id = sender.certificate.staff_id;
  own_laptop.certificate = issue(own_laptop.certificate, clb.key);
  a.approvals = {
      sign_approval(statement_for(a), own_laptop.certificate, own_laptop.signing_key).value()};
  EXPECT_EQ(error_of(open(seal_to_both(a), caw_keys, trust).error()), errc::approval_mismatch);
}

TEST_F(ApprovalTest, ARecipientRefusesAnApproverTheOrganisationNeverCertified) {
  Draft a = referral();
  // A device certificate the sender (or the hub) made itself, with any role it likes.
  Device self_made = make_device(clb, StaffRole::clb_directeur);
  self_made.certificate = issue(self_made.certificate, SigningKey::generate());
  a.approvals = {
      sign_approval(statement_for(a), self_made.certificate, self_made.signing_key).value()};
  EXPECT_EQ(error_of(open(seal_to_both(a), caw_keys, trust).error()), errc::certificate_untrusted);
}

}  // namespace
}  // namespace draaischijf::protocol
