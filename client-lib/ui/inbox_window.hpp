#pragma once

// What of the inbox the page shows: the rows of one window of the list, chosen here from every
// message the device holds, and what the page needs about all of them (the filters' choices,
// the counts). With thousands of messages, the page gets a page's worth of rows instead of all
// of them (docs/DECISIONS.md, "The program pages the inbox, not the page"): sending, parsing and
// filtering 5,000 rows in the browser was most of its first paint (docs/BENCHMARKS.md).
//
// The query (GET /api/inbox?...):
//   kind=CODE pupil=PSEUDONYM state=STATE  only messages with that value
//   unread=1 overdue=1                     only unread / overdue ones
//   by=thread | by=pupil                   grouped (default: not grouped)
//   limit=N                                rows shown, across groups (default kPageSize)
// An unknown value of `by` or an unreadable limit is the default; a filter value that no message
// has matches nothing.
//
// The order is the page's: newest first (messages received at the same millisecond in the
// order they were stored); a group's rows newest first, groups by their newest row; a group's
// heading names its oldest row (what started the thread). Counts cover every message, not only
// the rows shown: a group's count and unread count cover its filtered rows, the list's unread
// count every message.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace draaischijf::ui {

/// The rows the page asks for at once and per "meer laden".
inline constexpr std::size_t kPageSize = 100;

enum class GroupBy { none, thread, pupil };

struct InboxQuery {
  std::string kind;
  std::string pupil;
  std::string state;
  bool unread_only = false;
  bool overdue_only = false;
  GroupBy by = GroupBy::none;
  std::size_t limit = kPageSize;
};

/// The query of GET /api/inbox`target`.
[[nodiscard]] InboxQuery inbox_query_of(std::string_view target);

/// What the window is chosen by, per message, in the device's order (oldest first).
struct WindowItem {
  std::int64_t received_at_ms = 0;
  bool read = false;
  bool overdue = false;
  std::string_view kind;
  std::string_view pupil;        ///< the pseudonym in hex, empty for none
  std::string_view pupil_label;  ///< the organisation's own reference, empty when unknown
  std::string_view state;        ///< empty when no work is known
  std::string_view thread;       ///< the group key when grouped by thread
};

struct WindowGroup {
  std::string_view key;           ///< the thread or the pupil; empty when not grouped
  std::size_t count = 0;          ///< its messages that match the filters
  std::size_t unread = 0;         ///< of those, unread
  std::size_t first = 0;          ///< the item its heading names: its oldest
  std::vector<std::size_t> rows;  ///< the items shown, newest first
};

struct InboxWindow {
  std::size_t total = 0;                ///< every message
  std::size_t unread = 0;               ///< every unread message
  std::size_t matching = 0;             ///< the messages that match the filters
  std::size_t shown = 0;                ///< the rows in `groups`
  std::vector<std::string_view> kinds;  ///< the filters' choices: every value present, sorted
  std::vector<std::string_view> states;
  std::vector<std::pair<std::string_view, std::string_view>> pupils;  ///< pseudonym, label
  std::vector<WindowGroup> groups;  ///< those with a row shown, in the page's order
};

/// The window of `items` that `query` asks for. Views into `items` stay valid as long as it.
[[nodiscard]] InboxWindow window_of(const std::vector<WindowItem>& items, const InboxQuery& query);

}  // namespace draaischijf::ui
