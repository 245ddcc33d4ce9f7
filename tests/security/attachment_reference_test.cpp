// An attachment takes its data category from the one reference fragment that names it inside the
// signed part. An attachment with no reference (shown as `verslag` before), with two, or a
// reference to no attachment would let a file escape the categories the hub and the policy
// judged: each is label_mismatch at opening.

#include <gtest/gtest.h>

#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/envelope.hpp>

#include "protocol_parties.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;

class AttachmentReferenceTest : public ::testing::Test {
 protected:
  TestOrg clb;
  TestOrg caw;
  TestDevice sender = make_test_device(clb, clb.key, StaffRole::clb_psycholoog);
  TestMailbox intake = make_test_mailbox(caw);
  MailboxKeyring caw_keys;
  TrustStore trust;

  void SetUp() override {
    caw_keys.add(intake.certificate.mailbox_id, 0, mailbox_identity(intake.seed));
    trust.add(clb.id, clb.key.public_key());
  }

  static AttachmentDescriptor attachment() {
    AttachmentDescriptor a;
    a.id = random_id();
    a.key = SecretKey<32>::random();
    a.ciphertext_size = 4096 + kAttachmentChunkOverhead;
    a.media_type = "application/pdf";
    a.file_name = "verslag.pdf";
    return a;
  }
  static Fragment reference_to(const Id& id, DataCategory category = DataCategory::verslag) {
    return {category, GuidanceDomain::none, std::string(kAttachmentReferenceMediaType),
            SecretBytes::copy_of(id)};
  }
  static Draft letter() {
    Draft d;
    d.kind = MessageKind::doorverwijzing;
    d.purpose = Purpose::doorverwijzing;
    d.thread_id = random_id();
    d.pupil = test_binding();
    d.fragments.push_back({DataCategory::contact, GuidanceDomain::none, "text/plain",
                           SecretBytes::copy_of(std::span<const std::uint8_t>())});
    return d;
  }

  Result<OpenedEnvelope> seal_and_open(const Draft& d) {
    const MailboxEpochCertificate recipients[] = {intake.certificate};
    auto sealed = seal(d, {sender.certificate, sender.signing_key, 1}, recipients, kPartiesNowMs);
    EXPECT_TRUE(sealed) << sealed.error().message();
    return open(*sealed, caw_keys, trust);
  }
};

TEST_F(AttachmentReferenceTest, ExactlyOneReferencePerAttachmentOpens) {
  Draft d = letter();
  auto a = attachment();
  d.fragments.push_back(reference_to(a.id, DataCategory::diagnostiek));
  d.attachments.push_back(std::move(a));
  const auto opened = seal_and_open(d);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_TRUE(opened->outer.categories.contains(DataCategory::diagnostiek));
}

TEST_F(AttachmentReferenceTest, AnAttachmentWithoutAReferenceIsALabelMismatch) {
  Draft d = letter();
  d.attachments.push_back(attachment());
  EXPECT_EQ(seal_and_open(d).error(), make_error_code(errc::label_mismatch));
}

TEST_F(AttachmentReferenceTest, AnAttachmentReferencedTwiceIsALabelMismatch) {
  Draft d = letter();
  auto a = attachment();
  d.fragments.push_back(reference_to(a.id, DataCategory::verslag));
  d.fragments.push_back(reference_to(a.id, DataCategory::diagnostiek));
  d.attachments.push_back(std::move(a));
  EXPECT_EQ(seal_and_open(d).error(), make_error_code(errc::label_mismatch));
}

TEST_F(AttachmentReferenceTest, AReferenceToNoAttachmentIsALabelMismatch) {
  Draft d = letter();
  auto a = attachment();
  d.fragments.push_back(reference_to(a.id));
  d.fragments.push_back(reference_to(random_id()));
  d.attachments.push_back(std::move(a));
  EXPECT_EQ(seal_and_open(d).error(), make_error_code(errc::label_mismatch));
}

}  // namespace
}  // namespace draaischijf::testing
