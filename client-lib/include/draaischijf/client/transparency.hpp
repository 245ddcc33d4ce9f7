#pragma once

// The hub's transparency logs as a device follows them (docs/TRANSPARENCY.md): the latest
// checkpoint of each log, moved on only by a verified consistency proof, and the organisation
// admin's monitor of the directory log (`draaischijf admin monitor`).
//
//   Transparency logs{session};
//   auto report = logs.monitor();  // every entry about this organisation since the last run
//   for (const auto& e : report->entries) { if (e.alert) { /* tell the admins */ } }

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/client/session.hpp>

namespace draaischijf::client {

/// A checkpoint this device accepted: signed by the pinned hub key, consistent with the one
/// before (the first one is taken on trust).
struct LogCheckpoint {
  std::string origin;
  std::uint64_t size = 0;
  std::array<std::uint8_t, 32> root{};
};

/// One directory-log entry about the monitoring organisation.
struct MonitoredEntry {
  std::uint64_t index = 0;
  std::string kind;        // organisation_key, epoch_certificate, organisation_removed,
                           // device_certificate, device_removed, certificate_revoked, rule_set
  protocol::Id subject{};  // the organisation (a key, a removal, a revocation), the mailbox (an
                           // epoch certificate) or the device (a device certificate or removal);
                           // all zero for a rule set (it concerns every organisation)
  std::uint32_t epoch = 0;
  std::string fingerprint;  // of the key, the certificate hash, the revoked serial or the rule
                            // file's SHA-256 (hex), for the person
  std::string detail;       // a rule set's version and signer, a revocation's time; may be empty
  bool alert = false;       // not made by this organisation's devices as far as this one knows
  std::string reason;       // why it alerts; empty when it does not
};

struct MonitorReport {
  LogCheckpoint checkpoint;
  std::uint64_t from = 0;  // the first index replayed in this run
  std::vector<MonitoredEntry> entries;
  std::size_t not_understood = 0;  // entries of kinds this client does not know (any organisation)
  [[nodiscard]] std::size_t alerts() const;
};

/// A split view of a log caught by gossip inside envelopes (docs/TRANSPARENCY.md): the
/// checkpoint this device held and the one a sender's envelope carried, both signed notes as
/// the hub signed them, which one honest log cannot both have signed. The evidence to hand on.
struct LogFork {
  std::string origin;
  std::string own_note;
  std::string other_note;
  protocol::Id message_id{};  // the envelope that carried `other_note`
  std::int64_t detected_at_ms = 0;
};

class Transparency {
 public:
  /// `session` must outlive this handle.
  explicit Transparency(Session& session) noexcept : state_(&session.state()) {}

  /// Fetches the log's checkpoint ("directory" or "record") and moves this device's accepted
  /// checkpoint to it, after verifying the hub's signature and a consistency proof
  /// (log_checkpoint_invalid, log_rollback, log_fork: the stored checkpoint stays).
  [[nodiscard]] protocol::Result<LogCheckpoint> refresh(std::string_view log);

  /// The admin's monitor: replays the directory log from where the last run stopped (kept in
  /// the local state) to a freshly accepted checkpoint, verifies every entry's inclusion in it,
  /// and lists every entry about this organisation, flagging (alert) an organisation key that
  /// is not the one this profile holds and an epoch certificate that no device of this profile
  /// made or acknowledged (docs/TRANSPARENCY.md, "The monitor's rule"). not_an_admin without
  /// the organisation key. The position moves on only after the whole replay verified.
  [[nodiscard]] protocol::Result<MonitorReport> monitor();

  /// Marks the epoch-certificate entries at `indexes` as reviewed by the admins (made by
  /// another admin's device, or before this profile kept its record), so they stop alerting.
  [[nodiscard]] protocol::Result<void> acknowledge(const std::vector<std::uint64_t>& indexes);

  /// Every split view this device caught in the gossip of received envelopes, oldest first.
  /// They never clear: each is evidence against the hub (`admin monitor` reports them).
  [[nodiscard]] protocol::Result<std::vector<LogFork>> forks();

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
