#include <future>

#include <gtest/gtest.h>

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "independent_checks.hpp"
#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;

Submission submission_to(const Id& org, std::vector<protocol::RecipientMailbox> recipients,
                         std::size_t size = 2048) {
  Submission s;
  s.message_id = random_id();
  s.sender_org = org;
  s.sender_device = random_id();
  s.kind = protocol::MessageKind::doorverwijzing;
  s.recipients = std::move(recipients);
  s.decisions = testing::allow_each(s.recipients);
  s.envelope = testing::pattern_bytes(size);
  s.received_at_ms = 1'800'000'000'000;
  return s;
}

using Outcome = boost::system::result<Accepted, Refusal>;

Outcome submit_and_wait(MessageStore& store, Submission s) {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  EXPECT_TRUE(store.submit(std::move(s), [&](Outcome r) { promise.set_value(r); }));
  return future.get();
}

sqlite::Result<void> acknowledge_and_wait(MessageStore& store, const Id& mailbox,
                                          std::int64_t sequence) {
  std::promise<sqlite::Result<void>> promise;
  auto future = promise.get_future();
  EXPECT_TRUE(store.acknowledge(mailbox, sequence, random_id(), 1,
                                MessageStore::Acknowledgement::delivered,
                                [&](sqlite::Result<void> r) { promise.set_value(r); }));
  return future.get();
}

class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = (dir / "hub.db").string();
    storage = Storage::open(path).value();
    testing::register_mailbox(path, intake, 0);
    testing::register_mailbox(path, onthaal, 3);
    testing::register_mailbox(path, small, 0);
    store = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{10000, 0.5});
  }
  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  std::unique_ptr<SqliteMessageStore> store;
  Id clb = random_id();
  Id intake = random_id();
  Id onthaal = random_id();
  Id small = random_id();
};

TEST_F(MessageStoreTest, AcceptedEnvelopeIsQueuedForEachRecipientWithAnAuditRow) {
  auto s = submission_to(clb, {{intake, 0}, {onthaal, 3}});
  const auto envelope = s.envelope;
  const auto accepted = submit_and_wait(*store, std::move(s));
  ASSERT_TRUE(accepted) << accepted.error().error.message();
  EXPECT_FALSE(accepted->duplicate);
  // 8.3 computed here with libsodium, not with the protocol library the store uses.
  EXPECT_EQ(accepted->envelope_hash, testing::independent_envelope_hash(envelope));
  for (const Id& mailbox : {intake, onthaal}) {
    const auto entries = store->list(mailbox, 0, 10).value();
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].sequence, accepted->sequence);
    EXPECT_EQ(entries[0].state, "queued");
    EXPECT_EQ(store->fetch(mailbox, accepted->sequence).value(), envelope);
  }
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 1);
}

TEST_F(MessageStoreTest, ReplayedMessageIdGetsTheOriginalReceiptAndStoresNothing) {
  auto s = submission_to(clb, {{intake, 0}});
  auto replay = s;
  replay.received_at_ms += 5000;
  const auto first = submit_and_wait(*store, std::move(s)).value();
  const auto second = submit_and_wait(*store, std::move(replay)).value();
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.sequence, first.sequence);
  EXPECT_EQ(second.received_at_ms, first.received_at_ms);
  EXPECT_EQ(store->list(intake, 0, 10).value().size(), 1U);
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 1);
}

// The receipt of a replay names the decisions made when the envelope was stored, never the
// verdict on the replay (which a revoked consent, a stale approval or a new rule set changes).
TEST_F(MessageStoreTest, AReplayGetsTheOriginalDecisionsNotTheVerdictOnTheReplay) {
  auto s = submission_to(clb, {{intake, 0}, {onthaal, 3}}, 100);
  s.decisions[0].legal_basis = "consent:" + std::string(32, 'c');
  s.decisions[0].rule_ids = "R06";
  s.decisions[1].on_behalf_of = protocol::hex_encode(clb) + "," + protocol::hex_encode(small);
  auto replay = s;
  replay.decisions = testing::allow_each(replay.recipients, "R07");
  replay.decisions[0].policy_version = replay.decisions[1].policy_version = "later";
  const auto first = submit_and_wait(*store, std::move(s)).value();
  ASSERT_EQ(first.decided.decisions.size(), 2U);
  EXPECT_EQ(first.decided.rule_set_version, "test");
  EXPECT_EQ(first.decided.decisions[0],
            (protocol::ReceiptDecision{intake, "R06", "consent:" + std::string(32, 'c'), {}}));
  EXPECT_EQ(first.decided.decisions[1],
            (protocol::ReceiptDecision{onthaal, "R99", "rule:R99", {clb, small}}));
  EXPECT_FALSE(first.decided_now);
  const auto second = submit_and_wait(*store, std::move(replay)).value();
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.decided, first.decided);
  EXPECT_FALSE(second.decided_now);
}

// A row stored before decisions were kept (schema version 8) has none: its replay gets the
// verdict on the replay, flagged, rather than no receipt at all.
TEST_F(MessageStoreTest, AReplayOfARowWithoutDecisionsGetsTheVerdictOnTheReplay) {
  auto s = submission_to(clb, {{intake, 0}}, 100);
  auto replay = s;
  replay.decisions = testing::allow_each(replay.recipients, "R07");
  ASSERT_TRUE(submit_and_wait(*store, std::move(s)));
  {
    auto db = sqlite::Database::open((dir / "hub.db").string()).value();
    ASSERT_TRUE(db.exec("UPDATE envelopes SET decided = NULL"));
  }
  const auto second = submit_and_wait(*store, std::move(replay)).value();
  EXPECT_TRUE(second.duplicate);
  EXPECT_TRUE(second.decided_now);
  ASSERT_EQ(second.decided.decisions.size(), 1U);
  EXPECT_EQ(second.decided.decisions[0].rule_ids, "R07");
}

// Nothing is stored whose receipt could not be signed; an envelope to an unknown mailbox, for
// which the gate decides nothing, is still refused for what it is.
TEST_F(MessageStoreTest, DecisionsThatDoNotFitAReceiptStoreNothing) {
  auto s = submission_to(clb, {{intake, 0}});
  s.decisions[0].policy_version.assign(protocol::kRuleSetVersionMax + 1, '1');
  EXPECT_EQ(submit_and_wait(*store, std::move(s)).error().error,
            make_error_code(store_errc::decisions_invalid));
  auto two_versions = submission_to(clb, {{intake, 0}, {onthaal, 3}});
  two_versions.decisions[1].policy_version = "other";
  EXPECT_EQ(submit_and_wait(*store, std::move(two_versions)).error().error,
            make_error_code(store_errc::decisions_invalid));
  auto unknown = submission_to(clb, {{random_id(), 0}});
  unknown.decisions.clear();
  EXPECT_EQ(submit_and_wait(*store, std::move(unknown)).error().error,
            make_error_code(protocol::errc::unknown_epoch));
  EXPECT_TRUE(store->list(intake, 0, 10).value().empty());
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 0);
}

TEST_F(MessageStoreTest, SameMessageIdFromAnotherOrganisationIsRefused) {
  auto s = submission_to(clb, {{intake, 0}});
  auto stolen = s;
  stolen.sender_org = random_id();
  ASSERT_TRUE(submit_and_wait(*store, std::move(s)));
  EXPECT_EQ(submit_and_wait(*store, std::move(stolen)).error().error,
            make_error_code(store_errc::message_id_taken));
}

TEST_F(MessageStoreTest, ReadsAreScopedByMailbox) {
  const auto accepted = submit_and_wait(*store, submission_to(clb, {{intake, 0}})).value();
  const Id other = random_id();
  EXPECT_TRUE(store->list(other, 0, 10).value().empty());
  EXPECT_EQ(store->fetch(other, accepted.sequence).error(), make_error_code(store_errc::not_found));
  EXPECT_EQ(store->fetch(intake, accepted.sequence + 1000).error(),
            make_error_code(store_errc::not_found));
}

TEST_F(MessageStoreTest, CursorPagingReturnsEachEntryOnceInOrder) {
  std::vector<std::int64_t> sequences;
  for (int i = 0; i < 7; ++i) {
    sequences.push_back(submit_and_wait(*store, submission_to(clb, {{intake, 0}}, 100))->sequence);
  }
  std::vector<std::int64_t> seen;
  std::int64_t cursor = 0;
  while (true) {
    const auto page = store->list(intake, cursor, 3).value();
    if (page.empty()) {
      break;
    }
    for (const auto& entry : page) {
      seen.push_back(entry.sequence);
    }
    cursor = page.back().sequence;
  }
  EXPECT_EQ(seen, sequences);
}

TEST_F(MessageStoreTest, AcknowledgementMarksDeliveredForTheSenderToSee) {
  auto s = submission_to(clb, {{intake, 0}, {onthaal, 3}});
  const Id message = s.message_id;
  const auto accepted = submit_and_wait(*store, std::move(s)).value();
  ASSERT_TRUE(acknowledge_and_wait(*store, intake, accepted.sequence));
  ASSERT_TRUE(acknowledge_and_wait(*store, intake, accepted.sequence));  // retried: still fine
  const auto status = store->delivery_status(message, clb).value();
  ASSERT_EQ(status.size(), 2U);
  for (const auto& [mailbox, state] : status) {
    EXPECT_EQ(state, mailbox == intake ? "delivered" : "queued");
  }
  EXPECT_EQ(store->audit_count("envelope.delivered").value(), 1);
  EXPECT_EQ(store->delivery_status(message, random_id()).error(),
            make_error_code(store_errc::not_found));
  EXPECT_EQ(acknowledge_and_wait(*store, random_id(), accepted.sequence).error(),
            make_error_code(store_errc::not_found));
}

// Revoking a consent takes back what still waits under it, of the revoking organisation only;
// what was delivered has left the hub and stays delivered.
TEST_F(MessageStoreTest, RevokedConsentWithdrawsWhatStillWaitsUnderIt) {
  const Id consent = random_id();
  const auto under_consent = [&](const Id& org, const Id& reference) {
    auto s = submission_to(org, {{intake, 0}, {onthaal, 3}});
    s.consent_reference = reference;
    return s;
  };
  auto first = under_consent(clb, consent);
  const Id first_id = first.message_id;
  const auto delivered = submit_and_wait(*store, std::move(first)).value();
  ASSERT_TRUE(acknowledge_and_wait(*store, intake, delivered.sequence));
  auto second = under_consent(clb, consent);
  const Id second_id = second.message_id;
  const auto waiting = submit_and_wait(*store, std::move(second)).value();
  const auto other_consent = submit_and_wait(*store, under_consent(clb, random_id())).value();
  const auto other_org = submit_and_wait(*store, under_consent(random_id(), consent)).value();

  std::promise<sqlite::Result<std::vector<Withdrawal>>> promise;
  ASSERT_TRUE(store->withdraw_under_consent(
      consent, clb, 2, [&](sqlite::Result<std::vector<Withdrawal>> r) { promise.set_value(r); }));
  const auto withdrawn = promise.get_future().get().value();
  // The first envelope's onthaal entry and both entries of the second.
  ASSERT_EQ(withdrawn.size(), 3U);
  EXPECT_EQ(store->audit_count("envelope.withdrawn").value(), 3);
  for (const auto& [mailbox, state] : store->delivery_status(first_id, clb).value()) {
    EXPECT_EQ(state, mailbox == intake ? "delivered" : "withdrawn");
  }
  for (const auto& [mailbox, state] : store->delivery_status(second_id, clb).value()) {
    EXPECT_EQ(state, "withdrawn");
  }
  EXPECT_EQ(store->fetch(intake, waiting.sequence).error(), make_error_code(store_errc::not_found));
  EXPECT_TRUE(store->fetch(intake, delivered.sequence));
  EXPECT_TRUE(store->fetch(intake, other_consent.sequence));
  EXPECT_TRUE(store->fetch(intake, other_org.sequence));
  const auto listed = store->list(intake, 0, 10).value();
  ASSERT_EQ(listed.size(), 4U);
  EXPECT_EQ(listed[1].state, "withdrawn");
}

template <class T, class Start>
T wait_for(Start start) {
  std::promise<T> promise;
  auto future = promise.get_future();
  EXPECT_TRUE(start([&](T r) { promise.set_value(std::move(r)); }));
  return future.get();
}

// The registry keeps a consent as it was registered, a revocation withdraws what waits under it
// in the same transaction, and a submission that rests on the consent is refused from then on
// by its own storing transaction. An allowed message about a pupil enters the disclosure
// register with its basis.
TEST_F(MessageStoreTest, ARevokedConsentHoldsForTheVeryNextSubmission) {
  SqliteConsentRegistry registry(storage);
  StoredConsent consent;
  consent.consent_id = random_id();
  consent.org_id = clb;
  consent.pupil.fill(0x5e);
  consent.registered_by = random_id();
  consent.registered_at_ms = 1;
  std::string error;
  auto entry = policies::consent_from_json(
      boost::json::parse(R"({"pupil":")" + protocol::hex_encode(consent.pupil) +
                         R"(","giver":"ouders","capacity":"voogd",)"
                         R"("pupil_facts":{"birth_date":"2016-05-01","competency":"vermoed"},)"
                         R"("scope":{"organisation_types":["caw"]},"categories":["contact"],)"
                         R"("purposes":["doorverwijzing"],"valid_from":"2026-01-01"})")
          .as_object(),
      error);
  ASSERT_TRUE(entry) << error;
  entry->record.id = protocol::hex_encode(consent.consent_id);
  consent.entry = *entry;
  ASSERT_TRUE(
      (wait_for<sqlite::Result<void>>([&](auto done) { return registry.add(consent, done); })));

  const auto under_consent = [&] {
    auto s = submission_to(clb, {{intake, 0}});
    s.consent_reference = consent.consent_id;
    s.pupil_pseudonym = consent.pupil;
    s.rests_on_consent = true;
    s.decisions = {{protocol::Id{}, intake, "allow", "staff", "clb_psycholoog", "",
                    "consent:" + consent.entry.record.id, "R06", "2026.12.1", "doorverwijzing",
                    "doorverwijzing", "contact"}};
    return s;
  };
  const auto queued = submit_and_wait(*store, under_consent());
  ASSERT_TRUE(queued);
  const auto disclosed = registry.disclosures(clb, consent.pupil).value();
  ASSERT_EQ(disclosed.size(), 1U);
  EXPECT_EQ(disclosed[0].line.legal_basis, "consent:" + consent.entry.record.id);
  // The line comes with the audit row of its decision, whose entry the record log holds at the
  // row's index (what GET /v1/disclosures proves it with).
  ASSERT_TRUE(disclosed[0].decision);
  EXPECT_TRUE(policies::records_disclosure(disclosed[0].decision->view(), disclosed[0].line, clb,
                                           consent.pupil));
  const auto hub_key = protocol::SigningKey::generate();
  TransparencyLogs logs(storage, hub_key);
  const auto logged = logs.entry(LogId::record, disclosed[0].record_index);
  ASSERT_TRUE(logged);
  const auto expected = protocol::audit_record_entry(disclosed[0].decision->view());
  EXPECT_TRUE(std::equal(logged->begin(), logged->end(), expected.begin(), expected.end()));
  EXPECT_EQ(store->audit_count("policy.decision").value(), 1);

  const auto other_org = wait_for<sqlite::Result<std::vector<Withdrawal>>>([&](auto done) {
    return registry.revoke(consent.consent_id, random_id(), random_id(), 2, {2026, 3, 1}, done);
  });
  EXPECT_EQ(other_org.error(), make_error_code(consent_errc::not_found));
  const auto withdrawn = wait_for<sqlite::Result<std::vector<Withdrawal>>>([&](auto done) {
    return registry.revoke(consent.consent_id, clb, random_id(), 2, {2026, 3, 1}, done);
  });
  ASSERT_TRUE(withdrawn);
  ASSERT_EQ(withdrawn->size(), 1U);
  EXPECT_EQ(withdrawn->at(0).sequence, queued->sequence);
  EXPECT_TRUE(registry.disclosures(clb, consent.pupil).value().empty())
      << "a withdrawn message was never received, so never disclosed";
  // A refusal is on record, but its allowed recipients are not disclosed to.
  ASSERT_TRUE((wait_for<sqlite::Result<void>>(
      [&](auto done) { return store->record_refusal(under_consent(), done); })));
  EXPECT_EQ(store->audit_count("policy.decision").value(), 2);
  EXPECT_TRUE(registry.disclosures(clb, consent.pupil).value().empty());
  EXPECT_EQ(submit_and_wait(*store, under_consent()).error().error,
            make_error_code(store_errc::consent_revoked));
  const auto again = wait_for<sqlite::Result<std::vector<Withdrawal>>>([&](auto done) {
    return registry.revoke(consent.consent_id, clb, random_id(), 3, {2026, 3, 2}, done);
  });
  EXPECT_EQ(again.error(), make_error_code(consent_errc::already_revoked));

  const auto kept = registry.for_pupil(clb, consent.pupil).value();
  ASSERT_EQ(kept.size(), 1U);
  const auto& record = kept[0].entry.record;
  EXPECT_TRUE(record.revoked);
  EXPECT_EQ(record.revoked_on, (policies::CivilDate{2026, 3, 1}));
  EXPECT_EQ(record.capacity, "voogd");
  EXPECT_EQ(record.giver, policies::ConsentGiver::ouders);
  EXPECT_TRUE(record.recipient_org_types.contains(protocol::OrgType::caw));
  EXPECT_EQ(kept[0].entry.pupil.birth_date, (policies::CivilDate{2016, 5, 1}));
  EXPECT_TRUE(registry.for_pupil(random_id(), consent.pupil).value().empty());
}

TEST_F(MessageStoreTest, ConcurrentSubmissionsShareCommits) {
  constexpr int kCount = 200;
  std::vector<std::promise<Outcome>> promises(kCount);
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(store->submit(submission_to(clb, {{intake, 0}}, 32), [&promises, i](Outcome r) {
      promises[static_cast<std::size_t>(i)].set_value(r);
    }));
  }
  for (auto& p : promises) {
    EXPECT_TRUE(p.get_future().get());
  }
  EXPECT_EQ(store->list(intake, 0, 1000).value().size(), static_cast<std::size_t>(kCount));
  // 200 submissions queued at once are committed in far fewer transactions.
  EXPECT_LT(store->writer().commits(), static_cast<std::uint64_t>(kCount) / 2);
}

TEST_F(MessageStoreTest, RecipientsMustBeKnownMailboxesAtTheirCurrentEpoch) {
  const auto stale = submit_and_wait(*store, submission_to(clb, {{intake, 0}, {onthaal, 2}}));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().error, make_error_code(protocol::errc::stale_epoch));
  EXPECT_EQ(stale.error().mailbox, onthaal);
  const Id unknown = random_id();
  const auto missing = submit_and_wait(*store, submission_to(clb, {{unknown, 0}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error, make_error_code(protocol::errc::unknown_epoch));
  EXPECT_EQ(missing.error().mailbox, unknown);
  const auto ahead = submit_and_wait(*store, submission_to(clb, {{onthaal, 4}}));
  ASSERT_FALSE(ahead);
  EXPECT_EQ(ahead.error().error, make_error_code(protocol::errc::unknown_epoch))
      << "an epoch newer than the current one does not exist";
  // Nothing of a refused submission is stored, not even for the good recipient.
  EXPECT_TRUE(store->list(intake, 0, 10).value().empty());
  EXPECT_EQ(store->audit_count("envelope.accepted").value(), 0);
}

TEST_F(MessageStoreTest, AMailboxWhoseCurrentEpochHasExpiredTakesNothing) {
  // The submissions are received at 1,800,000,000 s; this epoch ended a second before.
  const Id expired = random_id();
  testing::register_mailbox((dir / "hub.db").string(), expired, 0, 0, 1'799'999'999);
  const auto refused = submit_and_wait(*store, submission_to(clb, {{intake, 0}, {expired, 0}}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error, make_error_code(protocol::errc::epoch_expired));
  EXPECT_EQ(refused.error().mailbox, expired);
  EXPECT_TRUE(store->list(intake, 0, 10).value().empty());
  const Id early = random_id();
  testing::register_mailbox((dir / "hub.db").string(), early, 0, 1'800'000'001);
  const auto not_yet = submit_and_wait(*store, submission_to(clb, {{early, 0}}));
  ASSERT_FALSE(not_yet);
  EXPECT_EQ(not_yet.error().error, make_error_code(protocol::errc::epoch_not_yet_valid));
}

TEST_F(MessageStoreTest, QuotaWarnsThenRefusesAndDeliveryFreesRoom) {
  // Quota 10,000 bytes with a warning above half.
  const auto first = submit_and_wait(*store, submission_to(clb, {{small, 0}}, 4000)).value();
  EXPECT_TRUE(first.near_quota.empty());
  const auto second = submit_and_wait(*store, submission_to(clb, {{small, 0}}, 4000)).value();
  ASSERT_EQ(second.near_quota.size(), 1U);
  EXPECT_EQ(second.near_quota[0], small);
  const auto full = submit_and_wait(*store, submission_to(clb, {{small, 0}}, 4000));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().error, make_error_code(store_errc::mailbox_full));
  EXPECT_EQ(full.error().mailbox, small);
  ASSERT_TRUE(acknowledge_and_wait(*store, small, first.sequence));
  EXPECT_TRUE(submit_and_wait(*store, submission_to(clb, {{small, 0}}, 4000)));
}

TEST(GroupCommitWriterTest, FullQueueRefusesInsteadOfGrowing) {
  testing::TempDir dir;
  GroupCommitWriter writer(sqlite::Database::open((dir / "w.db").string()).value(),
                           {.queue = 2, .batch = 1});
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  // The first job holds the writer inside its transaction until released.
  ASSERT_TRUE(writer.submit(
      [&started, gate](sqlite::Database&) -> sqlite::Result<void> {
        started.set_value();
        gate.wait();
        return {};
      },
      [](sqlite::Result<void>) {}));
  started.get_future().wait();
  const auto noop = [](sqlite::Database&) -> sqlite::Result<void> { return {}; };
  EXPECT_TRUE(writer.submit(noop, [](sqlite::Result<void>) {}));
  EXPECT_TRUE(writer.submit(noop, [](sqlite::Result<void>) {}));
  EXPECT_FALSE(writer.submit(noop, [](sqlite::Result<void>) {}));  // queue of 2 is full
  release.set_value();
}

TEST(GroupCommitWriterTest, FailingJobRollsBackAloneAndOthersCommit) {
  testing::TempDir dir;
  const auto path = (dir / "w.db").string();
  {
    GroupCommitWriter writer(sqlite::Database::open(path).value(), {});
    std::vector<std::promise<sqlite::Result<void>>> done(3);
    const auto insert = [](std::int64_t id) {
      return [id](sqlite::Database& db) -> sqlite::Result<void> {
        auto s = db.prepare("INSERT INTO audit (id, at_ms, event) VALUES (?, 0, 'x')");
        if (!s) {
          return s.error();
        }
        s->bind(1, id);
        return s->run();
      };
    };
    ASSERT_TRUE(writer.submit(insert(1), [&](auto r) { done[0].set_value(r); }));
    ASSERT_TRUE(writer.submit(insert(1), [&](auto r) { done[1].set_value(r); }));  // duplicate key
    ASSERT_TRUE(writer.submit(insert(2), [&](auto r) { done[2].set_value(r); }));
    EXPECT_TRUE(done[0].get_future().get());
    EXPECT_EQ(done[1].get_future().get().error(), sqlite::errc::constraint_violation);
    EXPECT_TRUE(done[2].get_future().get());
  }
  auto db = sqlite::Database::open(path).value();
  auto count = db.prepare("SELECT count(*) FROM audit").value();
  ASSERT_TRUE(count.step().value());
  EXPECT_EQ(count.column_int64(0), 2);
  EXPECT_TRUE(db.integrity_check());
}

TEST(SqliteTest, OpensWithDurableSettingsAndCurrentSchema) {
  testing::TempDir dir;
  auto db = sqlite::Database::open((dir / "s.db").string()).value();
  auto mode = db.prepare("PRAGMA journal_mode").value();
  ASSERT_TRUE(mode.step().value());
  EXPECT_EQ(mode.column_text(0), "wal");
  auto sync = db.prepare("PRAGMA synchronous").value();
  ASSERT_TRUE(sync.step().value());
  EXPECT_EQ(sync.column_int64(0), 2);  // FULL
  auto keys = db.prepare("PRAGMA foreign_keys").value();
  ASSERT_TRUE(keys.step().value());
  EXPECT_EQ(keys.column_int64(0), 1);
  // messages, directory, read receipts, blobs, consent references, consent registry,
  // dossier transfers, pupil keys, admin nonces, objections to advice, the decisions a receipt
  // names, region and offer with the directory bundles, claimed staff ids, referrals, the
  // directory log's leaves by hash, organisation removals, the logs' stored levels, the signed
  // transfer announcement
  EXPECT_EQ(db.schema_version().value(), 22);
}

TEST(SqliteTest, RefusesADatabaseFromANewerVersion) {
  testing::TempDir dir;
  const auto path = (dir / "s.db").string();
  {
    auto db = sqlite::Database::open(path).value();
    ASSERT_TRUE(db.exec("UPDATE schema_version SET version = 99"));
  }
  EXPECT_EQ(sqlite::Database::open(path).error(), sqlite::errc::schema_too_new);
}

}  // namespace
}  // namespace draaischijf::server
