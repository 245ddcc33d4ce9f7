// R14's objection window is the hub's evidence, not the sender's word: the policy gate sets
// schoolverandering, wachttermijn_verstreken and verzet from the transfer announcement the CLB
// registered and from the clock it is given (`now`, injected here: nobody waits ten days). A
// sender who attests the flags without an announcement, or before the window has passed, or
// after an objection, is refused; the mandatory set (R13) still goes on an objection.
// Likewise R01's start consent (begeleidingsakkoord): it counts only when the CLB registered a
// consent for guidance of the pupil at the hub, whatever the sender attests; and R03's absence
// of an objection to advice: a registered objection sets `verzet`.

#include <algorithm>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include <draaischijf/policies/consent_json.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/directory.hpp>

#include "policy/policy_gate.hpp"
#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using namespace std::chrono_literals;
using policies::Flag;
using protocol::DataCategory;
using protocol::Id;

constexpr Id kSenderClb{0x01};
constexpr Id kNewClb{0x02};
constexpr Id kDevice{0x03};
constexpr Id kNewClbMailbox{0x04};
constexpr protocol::Hash256 kPupil{0x05};
constexpr Id kSchool{0x07};
constexpr Id kSchoolMailbox{0x08};
constexpr Id kOtherClb{0x09};
constexpr Id kOtherClbMailbox{0x0a};

// 2026-03-02 09:00 UTC, a Monday: the day the transfer is announced.
const auto kAnnounced =
    std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year{2026} / 3 / 2)) +
    9h;

std::uint32_t bits(std::initializer_list<Flag> flags) {
  return static_cast<std::uint32_t>(policies::FlagSet(flags).bits());
}

std::int64_t ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

template <class Start>
sqlite::Result<void> committed(Start start) {
  std::promise<sqlite::Result<void>> promise;
  auto future = promise.get_future();
  EXPECT_TRUE(start([&](sqlite::Result<void> r) { promise.set_value(r); }));
  return future.get();
}

class TransferEvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    testing::register_mailbox(path, kNewClbMailbox, 0, kNewClb, "clb");
    testing::register_mailbox(path, kSchoolMailbox, 0, kSchool, "school");
    testing::register_mailbox(path, kOtherClbMailbox, 0, kOtherClb, "clb");
    auto db = sqlite::Database::open(path).value();
    testing::register_organisation(db, kSenderClb, "clb");
    const std::array<std::uint8_t, 32> key{};
    auto device = db.prepare(
                        "INSERT INTO devices (device_id, org_id, role, state, signing_key, "
                        "encryption_key, staff_id, requested_at_ms) "
                        "VALUES (?, ?, 'clb_onthaal', 'enrolled', ?, ?, ?, 0)")
                      .value();
    device.bind(1, kDevice).bind(2, kSenderClb).bind(3, key).bind(4, key).bind(5, Id{0x06});
    ASSERT_TRUE(device.run());
  }

  // The rest of the dossier (R14), or with `mandatory` the mandatory set (R13), to the new
  // CLB, attesting `flags`.
  sqlite::Result<GateVerdict> judge(std::uint32_t flags, std::chrono::system_clock::time_point now,
                                    bool mandatory = false, Id to = kNewClbMailbox) {
    protocol::OuterHeader outer;
    outer.message_id = protocol::random_id();
    outer.sender_org = kSenderClb;
    outer.kind = protocol::MessageKind::doorverwijzing;
    outer.purpose = protocol::Purpose::dossieroverdracht;
    outer.categories.add(mandatory ? DataCategory::identificatie : DataCategory::psychisch_sociaal);
    outer.attestations = flags;
    outer.pupil_pseudonym = kPupil;
    outer.recipients = {{to, 0}};
    return gate.judge(caller, outer, now);
  }

  // Actionable advice to the school at its request (R03, and R01 while guidance has not
  // started), attesting `flags`.
  sqlite::Result<GateVerdict> advise_school(std::uint32_t flags) {
    protocol::OuterHeader outer;
    outer.message_id = protocol::random_id();
    outer.sender_org = kSenderClb;
    outer.kind = protocol::MessageKind::terugkoppeling;
    outer.purpose = protocol::Purpose::begeleiding;
    outer.categories.add(DataCategory::handelingsgericht_advies);
    outer.attestations = flags;
    outer.pupil_pseudonym = kPupil;
    outer.recipients = {{kSchoolMailbox, 0}};
    return gate.judge(caller, outer, kAnnounced);
  }

  // A consent the CLB registered for the pupil, for `purpose`, from 2026-01-01.
  void register_consent(std::string_view purpose) {
    std::string error;
    auto entry = policies::consent_from_json(
        boost::json::parse(R"({"pupil":")" + protocol::hex_encode(kPupil) +
                           R"(","giver":"ouders","capacity":"moeder",)"
                           R"("pupil_facts":{"birth_date":"2016-05-01","competency":"vermoed"},)"
                           R"("scope":{"organisation_types":["clb"]},"categories":["contact"],)"
                           R"("purposes":[")" +
                           std::string(purpose) + R"("],"valid_from":"2026-01-01"})")
            .as_object(),
        error);
    ASSERT_TRUE(entry) << error;
    StoredConsent consent;
    consent.consent_id = protocol::random_id();
    consent.org_id = kSenderClb;
    consent.pupil = kPupil;
    consent.registered_by = kDevice;
    consent.registered_at_ms = 1;
    entry->record.id = protocol::hex_encode(consent.consent_id);
    consent.entry = *entry;
    ASSERT_TRUE(committed([&](auto done) { return registry.add(consent, done); }));
  }

  static bool needs_consent_by_r01(const GateVerdict& verdict) {
    if (!verdict.refusal) {
      return false;
    }
    const auto ids = verdict.refusal->rule_ids();
    return std::find(ids.begin(), ids.end(), "R01") != ids.end();
  }

  // The signed announcement's record (the route checked the statement) to the new CLB, the
  // parents told that day; `signed_to` nullopt: a record from before statements were signed.
  void announce(std::chrono::system_clock::time_point at = kAnnounced,
                std::optional<Id> signed_to = kNewClb) {
    TransferRecord record;
    record.org_id = kSenderClb;
    record.pupil = kPupil;
    record.announced_at_ms = ms(at);
    record.announced_by = kDevice;
    record.receiving_org = signed_to;
    record.told_day = signed_to ? static_cast<std::uint32_t>(ms(at) / (24 * 3600 * 1000)) : 0;
    record.statement = {0x01};
    ASSERT_TRUE(committed([&](auto done) { return registry.announce_transfer(record, done); }));
  }

  static bool refused_by_r14(const GateVerdict& verdict) {
    if (!verdict.refusal) {
      return false;
    }
    const auto ids = verdict.refusal->rule_ids();
    return std::find(ids.begin(), ids.end(), "R14") != ids.end();
  }

  static bool noted(const GateVerdict& verdict, std::string_view part) {
    return std::any_of(verdict.notes.begin(), verdict.notes.end(),
                       [&](const std::string& n) { return n.find(part) != std::string::npos; });
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage = Storage::open((dir / "hub.db").string()).value();
  SqliteDirectory directory{storage};
  SqliteConsentRegistry registry{storage};
  PolicyInForce policy{
      HubPolicy{std::make_shared<const policies::RuleSet>(
                    policies::parse_rule_set(policies::bundled_rule_text()).value()),
                std::string(policies::bundled_rule_text()),
                "",
                {}}};
  WorkflowSettings workflow{HubConfig::Workflow{}};  // the default calendar for every CLB
  PolicyGate gate{policy, directory, registry, workflow};
  Caller caller{kSenderClb, kDevice, protocol::OrgType::clb, "clb_onthaal", false, true};
  const std::uint32_t passed = bits({Flag::schoolverandering, Flag::wachttermijn_verstreken});
};

TEST_F(TransferEvidenceTest, AttestedWaitingPeriodWithoutAnnouncementIsRefused) {
  const auto verdict = judge(passed, kAnnounced + 30 * 24h).value();
  EXPECT_TRUE(verdict.refusal) << "the sender's word alone opened R14";
  EXPECT_TRUE(noted(verdict, "no dossier transfer is announced")) << verdict.notes.size();
}

TEST_F(TransferEvidenceTest, ElevenDaysAfterTheAnnouncementWithoutObjectionTheRestGoes) {
  announce();
  const auto verdict = judge(passed, kAnnounced + 11 * 24h).value();
  EXPECT_FALSE(verdict.refusal) << "11 days after the announcement the window has passed";
  // The hub's own computation: the sender need not even attest the passed window.
  EXPECT_FALSE(judge(bits({Flag::schoolverandering}), kAnnounced + 11 * 24h).value().refusal);
}

TEST_F(TransferEvidenceTest, WithinTheWindowTheSendersAttestationDoesNotCount) {
  announce();
  const auto verdict = judge(passed, kAnnounced + 5 * 24h).value();
  EXPECT_TRUE(refused_by_r14(verdict));
  EXPECT_TRUE(noted(verdict, "passes on 2026-03-13"));
  // Ten calendar days after Monday 2 March: the tenth, Thursday 12 March, is still inside.
  EXPECT_TRUE(refused_by_r14(judge(passed, kAnnounced + 10 * 24h).value()));
  EXPECT_FALSE(judge(passed, kAnnounced + 11 * 24h).value().refusal) << "10 calendar days";
}

TEST_F(TransferEvidenceTest, AWindowWhoseLastDayIsAWeekendDayEndsOnTheNextWorkingDay) {
  // Wednesday 4 March: the tenth day is Saturday 14 March; the window ends on Monday 16.
  announce(kAnnounced + 2 * 24h);
  EXPECT_TRUE(refused_by_r14(judge(passed, kAnnounced + 14 * 24h).value())) << "Monday 16";
  EXPECT_FALSE(judge(passed, kAnnounced + 15 * 24h).value().refusal) << "Tuesday 17";
}

TEST_F(TransferEvidenceTest, OnlyTheNewClbTheAnnouncementNamesGetsTheDossier) {
  announce();
  for (const bool mandatory : {false, true}) {
    const auto verdict = judge(passed, kAnnounced + 30 * 24h, mandatory, kOtherClbMailbox).value();
    ASSERT_TRUE(verdict.refusal) << "the dossier went to a CLB the announcement does not name";
    EXPECT_EQ(verdict.refused_org, kOtherClb);
    EXPECT_TRUE(noted(verdict, "names another CLB")) << verdict.notes.size();
    EXPECT_FALSE(judge(passed, kAnnounced + 30 * 24h, mandatory).value().refusal);
  }
}

TEST_F(TransferEvidenceTest, AnAnnouncementWithoutASignedStatementOpensNothing) {
  announce(kAnnounced, std::nullopt);
  const auto verdict = judge(passed, kAnnounced + 30 * 24h, true).value();
  EXPECT_TRUE(verdict.refusal) << "an unsigned announcement opened R13";
  EXPECT_TRUE(noted(verdict, "without a signed statement"));
}

TEST_F(TransferEvidenceTest, ARegisteredObjectionHoldsBackTheRestButNotTheMandatorySet) {
  announce();
  ASSERT_TRUE(committed([&](auto done) {
    return registry.register_objection(kSenderClb, kPupil, kDevice, ms(kAnnounced + 24h), done);
  }));
  const auto verdict = judge(passed, kAnnounced + 30 * 24h).value();
  EXPECT_TRUE(refused_by_r14(verdict)) << "the objection counts though the sender left it out";
  EXPECT_TRUE(noted(verdict, "objection"));
  EXPECT_FALSE(judge(passed, kAnnounced + 30 * 24h, true).value().refusal) << "R13 still goes";
}

TEST_F(TransferEvidenceTest, TheMandatorySetNeedsTheAnnouncementToo) {
  EXPECT_TRUE(judge(bits({Flag::schoolverandering}), kAnnounced, true).value().refusal);
  announce();
  EXPECT_FALSE(judge(bits({Flag::schoolverandering}), kAnnounced, true).value().refusal);
}

TEST_F(TransferEvidenceTest, AnAttestedStartConsentWithoutARegisteredOneDoesNotCount) {
  const auto verdict = advise_school(bits({Flag::schoolvraag, Flag::begeleidingsakkoord})).value();
  EXPECT_TRUE(needs_consent_by_r01(verdict)) << "the sender's word alone skipped R01";
  EXPECT_TRUE(noted(verdict, "no consent for guidance of this pupil is registered"));
}

TEST_F(TransferEvidenceTest, ARegisteredConsentForGuidanceStartsIt) {
  register_consent("doorverwijzing");
  EXPECT_TRUE(needs_consent_by_r01(advise_school(bits({Flag::schoolvraag})).value()))
      << "a consent for another purpose is not the start consent";
  register_consent("begeleiding");
  // The hub's record: the sender need not even attest it.
  EXPECT_FALSE(advise_school(bits({Flag::schoolvraag})).value().refusal);
  EXPECT_FALSE(advise_school(bits({Flag::schoolvraag, Flag::begeleidingsakkoord})).value().refusal);
}

TEST_F(TransferEvidenceTest, AStandingObjectionToAdviceHoldsItBackWhateverTheSenderAttests) {
  register_consent("begeleiding");
  ASSERT_FALSE(advise_school(bits({Flag::schoolvraag})).value().refusal);
  const AdviceObjection objection{kSenderClb, kPupil, ms(kAnnounced - 24h), kDevice};
  ASSERT_TRUE(
      committed([&](auto done) { return registry.register_advice_objection(objection, done); }));
  const auto verdict = advise_school(bits({Flag::schoolvraag})).value();
  ASSERT_TRUE(verdict.refusal) << "the client's objection did not count";
  const auto ids = verdict.refusal->rule_ids();
  EXPECT_NE(std::find(ids.begin(), ids.end(), "R03"), ids.end());
  EXPECT_TRUE(noted(verdict, "objection to advice"));
  ASSERT_TRUE(committed([&](auto done) {
    return registry.withdraw_advice_objection(kSenderClb, kPupil, kDevice, ms(kAnnounced), done);
  }));
  EXPECT_FALSE(advise_school(bits({Flag::schoolvraag})).value().refusal) << "withdrawn";
}

}  // namespace
}  // namespace draaischijf::server
