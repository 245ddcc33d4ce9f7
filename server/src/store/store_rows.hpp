#pragma once

// Row helpers the message store and the directory share.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::rows {

template <std::size_t N>
[[nodiscard]] std::array<std::uint8_t, N> fixed(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, N> out{};
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

/// One audit row. Details name ids, counts and kinds: never content or personal data.
[[nodiscard]] sqlite::Result<void> insert_audit(sqlite::Database& db, std::int64_t at_ms,
                                                std::string_view event,
                                                std::span<const std::uint8_t> org,
                                                std::span<const std::uint8_t> device,
                                                std::span<const std::uint8_t> message,
                                                std::string_view detail);

/// The NEN 7513 fields of a policy-related audit row (nullptr in insert_audit: none).
struct AuditSubject {
  std::span<const std::uint8_t> pupil;  // empty: no pupil
  std::string_view user;
  std::string_view on_behalf_of;
  std::string_view role;
  std::string_view legal_basis;
  std::string_view rule_ids;
  std::string_view policy_version;
};

[[nodiscard]] sqlite::Result<void> insert_audit(
    sqlite::Database& db, std::int64_t at_ms, std::string_view event,
    std::span<const std::uint8_t> org, std::span<const std::uint8_t> device,
    std::span<const std::uint8_t> message, std::string_view detail, const AuditSubject& subject);

/// Where an audit row went in the record log.
struct RecordedRow {
  std::uint64_t record_index = 0;
  protocol::Hash256 row_hash{};  // record_hash() of the row
};

/// The audit row of an accepted envelope, whose record-log entry is made from the version 3
/// receipt the sender is answered with: `detail` gets " receipt=<hex of receipt_digest>" and the
/// entry is protocol::receipt_record_entry(receipt digest, row hash) (docs/PROTOCOL.md 13.4).
[[nodiscard]] sqlite::Result<RecordedRow> insert_acceptance_audit(
    sqlite::Database& db, std::int64_t at_ms, std::span<const std::uint8_t> org,
    std::span<const std::uint8_t> device, std::span<const std::uint8_t> message,
    std::string_view detail, const protocol::Hash256& receipt_digest);

/// The acceptance row of `message` when its entry was made from a receipt (nullopt for one
/// written before, or none): what a replay's answer proves again.
[[nodiscard]] sqlite::Result<std::optional<RecordedRow>> logged_acceptance(
    sqlite::Database& db, std::span<const std::uint8_t> message);

/// The audit-record hash of one row (protocol::audit_row_hash, docs/PROTOCOL.md 13.4): its
/// record-log entry is protocol::audit_record_entry of it (insert_audit appends it; `audit
/// verify` recomputes it).
[[nodiscard]] protocol::Hash256 record_hash(std::int64_t id, std::int64_t at_ms,
                                            std::string_view event,
                                            std::span<const std::uint8_t> org,
                                            std::span<const std::uint8_t> device,
                                            std::span<const std::uint8_t> message,
                                            std::string_view detail, const AuditSubject& subject);

/// The columns an audit row is read as a protocol::AuditRecord with (audit_record_of), its
/// record-log index last: "SELECT " + kAuditRecordColumns + " FROM audit ...".
inline constexpr std::string_view kAuditRecordColumns =
    "id, at_ms, event, org_id, device_id, message_id, detail, pupil, coalesce(user_id, ''), "
    "coalesce(on_behalf_of, ''), coalesce(role, ''), coalesce(legal_basis, ''), "
    "coalesce(rule_ids, ''), coalesce(policy_version, ''), record_index";

/// An audit row as its record-log entry is made from it, with its index in the record log.
struct LoggedAuditRow {
  protocol::AuditRecord row;
  std::uint64_t index = 0;
};

/// The current row of a statement that selected kAuditRecordColumns starting at `first`.
[[nodiscard]] LoggedAuditRow audit_record_of(const sqlite::Statement& row, int first = 0);

/// The logged audit row of the decision that put `line` in `org`'s register about `pupil`
/// (policies::records_disclosure), found by the line's time and message; nullopt when retention
/// deleted it or it predates the record log.
[[nodiscard]] sqlite::Result<std::optional<LoggedAuditRow>> decision_of(
    sqlite::Database& db, const policies::Disclosure& line, const protocol::Id& org,
    const protocol::Hash256& pupil);

/// Takes waiting queue entries out of the queue as `state` ('withdrawn' or 'expired'): the
/// entry's state and settle time, its mailbox's queued bytes, and its disclosure-register row
/// (never received, so never disclosed; the register answers inzage requests). Prepared once
/// for a batch; runs inside the caller's transaction.
class WaitingEntrySettler {
 public:
  [[nodiscard]] static sqlite::Result<WaitingEntrySettler> prepare(sqlite::Database& db,
                                                                   std::string_view state);
  [[nodiscard]] sqlite::Result<void> settle(std::span<const std::uint8_t> mailbox_id,
                                            std::int64_t sequence,
                                            std::span<const std::uint8_t> message_id,
                                            std::int64_t size, std::int64_t at_ms);

 private:
  WaitingEntrySettler(std::string_view state, sqlite::Statement update, sqlite::Statement count,
                      sqlite::Statement undisclose)
      : state_(state),
        update_(std::move(update)),
        count_(std::move(count)),
        undisclose_(std::move(undisclose)) {}
  std::string_view state_;
  sqlite::Statement update_;
  sqlite::Statement count_;
  sqlite::Statement undisclose_;
};

/// Withdraws every queued entry of the envelopes `sender_org` sent under `consent_id`, with an
/// audit row each, appending them to `out`. Runs inside the caller's transaction.
[[nodiscard]] sqlite::Result<void> withdraw_queued(sqlite::Database& db,
                                                   std::span<const std::uint8_t> consent_id,
                                                   std::span<const std::uint8_t> sender_org,
                                                   std::int64_t at_ms,
                                                   std::vector<Withdrawal>& out);

/// Steps through every row, calling `each(statement)`; an `each` that returns a
/// sqlite::Result<void> stops the walk at its first error and returns it.
template <class Each>
[[nodiscard]] sqlite::Result<void> for_each_row(sqlite::Statement& statement, Each&& each) {
  while (true) {
    auto row = statement.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
    if constexpr (std::is_same_v<std::invoke_result_t<Each&, sqlite::Statement&>,
                                 sqlite::Result<void>>) {
      if (auto done = each(statement); !done) {
        return done;
      }
    } else {
      each(statement);
    }
  }
}

/// Every row of `sql`, bound by `bind(statement)`, mapped by `map(statement)` to a `Row`.
template <class Row, class Bind, class Map>
[[nodiscard]] sqlite::Result<std::vector<Row>> select_all(sqlite::Database& db,
                                                          std::string_view sql, Bind&& bind,
                                                          Map&& map) {
  auto select = db.prepare(sql);
  if (!select) {
    return select.error();
  }
  bind(*select);
  std::vector<Row> out;
  if (auto read = for_each_row(*select, [&](sqlite::Statement& row) { out.push_back(map(row)); });
      !read) {
    return read.error();
  }
  return out;
}

}  // namespace draaischijf::server::rows
