// The client's pre-check sees the evidence the hub will use in place of attested flags
// (policies/evidence.hpp): a CLB device that attests R01's start consent (begeleidingsakkoord)
// for a pupil without a registered consent for guidance is refused on the device, with the
// hub's note, before anything is sealed or posted; with the consent on record the advice goes,
// until the client's objection to advice is registered (R03).

#include <gtest/gtest.h>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

class ClientEvidenceTest : public TamperingTest {
 protected:
  // Actionable advice to the school at its request, about `pupil`, attesting the start consent.
  client::Composition advice_to_school(std::string_view pupil) {
    Id school_mailbox{};
    for (const auto& organisation : device->trust().organisations()) {
      if (organisation.name.find("school") != std::string::npos) {  // Basisschool De Regenboog
        school_mailbox = device->mailboxes(organisation.org_id).value().at(0).mailbox_id;
      }
    }
    EXPECT_NE(school_mailbox, Id{});
    client::Composition letter;
    letter.kind = protocol::MessageKind::terugkoppeling;
    letter.purpose = protocol::Purpose::begeleiding;
    letter.recipients = {school_mailbox};
    letter.pupil = std::string(pupil);
    letter.attestations = {policies::Flag::schoolvraag, policies::Flag::begeleidingsakkoord};
    protocol::Fragment fragment;
    fragment.category = protocol::DataCategory::handelingsgericht_advies;
    fragment.media_type = "text/plain";
    fragment.body = protocol::SecretBytes::copy_of(view_of("Extra instructie bij lezen."));
    letter.fragments.push_back(std::move(fragment));
    return letter;
  }
  bool envelope_posted() const {
    return std::any_of(posted->begin(), posted->end(),
                       [](const std::string& t) { return is_envelope_submission(t); });
  }
};

TEST_F(ClientEvidenceTest, AnAttestedStartConsentWithoutRecordIsRefusedOnTheDevice) {
  ASSERT_TRUE(device->policy_check_status().value().enabled) << "the test needs the pre-check";
  posted->clear();
  // A pupil for whom the CLB registered nothing.
  const auto sent = device->send(advice_to_school("LL-2026-0099"));
  ASSERT_FALSE(sent) << "the sender's word alone started the guidance";
  EXPECT_EQ(sent.error(), make_error_code(client_errc::policy_refused));
  EXPECT_FALSE(envelope_posted()) << "the pre-check let the hub find out";
  const auto& refusal = device->last_problem().policy;
  ASSERT_TRUE(refusal);
  EXPECT_NE(std::find(refusal->rule_ids.begin(), refusal->rule_ids.end(), "R01"),
            refusal->rule_ids.end());
  EXPECT_TRUE(std::any_of(refusal->notes.begin(), refusal->notes.end(), [](const auto& note) {
    return note.find("no consent for guidance") != std::string::npos;
  }));
}

TEST_F(ClientEvidenceTest, WithTheStartConsentOnRecordTheAdviceGoes) {
  // The fixture registered a consent for guidance of the test pupil.
  const auto sent = device->send(advice_to_school(kTestPupilReference));
  ASSERT_TRUE(sent) << sent.error().message() << ": " << device->last_problem().detail;
  EXPECT_TRUE(envelope_posted());
}

TEST_F(ClientEvidenceTest, ARegisteredObjectionToAdviceIsRefusedOnTheDevice) {
  auto registry = device->consent_registry();
  const auto pupil = registry.pseudonym_of(kTestPupilReference).value();
  const auto registered = registry.object_to_advice(pupil);
  ASSERT_TRUE(registered && *registered) << device->last_problem().detail;
  posted->clear();
  const auto sent = device->send(advice_to_school(kTestPupilReference));
  ASSERT_FALSE(sent) << "advice went against the client's objection";
  EXPECT_EQ(sent.error(), make_error_code(client_errc::policy_refused));
  EXPECT_FALSE(envelope_posted());
  const auto& refusal = device->last_problem().policy;
  ASSERT_TRUE(refusal);
  EXPECT_NE(std::find(refusal->rule_ids.begin(), refusal->rule_ids.end(), "R03"),
            refusal->rule_ids.end());
  const auto withdrawn = registry.withdraw_advice_objection(pupil);
  ASSERT_TRUE(withdrawn && !*withdrawn);
  EXPECT_TRUE(device->send(advice_to_school(kTestPupilReference)));
}

}  // namespace
}  // namespace draaischijf::testing
