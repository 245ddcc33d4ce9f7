#pragma once

// Onthaal triage cases (docs/WORKFLOW.md, "Onthaal triage"), metadata only. A case is opened by
// the message store in the transaction that stores a signaal to a CLB mailbox
// (store/case_rows.hpp); this store applies the CLB staff's signed statements to it, each
// checked against the transition table (policies/case_states.hpp) and written with its audit row
// in one transaction, and reads cases back scoped by organisation: another organisation's case
// is simply not found.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/protocol/case_statement.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

enum class case_errc {
  not_found = 1,       // no such case of this organisation
  transition_refused,  // the state does not allow the action
  nonce_replayed,      // the statement's nonce was accepted before
  staff_unknown,       // an assign names no enrolled staff member of the organisation
};

[[nodiscard]] const boost::system::error_category& case_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(case_errc e) noexcept {
  return {static_cast<int>(e), case_category()};
}

struct CaseRecord {
  protocol::Id case_id{};
  protocol::Id org_id{};      // the CLB
  protocol::Id school_org{};  // the organisation that raised the signaal
  protocol::Id message_id{};  // the signaal
  std::optional<protocol::Hash256> pupil;
  std::int64_t sequence = 0;  // arrival order
  std::int64_t received_at_ms = 0;
  policies::CasePriority priority = policies::CasePriority::ordinary;
  policies::CaseState state = policies::CaseState::fresh;
  std::optional<protocol::Id> assignee;  // a staff id
  std::optional<policies::CaseTrack> track;
  std::optional<policies::CloseReason> close_reason;
  std::optional<policies::DelayReason> delay_reason;
  std::optional<std::int64_t> assigned_at_ms;  // the first assignment (first contact)
  std::optional<std::int64_t> consent_at_ms;   // the first linked consent
  std::optional<std::int64_t> closed_at_ms;
};

/// A statement as the hub keeps it: the signed bytes and signature, and when it arrived.
struct StoredCaseStatement {
  std::vector<std::uint8_t> statement;
  protocol::Signature signature{};
  std::int64_t received_at_ms = 0;
};

struct CaseLink {
  policies::LinkKind kind = policies::LinkKind::consent;
  protocol::Id target{};
};

/// A verified statement to apply: the parsed fields, and the bytes to keep.
struct CaseChange {
  protocol::CaseStatement parsed;
  StoredCaseStatement stored;
};

/// The triage queue's filters and page: ordered by priority (urgent first), then arrival;
/// `after` is the last (priority, sequence) of the previous page.
struct CaseQuery {
  std::optional<policies::CaseState> state;
  std::optional<protocol::Id> assignee;
  std::optional<policies::CasePriority> priority;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;
  std::size_t limit = 100;
};

class CaseStore {
 public:
  using Done = std::function<void(sqlite::Result<CaseRecord>)>;

  explicit CaseStore(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

  /// Applies a verified statement of `parsed.org_id`'s device to its case: the transition, an
  /// assignee that is an enrolled staff member, a fresh nonce; the case after it.
  [[nodiscard]] bool apply(const CaseChange& change, Done done);

  [[nodiscard]] sqlite::Result<std::vector<CaseRecord>> list(const protocol::Id& org_id,
                                                             const CaseQuery& query);
  [[nodiscard]] sqlite::Result<CaseRecord> get(const protocol::Id& org_id,
                                               const protocol::Id& case_id);
  [[nodiscard]] sqlite::Result<std::vector<StoredCaseStatement>> statements(
      const protocol::Id& case_id);
  [[nodiscard]] sqlite::Result<std::vector<CaseLink>> links(const protocol::Id& case_id);
  /// The cases the signalen of `school_org` opened, newest first, at most `limit`, before
  /// the sequence `before` (0: from the newest).
  [[nodiscard]] sqlite::Result<std::vector<CaseRecord>> raised_by(const protocol::Id& school_org,
                                                                  std::int64_t before,
                                                                  std::size_t limit);
  /// Every case of the CLB, for its reports.
  [[nodiscard]] sqlite::Result<std::vector<CaseRecord>> all_of(const protocol::Id& org_id);

 private:
  std::shared_ptr<Storage> storage_;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::case_errc> : std::true_type {};
}  // namespace boost::system
