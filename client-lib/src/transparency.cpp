#include <algorithm>
#include <optional>
#include <string>

#include <draaischijf/client/transparency.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "directory_log.hpp"

namespace draaischijf::client {
namespace {

using protocol::Result;

LogCheckpoint public_view(const std::string& origin, const protocol::note::Checkpoint& c) {
  return {origin, c.size, c.root};
}

// What one entry says about the monitoring organisation, by kind: nullopt when it is about
// another one. A kind this client does not know, or an entry of a known kind that does not
// parse, is counted as not understood. New kinds slot in as one more case.
struct Reading {
  std::optional<MonitoredEntry> own;
  bool understood = true;
  bool acknowledgeable = false;  // an epoch certificate this organisation's key signed, or a
                                 // revocation of one of its certificates
};

Reading read_organisation_key(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  constexpr std::size_t kSize = 1 + 16 + 1 + 32;
  if (entry.size() != kSize) {
    return {std::nullopt, false, false};
  }
  protocol::Id org{};
  std::copy_n(entry.begin() + 1, org.size(), org.begin());
  if (org != s.secrets.org_id) {
    return {};
  }
  protocol::SigningPublicKey key{};
  std::copy_n(entry.begin() + 18, key.size(), key.begin());
  MonitoredEntry out;
  out.kind = "organisation_key";
  out.subject = org;
  out.fingerprint = fingerprint(key);
  if (key != s.secrets.organisation->public_key()) {
    out.alert = true;
    out.reason = "a signing key for this organisation that is not the one this profile holds";
  }
  return {std::move(out), true, false};
}

Result<Reading> read_epoch_certificate(detail::SessionState& s,
                                       std::span<const std::uint8_t> entry) {
  auto certificate = protocol::parse_epoch_certificate(entry.subspan(1));
  if (!certificate) {
    return Reading{std::nullopt, false, false};
  }
  if (certificate->org_id != s.secrets.org_id) {
    return Reading{};
  }
  MonitoredEntry out;
  out.kind = "epoch_certificate";
  out.subject = certificate->mailbox_id;
  out.epoch = certificate->epoch;
  out.fingerprint = hex(protocol::certificate_hash(*certificate));
  auto own = s.state.is_own_entry(protocol::merkle::leaf_hash(entry));
  if (!own) {
    return own.error();
  }
  const bool signed_by_us =
      protocol::verify(*certificate, s.secrets.organisation->public_key()).has_value();
  if (!signed_by_us) {
    out.alert = true;
    out.reason = "not signed by this organisation's key";
  } else if (!*own) {
    out.alert = true;
    out.reason =
        "signed by this organisation's key but not made on this device (another admin's "
        "device, or a copy of the key elsewhere): confirm it with the other admins, then "
        "`draaischijf admin monitor --acknowledge INDEX`";
  }
  return Reading{std::move(out), true, signed_by_us};
}

// The organisation id an entry of kinds 3 and 5 starts with, after the kind byte; nullopt when
// the entry does not have the size its kind fixes.
std::optional<protocol::Id> org_of(std::span<const std::uint8_t> entry, std::size_t size) {
  if (entry.size() != size) {
    return std::nullopt;
  }
  protocol::Id org{};
  std::copy_n(entry.begin() + 1, org.size(), org.begin());
  return org;
}

// The operator removed an organisation: about this one, it is always an alert, since no device
// of the organisation can make it and every device of it is refused from then on.
Reading read_organisation_removed(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  const auto org = org_of(entry, 1 + 16 + 8 + 1);
  if (!org) {
    return {std::nullopt, false, false};
  }
  if (*org != s.secrets.org_id) {
    return {};
  }
  MonitoredEntry out;
  out.kind = "organisation_removed";
  out.subject = *org;
  out.fingerprint = hex(protocol::merkle::leaf_hash(entry));
  out.alert = true;
  out.reason = "the hub operator removed this organisation: ask the operator why";
  return {std::move(out), true, false};
}

// An approved enrolment: a device certificate of this organisation that its key did not sign is
// an alert; one it did sign is listed (which admin approved it is not in the log).
Reading read_device_certificate(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  auto certificate = protocol::parse_device_certificate(entry.subspan(1));
  if (!certificate) {
    return {std::nullopt, false, false};
  }
  if (certificate->org_id != s.secrets.org_id) {
    return {};
  }
  MonitoredEntry out;
  out.kind = "device_certificate";
  out.subject = certificate->device_id;
  out.fingerprint = hex(protocol::merkle::leaf_hash(entry));
  // Its signature as of its own first day: the monitor judges who signed, not whether it is
  // still valid today.
  if (!protocol::verify(*certificate, s.secrets.organisation->public_key(),
                        certificate->not_before)) {
    out.alert = true;
    out.reason = "a device certificate for this organisation not signed by its key";
  }
  return {std::move(out), true, false};
}

Reading read_device_removed(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  const auto org = org_of(entry, 1 + 16 + 16 + 8);
  if (!org) {
    return {std::nullopt, false, false};
  }
  if (*org != s.secrets.org_id) {
    return {};
  }
  MonitoredEntry out;
  out.kind = "device_removed";
  std::copy_n(entry.begin() + 17, out.subject.size(), out.subject.begin());
  out.fingerprint = hex(protocol::merkle::leaf_hash(entry));
  return {std::move(out), true, false};
}

// A certificate of this organisation put on a CRL. The operator revokes (`pki revoke`), not
// the organisation's devices, so each one alerts until an admin who asked for it, or checked
// it with the operator, acknowledges it.
Result<Reading> read_certificate_revoked(detail::SessionState& s,
                                         std::span<const std::uint8_t> entry) {
  constexpr std::size_t kFixed = 1 + 16 + 1 + 8;
  if (entry.size() < kFixed + 1 || entry[17] == 0 || entry.size() != kFixed + entry[17]) {
    return Reading{std::nullopt, false, false};
  }
  protocol::Id org{};
  std::copy_n(entry.begin() + 1, org.size(), org.begin());
  if (org != s.secrets.org_id) {
    return Reading{};
  }
  MonitoredEntry out;
  out.kind = "certificate_revoked";
  out.subject = org;
  out.fingerprint = hex(entry.subspan(18, entry[17]));
  std::uint64_t at_ms = 0;
  for (const auto byte : entry.last(8)) {
    at_ms = (at_ms << 8U) | byte;
  }
  out.detail = "revoked at " + std::to_string(at_ms) + " ms";
  auto acknowledged = s.state.is_own_entry(protocol::merkle::leaf_hash(entry));
  if (!acknowledged) {
    return acknowledged.error();
  }
  if (!*acknowledged) {
    out.alert = true;
    out.reason =
        "the hub operator revoked a certificate of this organisation (serial above): if an "
        "admin asked for it, `draaischijf admin monitor --acknowledge INDEX`; else ask the "
        "operator why";
  }
  return Reading{std::move(out), true, true};
}

// The rule set the hub enforces from now on: listed for every organisation, never an alert
// (the operator's signature on it is checked by every client that fetches GET /v1/policy).
Reading read_rule_set(std::span<const std::uint8_t> entry) {
  constexpr std::size_t kFixed = 1 + 32 + 32 + 2;
  if (entry.size() < kFixed ||
      entry.size() != kFixed + ((std::size_t{entry[65]} << 8U) | entry[66])) {
    return {std::nullopt, false, false};
  }
  const std::string version(entry.begin() + kFixed, entry.end());
  if (!protocol::wire::is_clean_utf8(version)) {
    return {std::nullopt, false, false};
  }
  MonitoredEntry out;
  out.kind = "rule_set";
  out.fingerprint = hex(entry.subspan(1, 32));
  out.detail = "version " + version + ", signed by operator key " + hex(entry.subspan(33, 8));
  return {std::move(out), true, false};
}

Result<Reading> read_entry(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  if (entry.empty()) {
    return Reading{std::nullopt, false, false};
  }
  switch (static_cast<protocol::DirectoryEntryKind>(entry.front())) {
    case protocol::DirectoryEntryKind::organisation_key:
      return read_organisation_key(s, entry);
    case protocol::DirectoryEntryKind::epoch_certificate:
      return read_epoch_certificate(s, entry);
    case protocol::DirectoryEntryKind::organisation_removed:
      return read_organisation_removed(s, entry);
    case protocol::DirectoryEntryKind::device_certificate:
      return read_device_certificate(s, entry);
    case protocol::DirectoryEntryKind::device_removed:
      return read_device_removed(s, entry);
    case protocol::DirectoryEntryKind::certificate_revoked:
      return read_certificate_revoked(s, entry);
    case protocol::DirectoryEntryKind::rule_set:
      return read_rule_set(entry);
  }
  return Reading{std::nullopt, false, false};
}

// Entry `index`, fetched and proved to be in `checkpoint`.
Result<std::vector<std::uint8_t>> proved_entry(detail::SessionState& s,
                                               const protocol::note::Checkpoint& checkpoint,
                                               std::uint64_t index) {
  auto entry = fetch_entry(s, index);
  if (!entry) {
    return entry.error();
  }
  if (auto included = check_entry_at(s, checkpoint, *entry, index); !included) {
    return included.error();
  }
  return entry;
}

}  // namespace

std::size_t MonitorReport::alerts() const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const auto& e) { return e.alert; }));
}

Result<LogCheckpoint> Transparency::refresh(std::string_view log) {
  if (log != kDirectoryLog && log != kRecordLog) {
    return make_error_code(client_errc::not_found);
  }
  auto origin = log_origin(*state_, log);
  if (!origin) {
    return origin.error();
  }
  auto checkpoint = refresh_checkpoint(*state_, log);
  if (!checkpoint) {
    return checkpoint.error();
  }
  return public_view(*origin, *checkpoint);
}

Result<MonitorReport> Transparency::monitor() {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  auto origin = log_origin(s, kDirectoryLog);
  if (!origin) {
    return origin.error();
  }
  auto checkpoint = refresh_checkpoint(s, kDirectoryLog);
  if (!checkpoint) {
    return checkpoint.error();
  }
  auto from = s.state.monitor_position(*origin);
  if (!from) {
    return from.error();
  }
  if (*from > checkpoint->size) {
    return make_error_code(client_errc::log_rollback);
  }
  MonitorReport report{public_view(*origin, *checkpoint), *from, {}, 0};
  for (std::uint64_t i = *from; i < checkpoint->size; ++i) {
    auto entry = proved_entry(s, *checkpoint, i);
    if (!entry) {
      return entry.error();
    }
    auto reading = read_entry(s, *entry);
    if (!reading) {
      return reading.error();
    }
    report.not_understood += reading->understood ? 0U : 1U;
    if (reading->own) {
      reading->own->index = i;
      report.entries.push_back(std::move(*reading->own));
    }
  }
  // Only a replay that verified to the end moves the position: a refusal half-way replays the
  // same entries next time.
  if (auto moved = s.state.set_monitor_position(*origin, checkpoint->size); !moved) {
    return moved.error();
  }
  return report;
}

Result<void> Transparency::acknowledge(const std::vector<std::uint64_t>& indexes) {
  auto& s = *state_;
  if (auto admin = s.require_admin(); !admin) {
    return admin.error();
  }
  auto checkpoint = refresh_checkpoint(s, kDirectoryLog);
  if (!checkpoint) {
    return checkpoint.error();
  }
  for (const auto index : indexes) {
    if (index >= checkpoint->size) {
      return make_error_code(client_errc::not_found);
    }
    auto entry = proved_entry(s, *checkpoint, index);
    if (!entry) {
      return entry.error();
    }
    auto reading = read_entry(s, *entry);
    if (!reading) {
      return reading.error();
    }
    // Only this organisation's epoch certificates signed by its key, and revocations of its
    // certificates, can be acknowledged: a foreign key or a certificate the key did not sign is
    // never made right by a person's word.
    if (!reading->acknowledgeable) {
      return make_error_code(client_errc::not_found);
    }
    if (auto noted = s.state.note_own_entry(protocol::merkle::leaf_hash(*entry), "acknowledged");
        !noted) {
      return noted.error();
    }
  }
  return {};
}

Result<std::vector<LogFork>> Transparency::forks() { return state_->state.forks(); }

}  // namespace draaischijf::client
