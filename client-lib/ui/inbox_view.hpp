#pragma once

// The inbox list the page groups and filters: every stored message with its verification (as
// before), what it is about (thread, pupil: from the signed inner part, through the vault's
// TopicCache) and where the work on it stands (the case a signaal opened at the CLB, or the
// referral a doorverwijzing or consultatie is, with the hub's overdue flag).
//
//   GET /api/inbox   {"messages": [...], "unread", "sync_problem"}; each message as
//                    client::inbox_entry_json with "thread_id", "pupil" (the pseudonym, "" for
//                    none), "pupil_label" (the reference inside), "state", "overdue", "case_id"

#include <boost/json/object.hpp>

#include <draaischijf/client/client.hpp>

#include "api.hpp"
#include "topic_cache.hpp"

namespace draaischijf::ui {

/// The triage queue's page the ui asks for: the hub's largest (docs/WORKFLOW.md 6); a CLB with
/// more open and recent cases sees the first thousand, urgent first.
inline constexpr const char* kCasePage = "?limit=1000";

/// The message's thread and pupil (from the cache, or opened now and kept there); nullptr for
/// a message that was refused or cannot be opened now.
[[nodiscard]] const client::MessageTopic* topic_of(client::Client& client, TopicCache& topics,
                                                   const client::InboxEntry& entry);

/// Syncs, then lists every message with its topic and work state.
[[nodiscard]] Response inbox_answer(client::Client& client, TopicCache& topics);

}  // namespace draaischijf::ui
