#pragma once

// The referral lifecycle on the hub (docs/WORKFLOW.md, "Referral lifecycle"): one referral per
// recipient organisation of a stored doorverwijzing or consultatie (recorded in the envelope's
// own transaction, message_store.cpp), and the signed status statements that move it, each
// recorded with its audit row in one transaction that checks the transition against the state
// on disk (policies/referral_states.hpp). Metadata only: ids, states, codes and days.
//
// Days are days since 1970-01-01 of the Belgian civil date (policies::belgian_date), the unit
// of the statement's date field and of the working-day calendar.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

/// The partner targets of a new referral, computed by the caller on the working-day calendar
/// from the day it was sent (docs/WORKFLOW.md 2).
struct ReferralDue {
  std::uint32_t sent_day = 0;
  std::uint32_t received_due_day = 0;  // not `received` (or later) by the end of it: overdue
  std::uint32_t answered_due_day = 0;  // not answered by the end of it: overdue
};

struct ReferralRow {
  std::int64_t id = 0;  // the listing's cursor
  protocol::Id referral_id{};
  protocol::Id referrer_org{};
  protocol::Id partner_org{};
  protocol::MessageKind kind = protocol::MessageKind::doorverwijzing;
  std::int64_t sent_at_ms = 0;
  protocol::ReferralState state = protocol::ReferralState::sent;
  std::uint32_t last_sequence = 0;  // of the last recorded statement; 0 while `sent`
  std::int64_t updated_at_ms = 0;
  ReferralDue due;
};

struct ReferralStatementRow {
  std::uint32_t sequence = 0;
  protocol::ReferralState state = protocol::ReferralState::received;
  std::uint8_t code = 0;
  std::uint32_t day = 0;
  std::int64_t recorded_at_ms = 0;
  std::vector<std::uint8_t> statement;  // the signed bytes, as the client verifies them
};

/// The first time a referral reached a state (the hub's clock when it recorded the statement),
/// for the director's report of the partners' pace (docs/WORKFLOW.md 6, "Reports").
struct ReferralMilestone {
  protocol::Id partner_org{};
  std::uint32_t sent_day = 0;
  protocol::ReferralState state = protocol::ReferralState::accepted;
  std::int64_t reached_at_ms = 0;
};

/// Which side of its referrals an organisation looks at.
enum class ReferralSide { sent, received };

struct ReferralQuery {
  protocol::Id org{};
  ReferralSide side = ReferralSide::sent;
  std::optional<protocol::ReferralState> state;
  std::optional<protocol::Id> counterpart;  // the partner (side sent) or the referrer (received)
  bool overdue_only = false;
  std::uint32_t today = 0;  // the hub's Belgian day, for `overdue_only`
  std::int64_t after = 0;   // cursor: rows with a larger id
  std::size_t limit = 100;
};

enum class referral_errc {
  not_found = 1,       // no such referral for this organisation (or it may not see it)
  transition_invalid,  // the new state may not follow the current one
  sequence_invalid,    // the statement's sequence is not the next one
};
[[nodiscard]] const boost::system::error_category& referral_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(referral_errc e) noexcept {
  return {static_cast<int>(e), referral_category()};
}

/// What the transaction found when it refused or recorded a statement.
struct ReferralOutcomeRow {
  protocol::ReferralState current = protocol::ReferralState::sent;
  std::uint32_t last_sequence = 0;
  bool duplicate = false;  // the very same statement was recorded before
};

struct StatusRecord {
  protocol::ParsedReferralStatement parsed;
  std::vector<std::uint8_t> bytes;
  protocol::Id device{};
  std::int64_t at_ms = 0;
};

/// The whole overdue rule in one place: the state the referral has must have been reached
/// by the due day; the day after is overdue.
[[nodiscard]] bool referral_overdue(const ReferralRow& row, std::uint32_t today) noexcept;

class ReferralStore {
 public:
  /// The transaction's result and what it found (also on a refusal: the current state).
  struct Recorded {
    sqlite::Result<void> result;
    ReferralOutcomeRow row;
  };
  using RecordDone = std::function<void(Recorded)>;

  explicit ReferralStore(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

  /// Records a verified statement with its audit row in one transaction on the writer, after
  /// checking there that its sequence is the next and its state may follow the current one
  /// (policies/referral_states.hpp). The same statement again is a duplicate, not an error.
  /// false when the writer's queue is full.
  [[nodiscard]] bool record(StatusRecord record, RecordDone done);

  [[nodiscard]] sqlite::Result<std::vector<ReferralRow>> list(const ReferralQuery& query);
  /// The referral as `org` may see it: every partner row for the referrer, its own for a
  /// partner; empty when it may see none (the same as a missing one).
  [[nodiscard]] sqlite::Result<std::vector<ReferralRow>> find(const protocol::Id& referral_id,
                                                              const protocol::Id& org);
  /// Every referral `referrer_org` sent that waits on a partner's waiting list (`waitlisted`),
  /// for the director's report (docs/WORKFLOW.md 6, "Reports"); aggregated by the caller.
  [[nodiscard]] sqlite::Result<std::vector<ReferralRow>> waitlisted(
      const protocol::Id& referrer_org);
  /// Every referral `referrer_org` sent that got to `accepted` or `started`: one milestone per
  /// referral and state reached (the first statement of it), for the report; aggregated by
  /// the caller. Referrals retention deleted are no longer counted.
  [[nodiscard]] sqlite::Result<std::vector<ReferralMilestone>> milestones(
      const protocol::Id& referrer_org);
  [[nodiscard]] sqlite::Result<std::vector<ReferralStatementRow>> statements(
      const protocol::Id& referral_id, const protocol::Id& partner_org);
  /// Whether `referrer_org` referred a pupil to `partner_org` under `consent_reference` (and
  /// did not cancel it): a message from the partner to that CLB under that consent answers it.
  [[nodiscard]] sqlite::Result<bool> answers_referral(const protocol::Id& partner_org,
                                                      const protocol::Id& referrer_org,
                                                      const protocol::Id& consent_reference);

 private:
  std::shared_ptr<Storage> storage_;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::referral_errc> : std::true_type {};
}  // namespace boost::system
