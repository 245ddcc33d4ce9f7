#pragma once

// The hub's schema, as an ordered list of migrations. Migration n brings the database from
// version n to n + 1; each runs in its own transaction together with the version bump. Never edit
// a released migration: append a new one.

#include <array>
#include <string_view>

namespace draaischijf::server::schema {

inline constexpr std::array<std::string_view, 22> kMigrations = {
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
    // 1 -> 2: the directory. Organisations with the Ed25519 key that signs their end-to-end
    // certificates, devices (enrolment requests and their certificates), mailboxes with every
    // epoch certificate and, per epoch, its members with the seed box sealed to each.
    R"sql(
CREATE TABLE organisations (
  org_id          BLOB PRIMARY KEY CHECK (length(org_id) = 16),
  org_type        TEXT NOT NULL,
  name            TEXT NOT NULL,
  signing_key     BLOB NOT NULL CHECK (length(signing_key) = 32),
  created_at_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE devices (
  device_id       BLOB PRIMARY KEY CHECK (length(device_id) = 16),
  org_id          BLOB NOT NULL REFERENCES organisations(org_id),
  role            TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'enrolled', 'removed')),
  signing_key     BLOB NOT NULL CHECK (length(signing_key) = 32),
  encryption_key  BLOB NOT NULL CHECK (length(encryption_key) = 32),
  staff_id        BLOB NOT NULL CHECK (length(staff_id) = 16),
  certificate     BLOB,
  requested_at_ms INTEGER NOT NULL,
  decided_at_ms   INTEGER,
  decided_by      BLOB
) WITHOUT ROWID;
CREATE INDEX devices_by_org ON devices(org_id, state);
CREATE TABLE mailboxes (
  mailbox_id      BLOB PRIMARY KEY CHECK (length(mailbox_id) = 16),
  org_id          BLOB NOT NULL REFERENCES organisations(org_id),
  name            TEXT NOT NULL,
  current_epoch   INTEGER NOT NULL,
  queued_bytes    INTEGER NOT NULL DEFAULT 0,
  needs_rotation  INTEGER NOT NULL DEFAULT 0,  -- a member was removed: no sealing until rotated
  created_at_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX mailboxes_by_org ON mailboxes(org_id);
CREATE TABLE mailbox_epochs (
  mailbox_id      BLOB NOT NULL REFERENCES mailboxes(mailbox_id),
  epoch           INTEGER NOT NULL,
  certificate     BLOB NOT NULL,
  previous_seed_box BLOB,
  created_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, epoch)
) WITHOUT ROWID;
CREATE TABLE mailbox_members (
  mailbox_id      BLOB NOT NULL,
  epoch           INTEGER NOT NULL,
  device_id       BLOB NOT NULL REFERENCES devices(device_id),
  seed_box        BLOB NOT NULL,
  PRIMARY KEY (mailbox_id, epoch, device_id),
  FOREIGN KEY (mailbox_id, epoch) REFERENCES mailbox_epochs(mailbox_id, epoch)
) WITHOUT ROWID;
CREATE INDEX members_by_device ON mailbox_members(device_id);
)sql",
    // 2 -> 3: read acknowledgements. Reading implies delivery, so a read entry is also
    // 'delivered'; the time and the device are kept apart from the delivery's.
    R"sql(
ALTER TABLE queue ADD COLUMN read_at_ms INTEGER;
ALTER TABLE queue ADD COLUMN read_by BLOB;
)sql",
    // 3 -> 4: attachment blobs. The bytes live in files (data_dir/blobs); a row says who
    // uploaded them, their size and hash, and the mailboxes they were addressed to.
    R"sql(
CREATE TABLE blobs (
  blob_id         BLOB PRIMARY KEY CHECK (length(blob_id) = 16),
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  device_id       BLOB NOT NULL CHECK (length(device_id) = 16),
  size            INTEGER NOT NULL,
  hash            BLOB NOT NULL CHECK (length(hash) = 32),
  created_at_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX blobs_by_org ON blobs(org_id);
CREATE TABLE blob_mailboxes (
  blob_id         BLOB NOT NULL REFERENCES blobs(blob_id),
  mailbox_id      BLOB NOT NULL CHECK (length(mailbox_id) = 16),
  PRIMARY KEY (blob_id, mailbox_id)
) WITHOUT ROWID;
)sql",
    // 4 -> 5: the consent reference and pupil pseudonym of the outer labels, so that a revoked
    // consent withdraws what still waits under it (and a CLB can account per pupil).
    R"sql(
ALTER TABLE envelopes ADD COLUMN consent_reference BLOB;
ALTER TABLE envelopes ADD COLUMN pupil BLOB;
CREATE INDEX envelopes_by_consent ON envelopes(consent_reference)
  WHERE consent_reference IS NOT NULL;
)sql",
    // 5 -> 6: the consent registry, second approvals, the disclosure register and the
    // NEN 7513 fields of the audit log. A consent's record is its wire form (JSON) with the
    // columns the hub looks it up by; a revocation is kept, never deleted.
    R"sql(
CREATE TABLE consents (
  consent_id      BLOB PRIMARY KEY CHECK (length(consent_id) = 16),
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  pupil           BLOB NOT NULL CHECK (length(pupil) = 32),
  record          TEXT NOT NULL,
  registered_at_ms INTEGER NOT NULL,
  registered_by   BLOB NOT NULL CHECK (length(registered_by) = 16),
  revoked_at_ms   INTEGER,
  revoked_by      BLOB
) WITHOUT ROWID;
CREATE INDEX consents_by_pupil ON consents(org_id, pupil);
CREATE TABLE approvals (
  approval_id     BLOB PRIMARY KEY CHECK (length(approval_id) = 16),
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  message_id      BLOB NOT NULL CHECK (length(message_id) = 16),
  approver_device BLOB NOT NULL CHECK (length(approver_device) = 16),
  statement       BLOB NOT NULL,
  registered_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE disclosures (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  pupil           BLOB NOT NULL CHECK (length(pupil) = 32),
  message_id      BLOB NOT NULL CHECK (length(message_id) = 16),
  at_ms           INTEGER NOT NULL,
  sender_staff    TEXT NOT NULL,
  sender_role     TEXT NOT NULL,
  recipient_org   BLOB NOT NULL CHECK (length(recipient_org) = 16),
  recipient_mailbox BLOB NOT NULL CHECK (length(recipient_mailbox) = 16),
  kind            TEXT NOT NULL,
  purpose         TEXT NOT NULL,
  categories      TEXT NOT NULL,
  legal_basis     TEXT NOT NULL,
  rule_ids        TEXT NOT NULL,
  policy_version  TEXT NOT NULL,
  approved_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX disclosures_by_pupil ON disclosures(org_id, pupil);
ALTER TABLE audit ADD COLUMN pupil BLOB;
ALTER TABLE audit ADD COLUMN user_id TEXT;
ALTER TABLE audit ADD COLUMN on_behalf_of TEXT;
ALTER TABLE audit ADD COLUMN role TEXT;
ALTER TABLE audit ADD COLUMN legal_basis TEXT;
ALTER TABLE audit ADD COLUMN rule_ids TEXT;
ALTER TABLE audit ADD COLUMN policy_version TEXT;
)sql",
    // 6 -> 7: the evidence for R14's dossier transfer: when the sending CLB announced the
    // transfer of a pupil's dossier (hub time) and whether an objection was registered. The
    // policy gate computes the objection window from it instead of trusting the sender's flags.
    R"sql(
CREATE TABLE transfers (
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  pupil           BLOB NOT NULL CHECK (length(pupil) = 32),
  announced_at_ms INTEGER NOT NULL,
  announced_by    BLOB NOT NULL CHECK (length(announced_by) = 16),
  objection_at_ms INTEGER,
  objection_by    BLOB,
  PRIMARY KEY (org_id, pupil)
) WITHOUT ROWID;
)sql",
    // 7 -> 8: the organisation's pupil key, sealed by its admin to each of its devices.
    R"sql(
CREATE TABLE pupil_keys (
  device_id       BLOB PRIMARY KEY CHECK (length(device_id) = 16),
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  box             BLOB NOT NULL,
  stored_at_ms    INTEGER NOT NULL,
  stored_by       BLOB NOT NULL CHECK (length(stored_by) = 16)
) WITHOUT ROWID;
)sql",
    // 8 -> 9: the nonces of signed admin actions still inside their time window, so that a
    // replay is refused across a restart too.
    R"sql(
CREATE TABLE admin_nonces (
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  nonce           BLOB NOT NULL CHECK (length(nonce) = 16),
  expires_ms      INTEGER NOT NULL,
  PRIMARY KEY (org_id, nonce)
) WITHOUT ROWID;
)sql",
    // 9 -> 10: the client's objection to actionable advice going to the school (R03), while it
    // stands; its registration and withdrawal are audit rows.
    R"sql(
CREATE TABLE advice_objections (
  org_id           BLOB NOT NULL CHECK (length(org_id) = 16),
  pupil            BLOB NOT NULL CHECK (length(pupil) = 32),
  registered_at_ms INTEGER NOT NULL,
  registered_by    BLOB NOT NULL CHECK (length(registered_by) = 16),
  PRIMARY KEY (org_id, pupil)
) WITHOUT ROWID;
)sql",
    // 10 -> 11: the policy decisions the receipt names (protocol::encode_decisions: the rule
    // set's version, and per recipient mailbox the rules, legal basis and approvers), written
    // with the envelope so that a replay is answered with the decisions made when it was stored.
    // Rows from before stay NULL (the replay of one: message_store.cpp, original_of).
    R"sql(
ALTER TABLE envelopes ADD COLUMN decided BLOB;
)sql",
    // 11 -> 12: retention (docs/POLICY.md, "Retention"). A queue entry may now be 'expired'
    // (never fetched in time; the sender is told) and says when it left 'queued'
    // (settled_at_ms); an envelope carries the periods that applied to its kind and categories
    // when it was stored and, once its ciphertext is deleted, when (purged_at_ms: the row stays,
    // without body, as the delivery record until the audit period ends); envelope_blobs says
    // which envelope granted which attachment, so a blob goes with the last envelope that named
    // it. The queue is rebuilt because SQLite cannot change a CHECK in place.
    R"sql(
CREATE TABLE queue_v12 (
  mailbox_id      BLOB NOT NULL CHECK (length(mailbox_id) = 16),
  sequence        INTEGER NOT NULL REFERENCES envelopes(sequence),
  epoch           INTEGER NOT NULL,
  state           TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'delivered', 'withdrawn', 'expired')),
  delivered_at_ms INTEGER,
  delivered_by    BLOB,
  read_at_ms      INTEGER,
  read_by         BLOB,
  settled_at_ms   INTEGER,
  PRIMARY KEY (mailbox_id, sequence)
) WITHOUT ROWID;
INSERT INTO queue_v12 (mailbox_id, sequence, epoch, state, delivered_at_ms, delivered_by,
                       read_at_ms, read_by, settled_at_ms)
  SELECT mailbox_id, sequence, epoch, state, delivered_at_ms, delivered_by, read_at_ms, read_by,
         delivered_at_ms FROM queue;
DROP TABLE queue;
ALTER TABLE queue_v12 RENAME TO queue;
CREATE INDEX queue_by_sequence ON queue(sequence);
CREATE INDEX queue_waiting ON queue(sequence) WHERE state = 'queued';
ALTER TABLE envelopes ADD COLUMN keep_settled_ms INTEGER;
ALTER TABLE envelopes ADD COLUMN expires_at_ms INTEGER;
ALTER TABLE envelopes ADD COLUMN purged_at_ms INTEGER;
CREATE INDEX envelopes_unpurged ON envelopes(sequence) WHERE purged_at_ms IS NULL;
CREATE INDEX envelopes_purged ON envelopes(received_at_ms) WHERE purged_at_ms IS NOT NULL;
CREATE TABLE envelope_blobs (
  sequence        INTEGER NOT NULL REFERENCES envelopes(sequence),
  blob_id         BLOB NOT NULL CHECK (length(blob_id) = 16),
  PRIMARY KEY (sequence, blob_id)
) WITHOUT ROWID;
CREATE INDEX envelope_blobs_by_blob ON envelope_blobs(blob_id);
CREATE INDEX audit_by_time ON audit(at_ms);
CREATE INDEX disclosures_by_time ON disclosures(at_ms);
)sql",
    // 12 -> 13: where an organisation works and what it offers (protocol/directory_vocabulary.hpp:
    // province and offers as vocabulary names, offers comma-separated), the CLB that serves a
    // school, and the operator's signed directory bundles: each one's sequence, so a newer bundle
    // always carries a higher number than every bundle published before it.
    R"sql(
ALTER TABLE organisations ADD COLUMN province TEXT;
ALTER TABLE organisations ADD COLUMN municipality TEXT;
ALTER TABLE organisations ADD COLUMN offers TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN clb_org_id BLOB
  CHECK (clb_org_id IS NULL OR length(clb_org_id) = 16);
CREATE TABLE directory_bundles (
  sequence        INTEGER PRIMARY KEY CHECK (sequence > 0),
  created_at_ms   INTEGER NOT NULL,
  organisations   INTEGER NOT NULL,
  bundle_hash     BLOB NOT NULL CHECK (length(bundle_hash) = 32)
);
)sql",
    // 13 -> 14: the person a pending device says it belongs to (the staff id of that person's
    // other devices; NULL: no claim), shown to the admin beside the fingerprint; and the
    // enrolled devices by person, for the check that a person keeps one staff id and one role.
    R"sql(
ALTER TABLE devices ADD COLUMN claimed_staff_id BLOB
  CHECK (claimed_staff_id IS NULL OR length(claimed_staff_id) = 16);
CREATE INDEX devices_by_person ON devices(org_id, staff_id) WHERE state = 'enrolled';
)sql",
    // 14 -> 15: the transparency logs (docs/TRANSPARENCY.md): log 1 the directory log, log 2 the
    // record log. Each entry as appended, and every complete subtree's hash as it completes
    // (level 0: the leaf hashes), so a tree head or proof for any size reads O(log n) rows;
    // each audit row's index in the record log (NULL for rows written before this version).
    R"sql(
CREATE TABLE log_entries (
  log             INTEGER NOT NULL CHECK (log IN (1, 2)),
  idx             INTEGER NOT NULL CHECK (idx >= 0),
  entry           BLOB NOT NULL,
  at_ms           INTEGER NOT NULL,
  PRIMARY KEY (log, idx)
) WITHOUT ROWID;
CREATE TABLE log_nodes (
  log             INTEGER NOT NULL CHECK (log IN (1, 2)),
  level           INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx             INTEGER NOT NULL CHECK (idx >= 0),
  hash            BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (log, level, idx)
) WITHOUT ROWID;
ALTER TABLE audit ADD COLUMN record_index INTEGER;
)sql",
    // 15 -> 16: the hub's signed notices (protocol/hub_notice.hpp, docs/WORKFLOW.md "Notices"),
    // each for an organisation or one of its mailboxes (all-zero mailbox id: the organisation).
    // One notice per cause: the UNIQUE key is the notice type, whom it is for and its subject,
    // so a workflow pass that finds a cause again writes nothing. `message_id` and
    // `about_mailbox` (non-delivery) and `pupil` (transfers) are the subject's parts the
    // workflow pass looks causes up by.
    R"sql(
CREATE TABLE notices (
  sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
  notice_id       BLOB NOT NULL UNIQUE CHECK (length(notice_id) = 16),
  type            INTEGER NOT NULL,
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  mailbox_id      BLOB NOT NULL CHECK (length(mailbox_id) = 16),
  subject         BLOB NOT NULL CHECK (length(subject) = 32),
  message_id      BLOB CHECK (message_id IS NULL OR length(message_id) = 16),
  about_mailbox   BLOB CHECK (about_mailbox IS NULL OR length(about_mailbox) = 16),
  pupil           BLOB CHECK (pupil IS NULL OR length(pupil) = 32),
  created_at_ms   INTEGER NOT NULL,
  body            BLOB NOT NULL,
  acked_at_ms     INTEGER,
  acked_by        BLOB,
  UNIQUE (type, org_id, mailbox_id, subject)
);
CREATE INDEX notices_by_org ON notices(org_id, sequence);
CREATE INDEX notices_by_message ON notices(message_id, about_mailbox) WHERE message_id IS NOT NULL;
CREATE INDEX notices_by_pupil ON notices(pupil, org_id) WHERE pupil IS NOT NULL;
)sql",
    // 16 -> 17: onthaal triage (docs/WORKFLOW.md). A case per signaal that reached a CLB
    // mailbox, opened in the transaction that stored the signaal: metadata only (the school,
    // the pupil pseudonym, priority, state, assignee staff id, track, reasons and dates). The
    // signed statements that moved it, each kept whole with its signature; a statement's nonce
    // is accepted once. The consents and referral messages linked to it.
    R"sql(
CREATE TABLE cases (
  case_id         BLOB PRIMARY KEY CHECK (length(case_id) = 16),
  org_id          BLOB NOT NULL CHECK (length(org_id) = 16),
  school_org      BLOB NOT NULL CHECK (length(school_org) = 16),
  message_id      BLOB NOT NULL CHECK (length(message_id) = 16),
  pupil           BLOB CHECK (pupil IS NULL OR length(pupil) = 32),
  sequence        INTEGER NOT NULL,
  received_at_ms  INTEGER NOT NULL,
  priority        INTEGER NOT NULL CHECK (priority IN (0, 1)),
  state           TEXT NOT NULL
                  CHECK (state IN ('new', 'assigned', 'vraagverheldering', 'traject', 'closed')),
  assignee        BLOB CHECK (assignee IS NULL OR length(assignee) = 16),
  track           TEXT,
  close_reason    TEXT,
  delay_reason    TEXT,
  assigned_at_ms  INTEGER,
  consent_at_ms   INTEGER,
  closed_at_ms    INTEGER,
  UNIQUE (org_id, message_id)
) WITHOUT ROWID;
CREATE INDEX cases_queue ON cases(org_id, priority, sequence);
CREATE INDEX cases_by_school ON cases(school_org, sequence);
CREATE TABLE case_statements (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  nonce           BLOB NOT NULL UNIQUE CHECK (length(nonce) = 16),
  case_id         BLOB NOT NULL REFERENCES cases(case_id),
  device_id       BLOB NOT NULL CHECK (length(device_id) = 16),
  action          TEXT NOT NULL,
  at_ms           INTEGER NOT NULL,
  received_at_ms  INTEGER NOT NULL,
  statement       BLOB NOT NULL,
  signature       BLOB NOT NULL CHECK (length(signature) = 64)
);
CREATE INDEX case_statements_by_case ON case_statements(case_id, id);
CREATE TABLE case_links (
  case_id         BLOB NOT NULL REFERENCES cases(case_id),
  kind            TEXT NOT NULL CHECK (kind IN ('consent', 'referral')),
  target          BLOB NOT NULL CHECK (length(target) = 16),
  PRIMARY KEY (case_id, kind, target)
) WITHOUT ROWID;
)sql",
    // 17 -> 18: the referral lifecycle (docs/WORKFLOW.md 3): one referral per recipient
    // organisation of a stored doorverwijzing or consultatie, with its current state, the
    // partner targets as Belgian days (days since 1970-01-01) and the signed status statements
    // that moved it, and the consent it was sent under (R06 in both directions). The indexes
    // serve GET /v1/referrals from either side, with or without a state filter, in cursor
    // order, and the policy gate's question whether a message answers a referral.
    R"sql(
CREATE TABLE referrals (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  referral_id      BLOB NOT NULL CHECK (length(referral_id) = 16),
  referrer_org     BLOB NOT NULL CHECK (length(referrer_org) = 16),
  partner_org      BLOB NOT NULL CHECK (length(partner_org) = 16),
  kind             INTEGER NOT NULL,
  sent_at_ms       INTEGER NOT NULL,
  state            INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 8),
  last_sequence    INTEGER NOT NULL DEFAULT 0,
  updated_at_ms    INTEGER NOT NULL,
  sent_day         INTEGER NOT NULL,
  received_due_day INTEGER NOT NULL,
  answered_due_day INTEGER NOT NULL,
  consent_reference BLOB CHECK (consent_reference IS NULL OR length(consent_reference) = 16),
  UNIQUE (referral_id, partner_org)
);
CREATE INDEX referrals_by_referrer ON referrals(referrer_org, id);
CREATE INDEX referrals_by_partner ON referrals(partner_org, id);
CREATE INDEX referrals_by_referrer_state ON referrals(referrer_org, state, id);
CREATE INDEX referrals_by_partner_state ON referrals(partner_org, state, id);
CREATE INDEX referrals_by_consent ON referrals(consent_reference, partner_org)
  WHERE consent_reference IS NOT NULL;
CREATE TABLE referral_statements (
  referral         INTEGER NOT NULL REFERENCES referrals(id),
  sequence         INTEGER NOT NULL CHECK (sequence > 0),
  state            INTEGER NOT NULL,
  code             INTEGER NOT NULL,
  day              INTEGER NOT NULL,
  device_id        BLOB NOT NULL CHECK (length(device_id) = 16),
  recorded_at_ms   INTEGER NOT NULL,
  statement        BLOB NOT NULL,
  PRIMARY KEY (referral, sequence)
) WITHOUT ROWID;
)sql",
    // 18 -> 19: the directory log's leaves by hash, so a client that rebuilt an entry from a
    // directory answer (an organisation key, an epoch certificate) gets its index and inclusion
    // proof in one request (GET /v1/log/directory/proof/by-hash). Only the directory log: the
    // record log grows with every audit row and nobody looks its leaves up by hash.
    R"sql(
CREATE INDEX log_leaves_by_hash ON log_nodes(hash) WHERE log = 1 AND level = 0;
)sql",
    // 19 -> 20: organisations the operator removed (draaischijf-hub org remove). The
    // organisations row stays, so its id is never registered again; the directory bundle's
    // removal list and the directory log's kind 3 entry are made from these rows.
    R"sql(
CREATE TABLE organisation_removals (
  org_id        BLOB PRIMARY KEY REFERENCES organisations(org_id),
  removed_at_ms INTEGER NOT NULL,
  reason        INTEGER NOT NULL CHECK (reason BETWEEN 1 AND 255)
) WITHOUT ROWID;
)sql",
    // 20 -> 21: the logs store subtree hashes only at every fourth level (store/
    // transparency_logs.hpp, kStoredLevelStride), the levels between rebuilt when read; the
    // record log's leaf hashes are computed from its entries. The rows no longer read go.
    R"sql(
DELETE FROM log_nodes WHERE level % 4 != 0 OR (level = 0 AND log = 2);
)sql",
    // 21 -> 22: the signed dossier transfer announcement (docs/PROTOCOL.md 7.20): the receiving
    // CLB it names, the day the parents or the pupil were told (days since 1970-01-01) and the
    // statement's bytes. Rows from before have none of them: R13/R14 do not open on such an
    // announcement, and a signed one may replace it.
    R"sql(
ALTER TABLE transfers ADD COLUMN receiving_org BLOB CHECK (length(receiving_org) = 16);
ALTER TABLE transfers ADD COLUMN told_day INTEGER;
ALTER TABLE transfers ADD COLUMN statement BLOB;
)sql",
};

}  // namespace draaischijf::server::schema
