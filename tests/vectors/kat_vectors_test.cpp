// Known answers for the protocol's own constructions (docs/PROTOCOL.md), computed outside this
// code base: tests/vectors/kat/make_vectors.py writes them from the protocol text with PyNaCl
// and hashlib into tests/vectors/kat/protocol_kat.txt. From the same fixed inputs, the C++ must
// give the same encodings, hashes, key ids and signatures byte for byte (Ed25519 signatures are
// deterministic) and accept what the independent implementation signed and sealed. A changed
// domain string, field order or width fails here even though the C++ would still agree with
// itself.

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include <draaischijf/protocol/admin_action.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "envelope_internal.hpp"  // the outer digest and inner root as values (7.8)
#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::filesystem::path vector_dir() {
  const char* dir = std::getenv("DRAAISCHIJF_KAT_VECTORS");
  return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  throw std::runtime_error("not lower-case hex");
}

Bytes from_hex(const std::string& h) {
  Bytes out(h.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(hex_digit(h[2 * i]) * 16 + hex_digit(h[2 * i + 1]));
  }
  return out;
}

// The vector file: `name = value` lines, '#' comments, blank lines.
class Kat {
 public:
  Kat() {
    const auto path = vector_dir() / "protocol_kat.txt";
    const auto bytes = testing::read_file(path);
    std::string text(bytes.begin(), bytes.end());
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) {
        end = text.size();
      }
      const auto line = text.substr(pos, end - pos);
      pos = end + 1;
      if (line.empty() || line[0] == '#') {
        continue;
      }
      const auto eq = line.find(" = ");
      if (eq == std::string::npos) {
        throw std::runtime_error("bad vector line: " + line);
      }
      values_.emplace(line.substr(0, eq), line.substr(eq + 3));
    }
  }

  [[nodiscard]] const std::string& raw(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) {
      throw std::runtime_error("no vector value " + name);
    }
    return it->second;
  }
  [[nodiscard]] std::string text(const std::string& name) const { return raw(name + "_text"); }
  [[nodiscard]] std::uint64_t u64(const std::string& name) const {
    return std::stoull(raw(name + "_int"));
  }
  [[nodiscard]] Bytes hex(const std::string& name) const {
    const auto& h = raw(name);
    if (h.size() % 2 != 0) {
      throw std::runtime_error(name + ": odd hex length");
    }
    return from_hex(h);
  }
  template <std::size_t N>
  [[nodiscard]] std::array<std::uint8_t, N> fixed(const std::string& name) const {
    const auto b = hex(name);
    if (b.size() != N) {
      throw std::runtime_error(name + ": wrong size");
    }
    std::array<std::uint8_t, N> out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
  }
  [[nodiscard]] SigningKey signing_key(const std::string& name) const {
    const auto seed = fixed<32>(name);
    return SigningKey::from_seed(SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed)));
  }

 private:
  std::map<std::string, std::string> values_;
};

Bytes to_bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

class KatVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(vector_dir().empty()) << "DRAAISCHIJF_KAT_VECTORS is not set";
    ASSERT_TRUE(std::filesystem::is_regular_file(vector_dir() / "protocol_kat.txt"))
        << vector_dir() << ": the vectors belong in tests/vectors/kat of the repository";
  }
  Kat kat;
};

// --- 1.6 key ids, hash256; 1.7 sign(domain, m) -------------------------------------------------

TEST_F(KatVectorsTest, KeyIdsAndPublicKeysMatch) {
  for (const std::string who : {"org", "hub", "device"}) {
    const auto key = kat.signing_key(who + ".seed");
    EXPECT_EQ(to_bytes(key.public_key()), kat.hex(who + ".public_key")) << who;
    if (who != "device") {
      EXPECT_EQ(to_bytes(key.key_id()), kat.hex(who + ".key_id")) << who;
      EXPECT_EQ(to_bytes(key_id_of(key.public_key())), kat.hex(who + ".key_id")) << who;
    }
  }
}

TEST_F(KatVectorsTest, Hash256PutsOneZeroByteAfterTheDomain) {
  const auto part1 = kat.hex("hash256.part1");
  const auto part2 = kat.hex("hash256.part2");
  const auto domain = kat.text("hash256.domain");
  EXPECT_EQ(to_bytes(hash256(domain, {part1, part2})), kat.hex("hash256.hash"));
}

TEST_F(KatVectorsTest, DomainSeparatedSignatureMatchesAndVerifies) {
  const auto key = kat.signing_key("org.seed");
  const auto message = kat.hex("sign.message");
  const auto domain = kat.text("sign.domain");
  const auto other = kat.text("sign.other_domain");
  const auto expected = kat.fixed<64>("sign.signature");
  const auto expected_other = kat.fixed<64>("sign.other_signature");
  EXPECT_EQ(key.sign(domain, message), expected);
  EXPECT_EQ(key.sign(other, message), expected_other);
  EXPECT_TRUE(verify_signature(key.public_key(), domain, message, expected));
  EXPECT_TRUE(verify_signature(key.public_key(), other, message, expected_other));
  EXPECT_FALSE(verify_signature(key.public_key(), other, message, expected));
  EXPECT_FALSE(verify_signature(key.public_key(), domain, message, expected_other));
}

// --- 8.3 envelope hash -------------------------------------------------------------------------

TEST_F(KatVectorsTest, EnvelopeHashMatches) {
  const auto file = std::filesystem::path(DRAAISCHIJF_SOURCE_DIR) / kat.text("envelope_hash.file");
  const auto envelope = testing::read_file(file);
  ASSERT_FALSE(envelope.empty()) << file;
  EXPECT_EQ(to_bytes(envelope_hash(envelope)), kat.hex("envelope_hash.hash"));
}

// --- 8.4 receipt v2 ----------------------------------------------------------------------------

ReceiptDecisions receipt_decisions(const Kat& kat) {
  ReceiptDecisions decided;
  decided.rule_set_version = kat.text("receipt.rule_set_version");
  for (std::uint64_t i = 0; i < kat.u64("receipt.decision_count"); ++i) {
    const auto prefix = "receipt.decision" + std::to_string(i) + ".";
    ReceiptDecision d;
    d.mailbox_id = kat.fixed<16>(prefix + "mailbox_id");
    d.rule_ids = kat.text(prefix + "rule_ids");
    d.legal_basis = kat.text(prefix + "legal_basis");
    for (std::uint64_t j = 0; j < kat.u64(prefix + "approver_count"); ++j) {
      d.approvers.push_back(kat.fixed<16>(prefix + "approver" + std::to_string(j)));
    }
    decided.decisions.push_back(std::move(d));
  }
  return decided;
}

TEST_F(KatVectorsTest, ReceiptV2EncodingAndSignatureMatch) {
  const auto hub = kat.signing_key("hub.seed");
  const auto decided = receipt_decisions(kat);
  const auto decisions = encode_decisions(decided);
  ASSERT_TRUE(decisions);
  EXPECT_EQ(*decisions, kat.hex("receipt.decisions"));

  const auto receipt =
      sign_receipt(kat.fixed<16>("receipt.message_id"), kat.fixed<32>("receipt.envelope_hash"),
                   kat.u64("receipt.received_at_ms"), kat.u64("receipt.sequence"), decided, hub);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(encode(*receipt), kat.hex("receipt.encoded"));

  const auto parsed = parse_receipt(kat.hex("receipt.encoded"));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(verify(*parsed, hub.public_key()));
  EXPECT_EQ(parsed->decided, decided);
  EXPECT_EQ(encode(*parsed), kat.hex("receipt.encoded"));
}

// --- 5 members hash, epoch certificate v2; 6.1 KDF; 6.2/6.3 seed boxes ------------------------

TEST_F(KatVectorsTest, MembersHashMatchesInAnyOrder) {
  std::vector<Id> members = {kat.fixed<16>("members.device0"), kat.fixed<16>("members.device1"),
                             kat.fixed<16>("members.device2")};
  EXPECT_EQ(to_bytes(members_hash(members)), kat.hex("members.hash"));
  std::sort(members.begin(), members.end());
  EXPECT_EQ(to_bytes(members_hash(members)), kat.hex("members.hash"));
}

TEST_F(KatVectorsTest, EpochSeedDerivesTheMailboxKey) {
  for (const std::string n : {"0", "1"}) {
    const auto seed = kat.fixed<32>("epoch" + n + ".seed");
    const auto identity =
        mailbox_identity(EpochSeed::copy_of(std::span<const std::uint8_t, 32>(seed)));
    EXPECT_EQ(to_bytes(identity.secret().expose()), kat.hex("epoch" + n + ".mailbox_secret"));
    EXPECT_EQ(to_bytes(identity.public_key()), kat.hex("epoch" + n + ".mailbox_public_key"));
  }
}

MailboxEpochCertificate epoch_certificate(const Kat& kat, std::uint32_t n) {
  const auto prefix = "epoch" + std::to_string(n) + ".";
  MailboxEpochCertificate c;
  c.mailbox_id = kat.fixed<16>("epoch.mailbox_id");
  c.org_id = kat.fixed<16>("epoch.org_id");
  c.epoch = n;
  c.function = static_cast<StaffRole>(kat.u64("epoch.function"));
  c.mailbox_key = kat.fixed<32>(prefix + "mailbox_public_key");
  c.members_hash = kat.fixed<32>("members.hash");
  c.previous_certificate = kat.fixed<32>(prefix + "previous_certificate_hash");
  c.not_before = kat.u64(prefix + "not_before");
  c.not_after = kat.u64(prefix + "not_after");
  return c;
}

TEST_F(KatVectorsTest, EpochCertificateV2EncodingSignatureAndHashMatch) {
  const auto org = kat.signing_key("org.seed");
  for (std::uint32_t n = 0; n < 2; ++n) {
    const auto prefix = "epoch" + std::to_string(n) + ".";
    const auto issued = issue(epoch_certificate(kat, n), org);
    EXPECT_EQ(encode(issued), kat.hex(prefix + "certificate")) << n;
    EXPECT_EQ(to_bytes(certificate_hash(issued)), kat.hex(prefix + "certificate_hash")) << n;

    const auto parsed = parse_epoch_certificate(kat.hex(prefix + "certificate"));
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_TRUE(verify(*parsed, org.public_key()));
    EXPECT_TRUE(verify(*parsed, org.public_key(), parsed->not_before));
  }
  const auto first = parse_epoch_certificate(kat.hex("epoch0.certificate"));
  const auto second = parse_epoch_certificate(kat.hex("epoch1.certificate"));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(verify_succession(*first, *second));
}

TEST_F(KatVectorsTest, PreviousSeedBoxOpensToTheOlderSeed) {
  const auto first = parse_epoch_certificate(kat.hex("epoch0.certificate"));
  const auto second = parse_epoch_certificate(kat.hex("epoch1.certificate"));
  ASSERT_TRUE(first && second);
  const auto seed1 = kat.fixed<32>("epoch1.seed");
  const auto opened = open_previous_seed(
      kat.hex("previous_seed.box"), EpochSeed::copy_of(std::span<const std::uint8_t, 32>(seed1)),
      *second, *first);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(to_bytes(opened->expose()), kat.hex("epoch0.seed"));
}

age::X25519Identity device_identity(const Kat& kat) {
  const auto secret = kat.fixed<32>("device.x25519_secret");
  return age::X25519Identity::from_secret(
      SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(secret)));
}

TEST_F(KatVectorsTest, SeedBoxOpensToTheEpochSeed) {
  const auto device = device_identity(kat);
  EXPECT_EQ(to_bytes(device.public_key()), kat.hex("device.x25519_public_key"));
  const auto certificate = parse_epoch_certificate(kat.hex("epoch1.certificate"));
  ASSERT_TRUE(certificate);
  const auto opened = open_seed_box(kat.hex("seed_box.box"), device, *certificate);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(to_bytes(opened->expose()), kat.hex("epoch1.seed"));
}

// --- 4 device certificate ----------------------------------------------------------------------

DeviceCertificate device_certificate(const Kat& kat) {
  DeviceCertificate c;
  c.org_id = kat.fixed<16>("device.org_id");
  c.org_type = static_cast<OrgType>(kat.u64("device.org_type"));
  c.device_id = kat.fixed<16>("device.device_id");
  c.staff_id = kat.fixed<16>("device.staff_id");
  c.role = static_cast<StaffRole>(kat.u64("device.role"));
  c.signing_key = kat.signing_key("device.seed").public_key();
  c.encryption_key = kat.fixed<32>("device.x25519_public_key");
  c.not_before = kat.u64("device.not_before");
  c.not_after = kat.u64("device.not_after");
  return c;
}

TEST_F(KatVectorsTest, DeviceCertificateEncodingAndSignatureMatch) {
  const auto org = kat.signing_key("org.seed");
  const auto issued = issue(device_certificate(kat), org);
  EXPECT_EQ(encode(issued), kat.hex("device.certificate"));
  const auto parsed = parse_device_certificate(kat.hex("device.certificate"));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(verify(*parsed, org.public_key(), parsed->not_before));
}

// --- 7.12 second approval ----------------------------------------------------------------------

TEST_F(KatVectorsTest, ApprovalEncodingAndSignatureMatch) {
  const auto certificate = parse_device_certificate(kat.hex("device.certificate"));
  ASSERT_TRUE(certificate);
  ApprovalStatement s;
  s.approval_id = kat.fixed<16>("approval.approval_id");
  s.message_id = kat.fixed<16>("approval.message_id");
  s.sender_org = kat.fixed<16>("device.org_id");
  s.kind = static_cast<MessageKind>(kat.u64("approval.kind"));
  s.purpose = static_cast<Purpose>(kat.u64("approval.purpose"));
  const auto categories =
      CategorySet::from_bits(static_cast<std::uint32_t>(kat.u64("approval.categories")));
  ASSERT_TRUE(categories);
  s.categories = *categories;
  s.attestations = static_cast<std::uint32_t>(kat.u64("approval.attestations"));
  s.consent_reference = kat.fixed<16>("approval.consent_reference");
  s.pupil_pseudonym = kat.fixed<32>("pupil.pseudonym");
  s.recipients = {kat.fixed<16>("approval.recipient0"), kat.fixed<16>("approval.recipient1")};
  s.content_hash = kat.fixed<32>("approval.content_hash");
  s.created_at_ms = kat.u64("approval.created_at_ms");

  const auto signed_approval = sign_approval(s, *certificate, kat.signing_key("device.seed"));
  ASSERT_TRUE(signed_approval) << signed_approval.error().message();
  EXPECT_EQ(*signed_approval, kat.hex("approval.encoded"));

  const auto parsed = parse_approval(kat.hex("approval.encoded"));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_TRUE(verify_approval_signature(*parsed));
  EXPECT_EQ(encode(*parsed), kat.hex("approval.encoded"));
}

TEST_F(KatVectorsTest, ApprovalContentHashMatches) {
  Draft draft;
  draft.thread_id = kat.fixed<16>("content.thread_id");
  draft.previous_hash = kat.fixed<32>("content.previous_hash");
  for (std::uint64_t i = 0; i < kat.u64("content.fragment_count"); ++i) {
    const auto prefix = "content.fragment" + std::to_string(i) + ".";
    Fragment f;
    f.category = static_cast<DataCategory>(kat.u64(prefix + "category"));
    f.domain = static_cast<GuidanceDomain>(kat.u64(prefix + "domain"));
    f.media_type = kat.text(prefix + "media_type");
    f.body = SecretBytes::copy_of(kat.hex(prefix + "body"));
    draft.fragments.push_back(std::move(f));
  }
  AttachmentDescriptor a;
  a.id = kat.fixed<16>("content.attachment.id");
  a.plaintext_hash = kat.fixed<32>("content.attachment.plaintext_hash");
  a.media_type = kat.text("content.attachment.media_type");
  const auto name = kat.hex("content.attachment.file_name");
  a.file_name.assign(name.begin(), name.end());
  draft.attachments.push_back(std::move(a));
  EXPECT_EQ(to_bytes(content_hash(draft)), kat.hex("content.hash"));
}

// --- 7 envelope v3: key commitment (7.3), age layer (3), inner part (7.7), signature (7.8)
// --------

struct EnvelopeKeys {
  MailboxKeyring keyring;
  TrustStore trust;
};

EnvelopeKeys envelope_keys(const Kat& kat) {
  EnvelopeKeys keys;
  const auto seed = kat.fixed<32>("epoch1.seed");
  keys.keyring.add(kat.fixed<16>("epoch.mailbox_id"), 1,
                   mailbox_identity(EpochSeed::copy_of(std::span<const std::uint8_t, 32>(seed))));
  keys.trust.add(kat.fixed<16>("device.org_id"), kat.signing_key("org.seed").public_key());
  return keys;
}

TEST_F(KatVectorsTest, EnvelopeV3FromTheIndependentSealerOpens) {
  const auto envelope = kat.hex("envelope.encoded");
  const auto parsed = parse_envelope(envelope);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(to_bytes(parsed->outer.key_commitment), kat.hex("envelope.key_commitment"));
  EXPECT_EQ(to_bytes(parsed->outer.message_id), kat.hex("envelope.message_id"));
  EXPECT_EQ(to_bytes(envelope_hash(envelope)), kat.hex("envelope.hash"));

  // The file key the independent sealer chose, unwrapped with the mailbox key of recipient 1.
  const auto seed = kat.fixed<32>("epoch1.seed");
  const auto mailbox =
      mailbox_identity(EpochSeed::copy_of(std::span<const std::uint8_t, 32>(seed)));
  const auto file_key = age::unwrap_x25519(parsed->header.stanzas.at(1), mailbox);
  ASSERT_TRUE(file_key) << file_key.error().message();
  EXPECT_EQ(to_bytes(file_key->expose()), kat.hex("envelope.file_key"));

  const auto keys = envelope_keys(kat);
  const auto opened = open(envelope, keys.keyring, keys.trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->sequence, kat.u64("envelope.sequence"));
  EXPECT_EQ(to_bytes(opened->thread_id), kat.hex("content.thread_id"));
  EXPECT_EQ(to_bytes(opened->previous_hash), kat.hex("content.previous_hash"));
  ASSERT_TRUE(opened->pupil.has_value());
  EXPECT_EQ(to_bytes(opened->pupil->salt), kat.hex("pupil.salt"));
  EXPECT_EQ(opened->fragments.size(), kat.u64("content.fragment_count"));
  ASSERT_EQ(opened->attachments.size(), 1U);
  EXPECT_EQ(to_bytes(opened->attachments[0].id), kat.hex("content.attachment.id"));
  ASSERT_EQ(opened->approvals.size(), 1U);
  EXPECT_EQ(to_bytes(content_hash(*opened)), kat.hex("content.hash"));
}

TEST_F(KatVectorsTest, EnvelopeSignedUnderTheRetiredV2DomainIsRefused) {
  const auto keys = envelope_keys(kat);
  const auto opened = open(kat.hex("envelope.signed_as_v2"), keys.keyring, keys.trust);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), make_error_code(errc::signature_invalid)) << opened.error().message();
}

// --- 7.13 admin action -------------------------------------------------------------------------

TEST_F(KatVectorsTest, AdminActionBodyHashEncodingAndSignatureMatch) {
  const auto org = kat.signing_key("org.seed");
  const auto body = kat.hex("admin.body");
  EXPECT_EQ(to_bytes(admin_body_hash(body)), kat.hex("admin.body_hash"));
  AdminStatement s;
  s.org_id = kat.fixed<16>("device.org_id");
  s.action = static_cast<AdminAction>(kat.u64("admin.action"));
  s.target = kat.fixed<16>("admin.target");
  s.body_hash = admin_body_hash(body);
  s.at_ms = kat.u64("admin.at_ms");
  s.nonce = kat.fixed<16>("admin.nonce");
  EXPECT_EQ(encode(s), kat.hex("admin.statement"));
  const auto expected = kat.fixed<64>("admin.signature");
  EXPECT_EQ(sign_admin_action(s, org), expected);
  EXPECT_TRUE(verify_admin_action(s, expected, org.public_key()));
}

// --- 7.14 pupil key, salt, pseudonym, pupil key box --------------------------------------------

TEST_F(KatVectorsTest, PupilKeySaltAndPseudonymMatch) {
  const auto key = PupilKey::of_organisation(kat.signing_key("org.seed"));
  EXPECT_EQ(to_bytes(key.secret().expose()), kat.hex("pupil.key"));
  const auto reference_bytes = kat.hex("pupil.reference");
  const std::string reference(reference_bytes.begin(), reference_bytes.end());
  const auto binding = bind_pupil(key, reference);
  ASSERT_TRUE(binding) << binding.error().message();
  EXPECT_EQ(to_bytes(binding->salt), kat.hex("pupil.salt"));
  EXPECT_EQ(to_bytes(pupil_pseudonym(*binding)), kat.hex("pupil.pseudonym"));
}

TEST_F(KatVectorsTest, PupilKeyBoxOpensToTheOrganisationPupilKey) {
  const auto opened = open_pupil_key(kat.hex("pupil_key_box.box"), kat.fixed<16>("device.org_id"),
                                     kat.fixed<16>("device.device_id"), device_identity(kat),
                                     kat.signing_key("org.seed").public_key());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(to_bytes(opened->secret().expose()), kat.hex("pupil.key"));
}

// --- 7.8 outer digest and inner root as values -------------------------------------------------

TEST_F(KatVectorsTest, OuterDigestAndInnerRootMatch) {
  const auto envelope = kat.hex("envelope.encoded");
  const auto parsed = parse_envelope(envelope);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const auto outer_and_header =
      std::span(envelope).first(parsed->outer_bytes.size() + parsed->age_header.size());
  EXPECT_EQ(to_bytes(detail::outer_digest_of(outer_and_header)), kat.hex("envelope.outer_digest"));
  EXPECT_EQ(to_bytes(detail::inner_root_of(kat.hex("envelope.inner_signed_region"))),
            kat.hex("envelope.inner_root"));

  // The worked example's digest covers bytes 0..450 (7.2).
  const auto worked = kat.hex("worked72.encoded");
  EXPECT_EQ(to_bytes(detail::outer_digest_of(std::span(worked).first(451))),
            kat.hex("worked72.outer_digest"));
}

// --- 7.2 worked example ------------------------------------------------------------------------

// The rows of the table in docs/PROTOCOL.md 7.2 that give a value: offsets (first..last) and the
// bytes written as upper-case hex pairs in the first code span of the value column.
struct DocumentedRow {
  std::size_t first = 0;
  std::size_t last = 0;
  Bytes value;
};

std::vector<DocumentedRow> worked_example_rows() {
  const auto bytes =
      testing::read_file(std::filesystem::path(DRAAISCHIJF_SOURCE_DIR) / "docs" / "PROTOCOL.md");
  const std::string doc(bytes.begin(), bytes.end());
  const auto begin = doc.find("### 7.2 Worked example");
  const auto end = doc.find("### 7.3", begin);
  if (begin == std::string::npos || end == std::string::npos) {
    throw std::runtime_error("PROTOCOL.md has no section 7.2");
  }
  std::vector<DocumentedRow> rows;
  std::istringstream lines(doc.substr(begin, end - begin));
  for (std::string line; std::getline(lines, line);) {
    // "| 6..21 | message id | `5A FF ...` |": offsets, field, value
    std::vector<std::string> cells;
    std::istringstream cut(line);
    for (std::string cell; std::getline(cut, cell, '|');) {
      cells.push_back(cell);
    }
    if (cells.size() < 4 || line.rfind("| ", 0) != 0) {
      continue;
    }
    const auto& offsets = cells[1];
    const auto tick = cells[3].find('`');
    if (offsets.find_first_of("0123456789") == std::string::npos || tick == std::string::npos ||
        offsets.find("..") == offsets.size() - 3) {
      continue;  // the header row, a row without a value, or "185.." (BODY)
    }
    const auto close = cells[3].find('`', tick + 1);
    std::string hex;
    for (const char c : cells[3].substr(tick + 1, close - tick - 1)) {
      if (c != ' ') {
        hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
    }
    if (hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      continue;  // a code span that names a field, not bytes
    }
    DocumentedRow row;
    const auto dots = offsets.find("..");
    row.first = std::stoul(offsets);
    row.last = dots == std::string::npos ? row.first : std::stoul(offsets.substr(dots + 2));
    row.value = from_hex(hex);
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST_F(KatVectorsTest, WorkedExampleOfSection72OpensAndTheDocumentShowsItsBytes) {
  const auto envelope = kat.hex("worked72.encoded");
  ASSERT_EQ(envelope.size(), 4579U);  // 7.2: envelope 4,579 bytes

  EnvelopeKeys keys;
  const auto seed = kat.fixed<32>("epoch0.seed");
  keys.keyring.add(kat.fixed<16>("epoch.mailbox_id"), 0,
                   mailbox_identity(EpochSeed::copy_of(std::span<const std::uint8_t, 32>(seed))));
  keys.trust.add(kat.fixed<16>("device.org_id"), kat.signing_key("org.seed").public_key());
  const auto opened = open(envelope, keys.keyring, keys.trust);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->outer.recipients.size(), 2U);
  EXPECT_EQ(opened->fragments.size(), 1U);
  EXPECT_TRUE(opened->approvals.empty());
  EXPECT_TRUE(opened->attachments.empty());
  ASSERT_TRUE(opened->pupil.has_value());
  EXPECT_EQ(to_bytes(opened->outer.pupil_pseudonym), kat.hex("pupil.pseudonym"));

  const auto rows = worked_example_rows();
  // Every row but BODY: magic through body length.
  ASSERT_EQ(rows.size(), 21U) << "the table in docs/PROTOCOL.md 7.2 lost or gained a value";
  for (const auto& row : rows) {
    ASSERT_LT(row.last, envelope.size());
    ASSERT_EQ(row.value.size(), row.last - row.first + 1) << "row " << row.first;
    EXPECT_EQ(row.value, Bytes(envelope.begin() + static_cast<std::ptrdiff_t>(row.first),
                               envelope.begin() + static_cast<std::ptrdiff_t>(row.last + 1)))
        << "docs/PROTOCOL.md 7.2, offsets " << row.first << ".." << row.last;
  }
}

// --- 7.11 attachment blobs ---------------------------------------------------------------------

Bytes attachment_plaintext(const Kat& kat) {
  const auto pattern = kat.text("attachment.plaintext_pattern");
  Bytes plain(kat.u64("attachment.plaintext_size"));
  for (std::size_t i = 0; i < plain.size(); ++i) {
    plain[i] = static_cast<std::uint8_t>(pattern[i % pattern.size()]);
  }
  return plain;
}

StreamHeader stream_header(const Kat& kat) { return kat.fixed<24>("attachment.header"); }

SecretKey<32> stream_key(const Kat& kat) {
  const auto key = kat.fixed<32>("attachment.key");
  return SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(key));
}

Hash256 stream_hash(std::span<const std::uint8_t> bytes) {
  StreamHash hash;
  hash.update(bytes);
  return hash.digest();
}

// Opens a whole blob the way a recipient does: chunk by chunk, as the opener asks for them.
Result<Bytes> open_blob(const Kat& kat, std::span<const std::uint8_t> blob) {
  auto opener = AttachmentOpener::start(stream_key(kat), stream_header(kat), blob.size());
  if (!opener) {
    return opener.error();
  }
  Bytes plain;
  Bytes chunk_plain(kAttachmentChunk);
  std::size_t at = 0;
  while (opener->next_chunk_size() > 0) {
    const auto size = opener->next_chunk_size();
    const auto n = opener->open_chunk(blob.subspan(at, size), chunk_plain);
    if (!n) {
      return n.error();
    }
    plain.insert(plain.end(), chunk_plain.begin(),
                 chunk_plain.begin() + static_cast<std::ptrdiff_t>(*n));
    at += size;
  }
  if (!opener->finished() || at != blob.size()) {
    return make_error_code(errc::age_payload_truncated);
  }
  return plain;
}

TEST_F(KatVectorsTest, AttachmentBlobFromTheIndependentSealerOpens) {
  const auto blob = testing::read_file(vector_dir() / "attachment_blob.bin");
  const auto plain = attachment_plaintext(kat);
  ASSERT_EQ(blob.size(), kat.u64("attachment.ciphertext_size"));
  EXPECT_EQ(attachment_chunks(plain.size()), 2U);
  EXPECT_EQ(attachment_ciphertext_size(plain.size()), blob.size());
  EXPECT_EQ(attachment_plaintext_size(blob.size()), plain.size());
  EXPECT_EQ(to_bytes(stream_hash(blob)), kat.hex("attachment.ciphertext_hash"));
  EXPECT_EQ(to_bytes(stream_hash(plain)), kat.hex("attachment.plaintext_hash"));

  const auto opened = open_blob(kat, blob);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(*opened, plain);

  const auto empty = kat.hex("attachment.empty_blob");
  EXPECT_EQ(empty.size(), attachment_ciphertext_size(0));
  EXPECT_EQ(to_bytes(stream_hash(empty)), kat.hex("attachment.empty_ciphertext_hash"));
  EXPECT_EQ(to_bytes(stream_hash({})), kat.hex("attachment.empty_plaintext_hash"));
  const auto opened_empty = open_blob(kat, empty);
  ASSERT_TRUE(opened_empty) << opened_empty.error().message();
  EXPECT_TRUE(opened_empty->empty());

  // The first chunk alone (tag 0) is a stream cut short, and the last chunk of 7.11 on its own
  // is out of order: neither may open.
  const auto cut = std::span(blob).first(kAttachmentCipherChunk);
  EXPECT_EQ(to_bytes(cut.last(32)), kat.hex("attachment.first_chunk_tail"));
  const auto truncated = open_blob(kat, cut);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error(), make_error_code(errc::age_payload_truncated));
  const auto reordered = open_blob(kat, std::span(blob).subspan(kAttachmentCipherChunk));
  ASSERT_FALSE(reordered);
  EXPECT_EQ(reordered.error(), make_error_code(errc::age_payload_corrupt));
}

// The C++ sealer draws its own key and header, so its blob cannot equal the vector's. With the
// key and header it drew, the blob must be exactly what 7.11 spells out: libsodium's push in
// 65,536-byte chunks without additional data, tag 0 on every chunk but the last, TAG_FINAL on
// the last. Its push state is the one init_pull derives from that key and header.
TEST_F(KatVectorsTest, AttachmentSealerPushesTheChunksOfSection711) {
  const auto plain = attachment_plaintext(kat);
  auto sealer = AttachmentSealer::start();
  Bytes blob;
  Bytes expected;
  crypto_secretstream_xchacha20poly1305_state state;
  ASSERT_EQ(crypto_secretstream_xchacha20poly1305_init_pull(&state, sealer.header().data(),
                                                            sealer.key().expose().data()),
            0);
  for (std::size_t at = 0; at < plain.size(); at += kAttachmentChunk) {
    const auto chunk = std::span(plain).subspan(at, std::min(kAttachmentChunk, plain.size() - at));
    const bool last = at + chunk.size() == plain.size();
    Bytes out(chunk.size() + kAttachmentChunkOverhead);
    sealer.seal_chunk(chunk, last, out);
    blob.insert(blob.end(), out.begin(), out.end());
    Bytes want(out.size());
    crypto_secretstream_xchacha20poly1305_push(
        &state, want.data(), nullptr, chunk.data(), chunk.size(), nullptr, 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    expected.insert(expected.end(), want.begin(), want.end());
  }
  EXPECT_EQ(blob.size(), kat.u64("attachment.ciphertext_size"));
  EXPECT_EQ(blob, expected);
}

// --- 1.7 verification strictness: C2SP CCTV Ed25519 edge cases ----------------------------------

// The verifier PROTOCOL.md 1.7 pins (libsodium 1.0.18 crypto_sign_verify_detached, as
// verify_signature() calls it after prefixing the domain) gives, for every CCTV vector, the
// outcome the rules of 1.7 give in the independent Python verifier: 43 of 914 accepted.
TEST_F(KatVectorsTest, Ed25519EdgeCasesGiveTheOutcomeOfSection17) {
  std::ifstream in(vector_dir() / "ed25519_cctv_expected.txt");
  ASSERT_TRUE(in) << "ed25519_cctv_expected.txt is missing";
  ASSERT_EQ(sodium_init() < 0, false);
  std::string line;
  std::size_t vectors = 0;
  std::size_t accepted = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    std::string number, key, signature, message, expect;
    fields >> number >> key >> signature >> message >> expect;
    ASSERT_EQ(key.size(), 64U) << line;
    ASSERT_EQ(signature.size(), 128U) << line;
    ASSERT_TRUE(expect == "accept" || expect == "refuse") << line;
    const auto pk = from_hex(key);
    const auto sig = from_hex(signature);
    const auto msg = from_hex(message);
    const bool ok = crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) == 0;
    EXPECT_EQ(ok, expect == "accept") << "CCTV vector " << number;
    ++vectors;
    accepted += ok ? 1U : 0U;
  }
  EXPECT_EQ(vectors, 914U);
  EXPECT_EQ(accepted, 43U);
}

}  // namespace
}  // namespace draaischijf::protocol
