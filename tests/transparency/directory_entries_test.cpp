// The directory log's device entries (docs/PROTOCOL.md 13.4): an approved enrolment appends the
// device certificate the organisation signed (kind 4), by an admin or by the operator; a device
// removal appends kind 5, once. An approval or removal that fails appends nothing.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/operator_enrolment.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "test_support.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using protocol::random_id;

constexpr std::int64_t kNow = 1'800'000'000'000;

class DirectoryLogEntriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Organisation o{org, protocol::OrgType::caw, "CAW", org_key.public_key()};
    ASSERT_TRUE(directory.wait([&](auto done) { return directory.add_organisation(o, 1, done); }));
  }
  // A pending device of the organisation and the certificate `signer` makes for it.
  std::vector<std::uint8_t> pending_device(
      const Id& device, const protocol::SigningKey& signer,
      protocol::StaffRole role = protocol::StaffRole::partner_intake) {
    const auto signing = protocol::SigningKey::generate();
    const auto encryption = protocol::age::X25519Identity::generate();
    Device request;
    request.device_id = device;
    request.org_id = org;
    request.role = std::string(protocol::name_of(role));
    request.signing_key = signing.public_key();
    request.encryption_key = encryption.public_key();
    request.requested_at_ms = 2;
    EXPECT_TRUE(
        directory.wait([&](auto done) { return directory.request_enrolment(request, done); }));
    protocol::DeviceCertificate certificate;
    certificate.org_id = org;
    certificate.org_type = protocol::OrgType::caw;
    certificate.device_id = device;
    certificate.staff_id = random_id();
    certificate.role = role;
    certificate.signing_key = signing.public_key();
    certificate.encryption_key = encryption.public_key();
    certificate.not_after = ~std::uint64_t{0};
    return protocol::encode(protocol::issue(certificate, signer));
  }
  sqlite::Result<void> approve(const Id& device, std::vector<std::uint8_t> certificate) {
    return directory.wait([&](auto done) {
      return directory.approve_enrolment(admin, device, std::move(certificate), kNow, done);
    });
  }
  sqlite::Result<void> remove(const Actor& who, const Id& device) {
    return directory.wait(
        [&](auto done) { return directory.remove_device(who, device, kNow, done); });
  }
  std::uint64_t size() {
    return storage->read([](sqlite::Database& db) { return log_size(db, LogId::directory); })
        .value();
  }
  std::vector<std::uint8_t> last_entry() {
    return storage
        ->read([&](sqlite::Database& db) -> sqlite::Result<std::vector<std::uint8_t>> {
          auto select = db.prepare("SELECT entry FROM log_entries WHERE log = ? AND idx = ?");
          if (!select) {
            return select.error();
          }
          select->bind(1, static_cast<std::int64_t>(LogId::directory))
              .bind(2, static_cast<std::int64_t>(log_size(db, LogId::directory).value() - 1));
          EXPECT_TRUE(select->step().value());
          const auto blob = select->column_blob(0);
          return std::vector<std::uint8_t>(blob.begin(), blob.end());
        })
        .value();
  }

  testing::TempDir dir;
  std::shared_ptr<Storage> storage = Storage::open((dir.path() / "hub.db").string()).value();
  SqliteDirectory directory{storage};
  Id org = random_id();
  protocol::SigningKey org_key = protocol::SigningKey::generate();
  Actor admin{org, random_id()};
};

TEST_F(DirectoryLogEntriesTest, AnApprovedEnrolmentAppendsTheDeviceCertificate) {
  const Id device = random_id();
  const auto certificate = pending_device(device, org_key);
  const auto before = size();
  ASSERT_TRUE(approve(device, certificate));
  ASSERT_EQ(size(), before + 1);
  EXPECT_EQ(last_entry(), protocol::device_certificate_entry(certificate));
}

TEST_F(DirectoryLogEntriesTest, ARefusedApprovalAppendsNothing) {
  const Id device = random_id();
  const auto forged = pending_device(device, protocol::SigningKey::generate());
  const auto before = size();
  EXPECT_EQ(approve(device, forged).error(), directory_errc::certificate_invalid);
  EXPECT_EQ(approve(random_id(), forged).error(), directory_errc::not_found);
  EXPECT_EQ(size(), before);
}

TEST_F(DirectoryLogEntriesTest, TheOperatorsEnrolmentOfTheFirstAdminAppendsItsCertificate) {
  const Id device = random_id();
  const auto certificate = pending_device(device, org_key, protocol::StaffRole::organisation_admin);
  const auto before = size();
  ASSERT_TRUE(directory.wait(
      [&](auto done) { return enrol_admin_by_operator(*storage, certificate, kNow, done); }));
  ASSERT_EQ(size(), before + 1);
  EXPECT_EQ(last_entry(), protocol::device_certificate_entry(certificate));
}

TEST_F(DirectoryLogEntriesTest, ARemovalAppendsOneEntryAndAFailedOneNothing) {
  const Id device = random_id();
  ASSERT_TRUE(approve(device, pending_device(device, org_key)));
  const auto before = size();
  // Another organisation's admin cannot remove it: nothing is logged.
  EXPECT_EQ(remove(Actor{random_id(), random_id()}, device).error(), directory_errc::not_found);
  EXPECT_EQ(size(), before);
  ASSERT_TRUE(remove(admin, device));
  ASSERT_EQ(size(), before + 1);
  EXPECT_EQ(last_entry(),
            protocol::device_removed_entry(org, device, static_cast<std::uint64_t>(kNow)));
  // Removing it again changes nothing, and logs nothing.
  ASSERT_TRUE(remove(admin, device));
  EXPECT_EQ(size(), before + 1);
}

}  // namespace
}  // namespace draaischijf::server
