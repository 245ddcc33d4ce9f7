#pragma once

// Opening onthaal cases from inside the message store's storing transaction, so a signaal that
// is accepted always has its case (docs/WORKFLOW.md, "Onthaal triage").

#include <cstdint>
#include <span>

#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::case_rows {

struct Opening {
  protocol::Id school_org{};  // the sender
  protocol::Id sender_device{};
  protocol::Id message_id{};
  protocol::Hash256 pupil{};  // zero: none
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
  policies::CasePriority priority = policies::CasePriority::ordinary;
};

/// One case per CLB among the recipient mailboxes' organisations, with an audit row each; a
/// signaal to no CLB opens none. Runs inside the caller's transaction.
[[nodiscard]] sqlite::Result<void> open_cases(sqlite::Database& db, const Opening& opening,
                                              std::span<const protocol::Id> mailboxes);

}  // namespace draaischijf::server::case_rows
