#pragma once

// Store-level tests need recipient mailboxes in the directory. This puts a bare organisation and
// mailbox rows straight into the file (the directory's own checks are tested on their own).

#include <string>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::testing {

inline void register_mailbox(const std::string& db_path, const protocol::Id& mailbox,
                             std::uint32_t epoch) {
  auto db = server::sqlite::Database::open(db_path).value();
  const protocol::Id org{0xee};
  const std::array<std::uint8_t, 32> key{};
  auto org_row = db.prepare(
                       "INSERT OR IGNORE INTO organisations (org_id, org_type, name, signing_key, "
                       "created_at_ms) VALUES (?, 'caw', 'test', ?, 0)")
                     .value();
  org_row.bind(1, org).bind(2, key);
  (void)org_row.run().value();
  auto mailbox_row = db.prepare(
                           "INSERT INTO mailboxes (mailbox_id, org_id, name, current_epoch, "
                           "created_at_ms) VALUES (?, ?, 'test', ?, 0)")
                         .value();
  mailbox_row.bind(1, mailbox).bind(2, org).bind(3, static_cast<std::int64_t>(epoch));
  (void)mailbox_row.run().value();
  auto epoch_row = db.prepare(
                         "INSERT INTO mailbox_epochs (mailbox_id, epoch, certificate, "
                         "created_at_ms) VALUES (?, ?, x'00', 0)")
                       .value();
  epoch_row.bind(1, mailbox).bind(2, static_cast<std::int64_t>(epoch));
  (void)epoch_row.run().value();
}

}  // namespace draaischijf::testing
