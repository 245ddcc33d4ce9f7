#include "inbox_window.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "gate.hpp"

namespace draaischijf::ui {
namespace {

bool matches(const WindowItem& item, const InboxQuery& query) {
  return (query.kind.empty() || item.kind == query.kind) &&
         (query.pupil.empty() || item.pupil == query.pupil) &&
         (query.state.empty() || item.state == query.state) && (!query.unread_only || !item.read) &&
         (!query.overdue_only || item.overdue);
}

std::string_view group_key(const WindowItem& item, GroupBy by) {
  switch (by) {
    case GroupBy::thread:
      return item.thread;
    case GroupBy::pupil:
      return item.pupil;
    case GroupBy::none:
      break;
  }
  return {};
}

// The filters' choices over every message (not only those matching): what the page offers.
void fill_choices(const std::vector<WindowItem>& items, InboxWindow& window) {
  std::set<std::string_view> kinds;
  std::set<std::string_view> states;
  std::map<std::string_view, std::string_view> pupils;
  for (const auto& item : items) {
    kinds.insert(item.kind);
    if (!item.state.empty()) {
      states.insert(item.state);
    }
    if (!item.pupil.empty()) {
      auto& label = pupils[item.pupil];
      if (label.empty()) {
        label = item.pupil_label;  // a message that names the pupil, where one does
      }
    }
    window.unread += item.read ? 0U : 1U;
  }
  window.kinds.assign(kinds.begin(), kinds.end());
  window.states.assign(states.begin(), states.end());
  window.pupils.assign(pupils.begin(), pupils.end());
}

}  // namespace

InboxQuery inbox_query_of(std::string_view target) {
  InboxQuery query;
  query.kind = query_value(target, "kind").value_or("");
  query.pupil = query_value(target, "pupil").value_or("");
  query.state = query_value(target, "state").value_or("");
  query.unread_only = query_value(target, "unread") == "1";
  query.overdue_only = query_value(target, "overdue") == "1";
  const auto by = query_value(target, "by");
  query.by = by == "thread" ? GroupBy::thread : by == "pupil" ? GroupBy::pupil : GroupBy::none;
  if (const auto limit = query_value(target, "limit")) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec == std::errc{} && end == limit->data() + limit->size() && value > 0) {
      query.limit = value;
    }
  }
  return query;
}

InboxWindow window_of(const std::vector<WindowItem>& items, const InboxQuery& query) {
  InboxWindow window;
  window.total = items.size();
  fill_choices(items, window);

  // Newest first; the device's order (oldest first) reversed within the same millisecond would
  // move rows between loads, so equal times keep it.
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (matches(items[i], query)) {
      chosen.push_back(i);
    }
  }
  std::stable_sort(chosen.begin(), chosen.end(), [&items](std::size_t a, std::size_t b) {
    return items[a].received_at_ms > items[b].received_at_ms;
  });
  window.matching = chosen.size();

  // Groups in the order of their newest row, which is the order they are first met in.
  std::map<std::string_view, std::size_t> group_of;
  std::vector<WindowGroup> groups;
  for (const auto i : chosen) {
    const auto key = group_key(items[i], query.by);
    auto [at, added] = group_of.try_emplace(key, groups.size());
    if (added) {
      groups.emplace_back().key = key;
    }
    auto& group = groups[at->second];
    ++group.count;
    group.unread += items[i].read ? 0U : 1U;
    group.first = i;  // the last met is the oldest
    group.rows.push_back(i);
  }

  std::size_t room = query.limit;
  for (auto& group : groups) {
    if (room == 0) {
      break;
    }
    if (group.rows.size() > room) {
      group.rows.resize(room);
    }
    room -= group.rows.size();
    window.shown += group.rows.size();
    window.groups.push_back(std::move(group));
  }
  return window;
}

}  // namespace draaischijf::ui
