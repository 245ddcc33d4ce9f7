// The operator's removal of an organisation in the store: one transaction with the removal row,
// the devices set to removed, the directory log entry and the audit row (all or nothing); the
// mailboxes refuse new envelopes and keep what waits; the id is never registered again; the
// directory bundle lists the removal, signed with the rest.

#include <future>

#include <gtest/gtest.h>

#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/store/directory_bundles.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/organisation_removal.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "store_fixture.hpp"
#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;
using protocol::RemovalReason;

class OrganisationRemovalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage = Storage::open(path()).value();
    directory = std::make_unique<SqliteDirectory>(storage);
    for (const auto& [id, type] :
         {std::pair{clb, protocol::OrgType::clb}, std::pair{caw, protocol::OrgType::caw}}) {
      Organisation o{id, type, type == protocol::OrgType::clb ? "CLB" : "CAW",
                     protocol::SigningKey::generate().public_key()};
      ASSERT_TRUE(
          directory->wait([&](auto done) { return directory->add_organisation(o, 1, done); }));
    }
    testing::register_mailbox(path(), caw_mailbox, 0, caw, "caw");
    Device request;
    request.device_id = caw_device;
    request.org_id = caw;
    request.role = "partner_intake";
    request.signing_key = protocol::SigningKey::generate().public_key();
    request.requested_at_ms = 2;
    ASSERT_TRUE(
        directory->wait([&](auto done) { return directory->request_enrolment(request, done); }));
    store = std::make_unique<SqliteMessageStore>(storage, MailboxLimits{1'000'000, 0.9});
  }
  [[nodiscard]] std::string path() const { return (dir / "hub.db").string(); }
  sqlite::Result<void> remove(const Id& org, RemovalReason reason = RemovalReason::merged) {
    std::promise<sqlite::Result<void>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(remove_organisation_by_operator(*storage, org, reason, 1'800'000'000'000,
                                                [&](auto result) { promise.set_value(result); }));
    return future.get();
  }
  std::int64_t count(const std::string& sql) const {
    auto db = sqlite::Database::open(path()).value();
    auto select = db.prepare(sql).value();
    EXPECT_TRUE(select.step().value());
    return select.column_int64(0);
  }
  std::int64_t directory_entries() const {
    return count("SELECT count(*) FROM log_entries WHERE log = " +
                 std::to_string(static_cast<int>(LogId::directory)));
  }
  boost::system::result<Accepted, Refusal> submit(const Id& from, const Id& to) {
    Submission s;
    s.message_id = random_id();
    s.sender_org = from;
    s.sender_device = random_id();
    s.kind = protocol::MessageKind::doorverwijzing;
    s.recipients = {{to, 0}};
    s.decisions = testing::allow_each(s.recipients);
    s.envelope = testing::pattern_bytes(100);
    s.received_at_ms = 1'800'000'000'000;
    std::promise<boost::system::result<Accepted, Refusal>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(store->submit(std::move(s), [&](auto r) { promise.set_value(r); }));
    return future.get();
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage;
  std::unique_ptr<SqliteDirectory> directory;
  std::unique_ptr<SqliteMessageStore> store;
  Id clb = random_id();
  Id caw = random_id();
  Id caw_mailbox = random_id();
  Id caw_device = random_id();
};

TEST_F(OrganisationRemovalTest, RemovesDevicesWithItsLogEntryAndAuditRow) {
  const auto entries = directory_entries();
  ASSERT_TRUE(remove(caw));
  EXPECT_EQ(directory->device(caw_device).value().state, DeviceState::removed);
  EXPECT_TRUE(directory->organisation(caw).value().removed_at_ms);
  EXPECT_EQ(store->audit_count("organisation.removed").value(), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit WHERE event = 'organisation.removed' AND detail = "
                  "'reason=merged devices=1'"),
            1);
  ASSERT_EQ(directory_entries(), entries + 1);
  auto db = sqlite::Database::open(path()).value();
  auto last = db.prepare("SELECT entry FROM log_entries WHERE log = ? ORDER BY idx DESC").value();
  last.bind(1, static_cast<std::int64_t>(LogId::directory));
  ASSERT_TRUE(last.step().value());
  const auto blob = last.column_blob(0);
  EXPECT_EQ(std::vector<std::uint8_t>(blob.begin(), blob.end()),
            protocol::organisation_removed_entry(caw, 1'800'000'000'000,
                                                 static_cast<std::uint8_t>(RemovalReason::merged)));
  // The directory's listing leaves it out; the single lookup still says it was removed.
  const auto listed = directory->organisations().value();
  EXPECT_TRUE(std::none_of(listed.begin(), listed.end(),
                           [&](const Organisation& o) { return o.org_id == caw; }));
}

// All or nothing: when the audit row cannot be written, neither the removal, nor the devices'
// state, nor the log entry stay.
TEST_F(OrganisationRemovalTest, AFailureLeavesNoLogEntryAndNoRemoval) {
  {
    auto db = sqlite::Database::open(path()).value();
    ASSERT_TRUE(
        db.exec("CREATE TRIGGER refuse_removal BEFORE INSERT ON audit WHEN "
                "NEW.event = 'organisation.removed' BEGIN SELECT RAISE(ABORT, 'no'); END"));
  }
  const auto entries = directory_entries();
  EXPECT_FALSE(remove(caw));
  EXPECT_EQ(directory_entries(), entries);
  EXPECT_EQ(count("SELECT count(*) FROM organisation_removals"), 0);
  EXPECT_EQ(directory->device(caw_device).value().state, DeviceState::pending);
}

TEST_F(OrganisationRemovalTest, AnUnknownOrRemovedOrganisationAppendsNothing) {
  EXPECT_EQ(remove(random_id()).error(), directory_errc::not_found);
  ASSERT_TRUE(remove(caw));
  const auto entries = directory_entries();
  EXPECT_EQ(remove(caw, RemovalReason::other).error(), directory_errc::organisation_removed);
  EXPECT_EQ(directory_entries(), entries);
  EXPECT_EQ(store->audit_count("organisation.removed").value(), 1);
}

TEST_F(OrganisationRemovalTest, ItsMailboxesRefuseNewEnvelopesAndKeepWhatWaits) {
  const auto waiting = submit(clb, caw_mailbox);
  ASSERT_TRUE(waiting);
  ASSERT_TRUE(remove(caw));
  const auto refused = submit(clb, caw_mailbox);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error, store_errc::recipient_removed);
  // Nothing was lost: the entry that waited is still there, still queued, for retention.
  const auto entries = store->list(caw_mailbox, 0, 10).value();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].state, "queued");
  // And the removed organisation stores nothing, even from a connection opened before.
  const auto from_removed = submit(caw, caw_mailbox);
  ASSERT_FALSE(from_removed);
  EXPECT_EQ(from_removed.error().error, store_errc::sender_removed);
}

TEST_F(OrganisationRemovalTest, ItsIdIsNeverRegisteredAgain) {
  ASSERT_TRUE(remove(caw));
  const Organisation again{caw, protocol::OrgType::caw, "CAW opnieuw",
                           protocol::SigningKey::generate().public_key()};
  EXPECT_EQ(directory->wait([&](auto done) { return directory->add_organisation(again, 9, done); })
                .error(),
            directory_errc::organisation_removed);
}

TEST_F(OrganisationRemovalTest, TheBundleListsTheRemovalSignedWithTheRest) {
  ASSERT_TRUE(remove(caw, RemovalReason::key_compromised));
  const auto operator_key = protocol::SigningKey::generate();
  const BundleSigner sign = [&](std::uint64_t sequence, const std::vector<Organisation>& orgs,
                                const std::vector<protocol::BundleRemoval>& removals) {
    protocol::DirectoryBundle bundle{sequence, 5, {}, removals};
    for (const auto& o : orgs) {
      bundle.organisations.push_back({o.org_id, o.type, o.name, o.signing_key});
    }
    return protocol::sign_directory_bundle(std::move(bundle), operator_key);
  };
  std::promise<sqlite::Result<std::vector<std::uint8_t>>> promise;
  auto future = promise.get_future();
  ASSERT_TRUE(
      publish_directory_bundle(*storage, sign, 7, [&](auto result) { promise.set_value(result); }));
  const auto bytes = future.get().value();
  const auto opened = protocol::open_directory_bundle(bytes, operator_key.public_key()).value();
  ASSERT_EQ(opened.organisations.size(), 1U);
  EXPECT_EQ(opened.organisations[0].org_id, clb);
  ASSERT_EQ(opened.removals.size(), 1U);
  EXPECT_EQ(opened.removals[0].org_id, caw);
  EXPECT_EQ(opened.removals[0].removed_at_ms, 1'800'000'000'000U);
  EXPECT_EQ(opened.removals[0].reason, RemovalReason::key_compromised);
}

}  // namespace
}  // namespace draaischijf::server
