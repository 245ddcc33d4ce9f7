#pragma once

// The hub's schema, as an ordered list of migrations. Migration n brings the database from
// version n to n + 1; each runs in its own transaction together with the version bump. Never edit
// a released migration: append a new one.

#include <array>
#include <string_view>

namespace draaischijf::server::schema {

inline constexpr std::array<std::string_view, 1> kMigrations = {
    // 0 -> 1: envelopes, their per-mailbox queue entries and the audit log.
    R"sql(
CREATE TABLE envelopes (
  sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id      BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),
  sender_org      BLOB NOT NULL CHECK (length(sender_org) = 16),
  sender_device   BLOB NOT NULL CHECK (length(sender_device) = 16),
  kind            INTEGER NOT NULL,
  received_at_ms  INTEGER NOT NULL,
  envelope_hash   BLOB NOT NULL CHECK (length(envelope_hash) = 32),
  size            INTEGER NOT NULL,
  body            BLOB NOT NULL
);
CREATE TABLE queue (
  mailbox_id      BLOB NOT NULL CHECK (length(mailbox_id) = 16),
  sequence        INTEGER NOT NULL REFERENCES envelopes(sequence),
  epoch           INTEGER NOT NULL,
  state           TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'delivered', 'withdrawn')),
  delivered_at_ms INTEGER,
  delivered_by    BLOB,
  PRIMARY KEY (mailbox_id, sequence)
) WITHOUT ROWID;
CREATE INDEX queue_by_sequence ON queue(sequence);
CREATE TABLE audit (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms           INTEGER NOT NULL,
  event           TEXT NOT NULL,
  org_id          BLOB,
  device_id       BLOB,
  message_id      BLOB,
  detail          TEXT NOT NULL DEFAULT ''
);
)sql",
};

}  // namespace draaischijf::server::schema
