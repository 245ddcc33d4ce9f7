// The inbox's window (client-lib/ui/inbox_window.hpp): which rows the page gets for its
// controls, in which order and groups, with counts over every message.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "inbox_window.hpp"

namespace draaischijf::ui {
namespace {

// Items in the device's order (oldest first). Thread "a": 1, 3, 6; thread "b": 2, 5; thread
// "c": 4. Pupil "p1" (named only from item 3 on), "p2", and none.
std::vector<WindowItem> sample() {
  return {
      {1000, true, false, "signaal", "p1", "", "new", "a"},
      {2000, false, false, "consultatie", "p2", "leerling-2", "", "b"},
      {3000, false, true, "signaal", "p1", "leerling-1", "assigned", "a"},
      {4000, true, false, "signaal", "", "", "", "c"},
      {5000, false, false, "consultatie", "p2", "leerling-2", "", "b"},
      {5000, false, false, "signaal", "p1", "leerling-1", "new", "a"},
  };
}

std::vector<std::size_t> rows(const InboxWindow& window) {
  std::vector<std::size_t> out;
  for (const auto& group : window.groups) {
    out.insert(out.end(), group.rows.begin(), group.rows.end());
  }
  return out;
}

TEST(InboxWindow, UngroupedIsNewestFirstAndSameTimesKeepTheDevicesOrder) {
  const auto items = sample();
  const auto window = window_of(items, InboxQuery{});
  EXPECT_EQ(rows(window), (std::vector<std::size_t>{4, 5, 3, 2, 1, 0}));
  ASSERT_EQ(window.groups.size(), 1U);
  EXPECT_EQ(window.groups[0].key, "");
  EXPECT_EQ(window.total, 6U);
  EXPECT_EQ(window.matching, 6U);
  EXPECT_EQ(window.shown, 6U);
  EXPECT_EQ(window.unread, 4U);
}

TEST(InboxWindow, TheChoicesCoverEveryMessageSortedAndNameThePupilWhereAnyMessageDoes) {
  const auto items = sample();
  InboxQuery query;
  query.kind = "consultatie";  // the choices do not shrink with a filter
  const auto window = window_of(items, query);
  EXPECT_EQ(window.kinds, (std::vector<std::string_view>{"consultatie", "signaal"}));
  EXPECT_EQ(window.states, (std::vector<std::string_view>{"assigned", "new"}));
  ASSERT_EQ(window.pupils.size(), 2U);
  EXPECT_EQ(window.pupils[0].first, "p1");
  EXPECT_EQ(window.pupils[0].second, "leerling-1") << "the first message did not name the pupil";
  EXPECT_EQ(window.pupils[1].second, "leerling-2");
  EXPECT_EQ(window.unread, 4U) << "the list's unread count is every message's";
}

TEST(InboxWindow, ALimitShowsTheNewestAndCountsTheRest) {
  const auto items = sample();
  InboxQuery query;
  query.limit = 2;
  const auto window = window_of(items, query);
  EXPECT_EQ(rows(window), (std::vector<std::size_t>{4, 5}));
  EXPECT_EQ(window.shown, 2U);
  EXPECT_EQ(window.matching, 6U);
}

TEST(InboxWindow, ThreadsComeByTheirNewestRowAndTheirHeadingNamesTheOldest) {
  const auto items = sample();
  InboxQuery query;
  query.by = GroupBy::thread;
  const auto window = window_of(items, query);
  ASSERT_EQ(window.groups.size(), 3U);
  EXPECT_EQ(window.groups[0].key, "b");  // its newest (item 4) was stored before item 5
  EXPECT_EQ(window.groups[0].rows, (std::vector<std::size_t>{4, 1}));
  EXPECT_EQ(window.groups[0].first, 1U);
  EXPECT_EQ(window.groups[1].key, "a");
  EXPECT_EQ(window.groups[1].rows, (std::vector<std::size_t>{5, 2, 0}));
  EXPECT_EQ(window.groups[1].first, 0U);
  EXPECT_EQ(window.groups[1].unread, 2U);
  EXPECT_EQ(window.groups[2].key, "c");
}

TEST(InboxWindow, AGroupCutByTheLimitStillCountsAllItsMessages) {
  const auto items = sample();
  InboxQuery query;
  query.by = GroupBy::pupil;
  query.limit = 2;
  const auto window = window_of(items, query);
  ASSERT_EQ(window.groups.size(), 1U) << "no room is left for a second group";
  EXPECT_EQ(window.groups[0].key, "p2");
  EXPECT_EQ(window.groups[0].rows.size(), 2U);
  query.limit = 3;
  const auto more = window_of(items, query);
  ASSERT_EQ(more.groups.size(), 2U);
  EXPECT_EQ(more.groups[1].key, "p1");
  EXPECT_EQ(more.groups[1].rows, (std::vector<std::size_t>{5}));
  EXPECT_EQ(more.groups[1].count, 3U);
  EXPECT_EQ(more.groups[1].unread, 2U);
  EXPECT_EQ(more.groups[1].first, 0U);
  EXPECT_EQ(more.shown, 3U);
}

TEST(InboxWindow, FiltersChooseByKindPupilStateUnreadAndOverdue) {
  const auto items = sample();
  const auto chosen = [&items](auto set) {
    InboxQuery query;
    set(query);
    const auto window = window_of(items, query);
    EXPECT_EQ(window.matching, window.shown);
    return rows(window);
  };
  using Rows = std::vector<std::size_t>;
  EXPECT_EQ(chosen([](InboxQuery& q) { q.kind = "consultatie"; }), (Rows{4, 1}));
  EXPECT_EQ(chosen([](InboxQuery& q) { q.pupil = "p1"; }), (Rows{5, 2, 0}));
  EXPECT_EQ(chosen([](InboxQuery& q) { q.state = "new"; }), (Rows{5, 0}));
  EXPECT_EQ(chosen([](InboxQuery& q) { q.unread_only = true; }), (Rows{4, 5, 2, 1}));
  EXPECT_EQ(chosen([](InboxQuery& q) { q.overdue_only = true; }), (Rows{2}));
  EXPECT_EQ(chosen([](InboxQuery& q) {
              q.kind = "signaal";
              q.unread_only = true;
            }),
            (Rows{5, 2}));
  EXPECT_TRUE(chosen([](InboxQuery& q) { q.pupil = "nobody"; }).empty());
}

TEST(InboxWindow, TheQueryIsReadFromTheAddressWithDefaultsForWhatIsMissingOrUnreadable) {
  const auto plain = inbox_query_of("/api/inbox?local=1");
  EXPECT_EQ(plain.by, GroupBy::none);
  EXPECT_EQ(plain.limit, kPageSize);
  EXPECT_TRUE(plain.kind.empty());
  EXPECT_FALSE(plain.unread_only);

  const auto full = inbox_query_of(
      "/api/inbox?news=1&by=thread&kind=signaal&pupil=ab%2Fcd&state=new&unread=1&overdue=1"
      "&limit=300");
  EXPECT_EQ(full.by, GroupBy::thread);
  EXPECT_EQ(full.kind, "signaal");
  EXPECT_EQ(full.pupil, "ab/cd");
  EXPECT_EQ(full.state, "new");
  EXPECT_TRUE(full.unread_only);
  EXPECT_TRUE(full.overdue_only);
  EXPECT_EQ(full.limit, 300U);

  EXPECT_EQ(inbox_query_of("/api/inbox?by=sender").by, GroupBy::none);
  EXPECT_EQ(inbox_query_of("/api/inbox?limit=0").limit, kPageSize);
  EXPECT_EQ(inbox_query_of("/api/inbox?limit=12x").limit, kPageSize);
  EXPECT_EQ(inbox_query_of("/api/inbox?limit=-5").limit, kPageSize);
  EXPECT_FALSE(inbox_query_of("/api/inbox?unread=yes").unread_only);
}

}  // namespace
}  // namespace draaischijf::ui
