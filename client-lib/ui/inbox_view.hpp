#pragma once

// The inbox list the page shows: the window of every stored message it asks for
// (inbox_window.hpp: filtered, grouped, a page of rows) with its verification, what it is about
// (thread, pupil: from the signed inner part, through the vault's TopicCache) and where the work on
// it stands (the case a signaal opened at the CLB, or the referral a doorverwijzing or consultatie
// is, with the hub's overdue flag).
//
//   GET /api/inbox          syncs with the hub, then lists; {"messages": [...], "groups",
//                           "total", "unread", "matching", "kinds", "states", "pupils",
//                           "synced": true, "sync_problem"} (inbox_view.cpp, list_json); each
//                           takes the window's query (inbox_window.hpp) as well
//   GET /api/inbox?local=1  the same list at once from what the device holds, asking the hub
//                           nothing ("synced": false): the page's first paint, before its sync.
//                           Threads, pupils and work states are those this unlocked session
//                           learnt already; a message not opened yet in it has none until the
//                           next sync.
//   GET /api/inbox?news=1   syncs, and lists only when that brought news: a new message, another
//                           work state, a thread or pupil learnt for a message the device listed
//                           without one; otherwise {"synced": true, "sync_problem"} alone. The
//                           page's sync after its first paint: thousands of unchanged rows are
//                           not built, sent and compared again while the person may already be
//                           opening one.
//
// Both answers that sync are made on the inbox's sync thread (inbox_sync.hpp), with a client of
// its own, so the server's thread goes on answering (a message opens) while the hub is asked;
// the list after it is then made on the server's thread, from what the sync kept in the vault.
//
// Each message is a row's worth of client::inbox_entry_json: "mailbox_id", "sequence",
// "received_at_ms", "sender_org", "sender_org_name", "sender_role", "kind", "categories",
// "flags", "verified", "problem", "read", with "thread_id", "pupil" (the pseudonym, "" for
// none), "pupil_label" (the reference inside), "state" and "overdue". What only the read view
// shows (the sender's device, the message id) comes with the opened message.

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include <draaischijf/client/client.hpp>

#include "api.hpp"
#include "inbox_window.hpp"
#include "topic_cache.hpp"
#include "vault.hpp"
#include "work_states.hpp"

namespace draaischijf::ui {

/// The triage queue's page the ui asks for: the hub's largest (docs/WORKFLOW.md 6); a CLB with
/// more open and recent cases sees the first thousand, urgent first.
inline constexpr const char* kCasePage = "?limit=1000";

/// The message's thread and pupil (from the cache, or opened now and kept there); nullptr for
/// a message that was refused or cannot be opened now. The caller holds the vault's lock
/// (Vault::learnt) for as long as it uses the pointer.
[[nodiscard]] const client::MessageTopic* topic_of(client::Client& client, TopicCache& topics,
                                                   const client::InboxEntry& entry);

/// What the list's answer is made of.
enum class ListAnswer {
  synced,  ///< a sync with the hub first (new messages, the work states asked again), the list
  news,    ///< a sync, and the list only when the sync brought news
  device,  ///< the device's own state only: nothing is asked of the hub
};

/// What GET /api/inbox`target` asks for: ?local=1 the device's list, ?news=1 news, else synced.
[[nodiscard]] ListAnswer list_answer_of(std::string_view target);

/// The window `query` asks for (inbox_window.hpp) of the list from the device alone
/// (ListAnswer::device), with the threads, pupils and work states `vault` learnt in this unlock;
/// nothing is asked of the hub and no message opened. With `sync_problem`, the answer after a
/// sync: "synced" and its problem (empty when it reached the hub).
[[nodiscard]] Response device_list(client::Client& client, Vault& vault, const InboxQuery& query,
                                   const std::optional<std::string>& sync_problem = {});

/// What one sync with the hub did.
struct SyncOutcome {
  bool news = false;    ///< a new message, another work state, a thread or pupil learnt
  std::string problem;  ///< why it failed; empty when it reached the hub
};

/// Syncs `client` with the hub (taking the vault's sync turn), asks it for the work states,
/// opens the messages not opened yet in unlock `unlocked` for their thread and pupil, and keeps
/// what it learnt in `vault` (unless it locked since), where device_list() finds it. Runs on the
/// inbox's sync thread (inbox_sync.hpp) with that thread's client: no lock is held while the
/// hub is asked or messages opened.
[[nodiscard]] SyncOutcome sync_inbox(client::Client& client, Vault& vault, std::uint64_t unlocked);

/// The answer to `answer` after the sync that ended with `outcome`: the window `query` asks for,
/// or for ListAnswer::news without news the sync's outcome alone, {"synced": true,
/// "sync_problem"}. On the server's thread, with its client.
[[nodiscard]] Response list_after_sync(client::Client& client, Vault& vault, ListAnswer answer,
                                       const SyncOutcome& outcome, const InboxQuery& query);

}  // namespace draaischijf::ui
