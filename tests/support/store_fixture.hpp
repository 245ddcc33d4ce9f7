#pragma once

// Store-level tests need recipient mailboxes in the directory. This puts a bare organisation and
// mailbox rows straight into the file (the directory's own checks are tested on their own).

#include <future>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::testing {

/// Runs `write` on the file through the writer, as the stores do, and waits for its commit.
template <class Write>
void write_through(server::Storage& storage, Write write) {
  std::promise<bool> done;
  ASSERT_TRUE(storage.writer().submit(
      [&](server::sqlite::Database& db) -> server::sqlite::Result<void> {
        write(db);
        return {};
      },
      [&](server::sqlite::Result<void> r) { done.set_value(static_cast<bool>(r)); }));
  ASSERT_TRUE(done.get_future().get());
}

/// A bare organisation row of `type` (a vocabulary name); kept when it is there already.
inline void register_organisation(server::sqlite::Database& db, const protocol::Id& org,
                                  std::string_view type) {
  const std::array<std::uint8_t, 32> key{};
  auto org_row = db.prepare(
                       "INSERT OR IGNORE INTO organisations (org_id, org_type, name, signing_key, "
                       "created_at_ms) VALUES (?, ?, 'test', ?, 0)")
                     .value();
  org_row.bind(1, org).bind(2, type).bind(3, key);
  (void)org_row.run().value();
}

/// A mailbox of organisation `org` (a CAW unless said otherwise) whose current epoch is `epoch`,
/// usable from `not_before` to `not_after` (seconds; by default always). The certificate is
/// unsigned: the store does not verify it again.
inline void register_mailbox(const std::string& db_path, const protocol::Id& mailbox,
                             std::uint32_t epoch, std::uint64_t not_before = 0,
                             std::uint64_t not_after = ~std::uint64_t{0},
                             const protocol::Id& org = protocol::Id{0xee},
                             std::string_view org_type = "caw") {
  auto db = server::sqlite::Database::open(db_path).value();
  register_organisation(db, org, org_type);
  auto mailbox_row = db.prepare(
                           "INSERT INTO mailboxes (mailbox_id, org_id, name, current_epoch, "
                           "created_at_ms) VALUES (?, ?, 'test', ?, 0)")
                         .value();
  mailbox_row.bind(1, mailbox).bind(2, org).bind(3, static_cast<std::int64_t>(epoch));
  (void)mailbox_row.run().value();
  auto epoch_row = db.prepare(
                         "INSERT INTO mailbox_epochs (mailbox_id, epoch, certificate, "
                         "created_at_ms) VALUES (?, ?, ?, 0)")
                       .value();
  protocol::MailboxEpochCertificate certificate;
  certificate.mailbox_id = mailbox;
  certificate.org_id = org;
  certificate.epoch = epoch;
  certificate.previous_certificate[0] = epoch == 0 ? 0 : 1;
  certificate.not_before = not_before;
  certificate.not_after = not_after;
  epoch_row.bind(1, mailbox)
      .bind(2, static_cast<std::int64_t>(epoch))
      .bind(3, protocol::encode(certificate));
  (void)epoch_row.run().value();
}

/// The same, always usable, of another organisation.
inline void register_mailbox(const std::string& db_path, const protocol::Id& mailbox,
                             std::uint32_t epoch, const protocol::Id& org,
                             std::string_view org_type) {
  register_mailbox(db_path, mailbox, epoch, 0, ~std::uint64_t{0}, org, org_type);
}

/// The gate's allow for each recipient mailbox, on rule `rule_id` of rule set "test": the store
/// keeps one decision per recipient with every envelope, for its receipt.
inline std::vector<server::PolicyRecord> allow_each(
    const std::vector<protocol::RecipientMailbox>& recipients, const std::string& rule_id = "R99") {
  std::vector<server::PolicyRecord> records;
  for (const protocol::RecipientMailbox& r : recipients) {
    server::PolicyRecord& record = records.emplace_back();
    record.recipient_mailbox = r.mailbox_id;
    record.outcome = "allow";
    record.rule_ids = rule_id;
    record.legal_basis = "rule:" + rule_id;
    record.policy_version = "test";
  }
  return records;
}

}  // namespace draaischijf::testing
