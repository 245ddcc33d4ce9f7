// The parse errors docs/PROTOCOL.md 7.1 and 7.7 name, each on an envelope edited at the byte
// level from one the sealer made (the sealer itself refuses to write any of them): recipient
// counts 0 and 17, a mailbox twice, 9 approvals, approvals out of order, an empty category set
// and a category bit past the table, each with its specific code, beside the same edit within
// the rules, which parses. And the inner padding of 7.7: a non-zero padding byte and a padding
// one block longer than minimal, re-encrypted under the envelope's own file key so that only
// the padding is wrong (the padding is not signed: without its check the first would open).

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "protocol_parties.hpp"
#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Offsets of 7.1 for an envelope with no approvals and no attachments.
constexpr std::size_t kCategories = 50;
constexpr std::size_t kApprovalCount = 106;
constexpr std::size_t kRecipientCount = 108;
constexpr std::size_t kFirstRecipient = 109;
constexpr std::size_t kRecipientSize = 20;

class EnvelopeParseErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys.add(intake.certificate.mailbox_id, 0, mailbox_identity(intake.seed));
    trust.add(clb.id, clb.key.public_key());
    Draft draft;
    draft.kind = MessageKind::doorverwijzing;
    draft.purpose = Purpose::doorverwijzing;
    draft.consent_reference = random_id();
    draft.pupil = testing::test_binding();
    draft.thread_id = random_id();
    draft.fragments.push_back({DataCategory::psychisch_sociaal, GuidanceDomain::none, "text/plain",
                               SecretBytes::copy_of(testing::view_of("tekst"))});
    const MailboxEpochCertificate to[] = {intake.certificate};
    envelope = seal(draft, {sender.certificate, sender.signing_key, 1}, to, testing::kPartiesNowMs)
                   .value();
    ASSERT_EQ(envelope[kApprovalCount], 0);
    ASSERT_EQ(envelope[107], 0) << "no attachments";
    ASSERT_EQ(envelope[kRecipientCount], 1);
  }

  // The envelope with its recipient list replaced by `recipients` (mailbox id and epoch each).
  [[nodiscard]] Bytes with_recipients(const std::vector<Bytes>& recipients) const {
    Bytes out(envelope.begin(), envelope.begin() + kRecipientCount);
    out.push_back(static_cast<std::uint8_t>(recipients.size()));
    for (const Bytes& r : recipients) {
      out.insert(out.end(), r.begin(), r.end());
    }
    out.insert(out.end(), envelope.begin() + kFirstRecipient + kRecipientSize, envelope.end());
    return out;
  }
  [[nodiscard]] Bytes recipient_entry(std::size_t n) const {
    Bytes entry(envelope.begin() + kFirstRecipient,
                envelope.begin() + kFirstRecipient + kRecipientSize);
    entry[15] = static_cast<std::uint8_t>(entry[15] + n);  // another mailbox id for n > 0
    return entry;
  }
  // The envelope with `approvals` references inserted after the approval count.
  [[nodiscard]] Bytes with_approvals(const std::vector<Id>& approvals) const {
    Bytes out(envelope.begin(), envelope.begin() + kApprovalCount);
    out.push_back(static_cast<std::uint8_t>(approvals.size()));
    for (const Id& id : approvals) {
      out.insert(out.end(), id.begin(), id.end());
    }
    out.insert(out.end(), envelope.begin() + kApprovalCount + 1, envelope.end());
    return out;
  }
  [[nodiscard]] Bytes with_categories(std::uint32_t bits) const {
    Bytes out = envelope;
    for (std::size_t i = 0; i < 4; ++i) {
      out[kCategories + i] = static_cast<std::uint8_t>(bits >> (24 - 8 * i));
    }
    return out;
  }
  static errc parse_error(const Bytes& bytes) {
    const auto parsed = parse_envelope(bytes);
    if (parsed) {
      return errc{};
    }
    EXPECT_EQ(&parsed.error().category(), &protocol_category()) << parsed.error().message();
    return static_cast<errc>(parsed.error().value());
  }

  // The envelope with INNER replaced by `edit(INNER)`, encrypted again under the envelope's own
  // file key (same header, same commitment), the body length fixed to the new payload.
  template <class Edit>
  [[nodiscard]] Bytes with_inner(Edit edit) const {
    const auto parsed = parse_envelope(envelope).value();
    const auto file_key =
        age::unwrap_x25519(parsed.header.stanzas[0], mailbox_identity(intake.seed)).value();
    Bytes inner;
    const age::ByteSink append_inner = [&](std::span<const std::uint8_t> piece) {
      inner.insert(inner.end(), piece.begin(), piece.end());
    };
    age::PayloadDecryptor decryptor(file_key);
    EXPECT_TRUE(decryptor.update(parsed.payload, append_inner));
    EXPECT_TRUE(decryptor.finish(append_inner));
    edit(inner);
    const std::size_t prefix = parsed.outer_bytes.size() + parsed.age_header.size();
    Bytes out(envelope.begin(), envelope.begin() + static_cast<std::ptrdiff_t>(prefix));
    const age::ByteSink append_out = [&](std::span<const std::uint8_t> piece) {
      out.insert(out.end(), piece.begin(), piece.end());
    };
    age::PayloadEncryptor encryptor(file_key);
    encryptor.update(inner, append_out);
    encryptor.finish(append_out);
    const std::uint32_t body = static_cast<std::uint32_t>(out.size() - parsed.outer_bytes.size());
    const std::size_t at = parsed.outer_bytes.size() - 4;  // the outer part ends with it
    for (std::size_t i = 0; i < 4; ++i) {
      out[at + i] = static_cast<std::uint8_t>(body >> (24 - 8 * i));
    }
    return out;
  }
  errc open_error(const Bytes& bytes) const {
    const auto opened = open(bytes, keys, trust);
    return opened ? errc{} : static_cast<errc>(opened.error().value());
  }

  testing::TestOrg clb;
  testing::TestOrg caw;
  testing::TestDevice sender =
      testing::make_test_device(clb, clb.key, StaffRole::clb_maatschappelijk_werker);
  testing::TestMailbox intake = testing::make_test_mailbox(caw);
  MailboxKeyring keys;
  TrustStore trust;
  Bytes envelope;
};

TEST_F(EnvelopeParseErrorTest, RecipientCountsOutsideOneToSixteenHaveTheirOwnCodes) {
  EXPECT_EQ(parse_error(with_recipients({recipient_entry(0)})), errc{}) << "the unedited list";
  EXPECT_EQ(parse_error(with_recipients({})), errc::no_recipients);
  std::vector<Bytes> seventeen;
  for (std::size_t n = 0; n < 17; ++n) {
    seventeen.push_back(recipient_entry(n));
  }
  EXPECT_EQ(parse_error(with_recipients(seventeen)), errc::too_many_recipients);
  // Sixteen distinct mailboxes are a valid list: the stanzas (one) are what is wrong then.
  seventeen.pop_back();
  EXPECT_EQ(parse_error(with_recipients(seventeen)), errc::recipient_stanza_mismatch);
}

TEST_F(EnvelopeParseErrorTest, AMailboxTwiceIsADuplicateWhateverItsEpochs) {
  Bytes other_epoch = recipient_entry(0);
  other_epoch[19] = static_cast<std::uint8_t>(other_epoch[19] + 1);
  EXPECT_EQ(parse_error(with_recipients({recipient_entry(0), recipient_entry(0)})),
            errc::duplicate_recipient);
  EXPECT_EQ(parse_error(with_recipients({recipient_entry(0), other_epoch})),
            errc::duplicate_recipient);
  // Two different mailboxes get past that check (to the stanza count, one for two).
  EXPECT_EQ(parse_error(with_recipients({recipient_entry(0), recipient_entry(1)})),
            errc::recipient_stanza_mismatch);
}

TEST_F(EnvelopeParseErrorTest, NineApprovalsOrApprovalsOutOfOrderAreRefused) {
  std::vector<Id> ascending;
  for (std::uint8_t n = 1; n <= 9; ++n) {
    Id id{};
    id[15] = n;
    ascending.push_back(id);
  }
  EXPECT_EQ(parse_error(with_approvals(ascending)), errc::field_out_of_range);
  ascending.pop_back();  // eight, ascending: the outer part parses (the inner part is not read)
  EXPECT_EQ(parse_error(with_approvals(ascending)), errc{});
  std::swap(ascending[3], ascending[4]);
  EXPECT_EQ(parse_error(with_approvals(ascending)), errc::non_canonical);
  EXPECT_EQ(parse_error(with_approvals({ascending[0], ascending[0]})), errc::non_canonical)
      << "a repeated approval is not ascending either";
}

TEST_F(EnvelopeParseErrorTest, AnEmptyCategorySetOrABitPastTheTableIsOutOfRange) {
  const std::uint32_t sealed = (std::uint32_t{envelope[kCategories]} << 24) |
                               (std::uint32_t{envelope[kCategories + 1]} << 16) |
                               (std::uint32_t{envelope[kCategories + 2]} << 8) |
                               envelope[kCategories + 3];
  ASSERT_NE(sealed, 0U);
  EXPECT_EQ(parse_error(with_categories(0)), errc::field_out_of_range);
  EXPECT_EQ(parse_error(with_categories(sealed | (1U << 18))), errc{}) << "bit 18 is in the table";
  for (const unsigned bit : {19U, 24U, 31U}) {
    EXPECT_EQ(parse_error(with_categories(sealed | (1U << bit))), errc::field_out_of_range)
        << "bit " << bit;
  }
}

TEST_F(EnvelopeParseErrorTest, InnerPaddingMustBeZeroAndMinimal) {
  // Control: decrypting and encrypting again changes nothing that opening checks.
  EXPECT_EQ(open_error(with_inner([](Bytes&) {})), errc{});
  EXPECT_EQ(open_error(with_inner([](Bytes& inner) { inner.back() = 1; })), errc::non_canonical);
  const auto longer = with_inner([](Bytes& inner) { inner.resize(inner.size() + 4096, 0); });
  ASSERT_EQ(parse_error(longer), errc{}) << "the outer part and payload size are in order";
  EXPECT_EQ(open_error(longer), errc::non_canonical);
}

}  // namespace
}  // namespace draaischijf::protocol
