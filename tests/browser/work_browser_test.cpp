// The web inbox's grouping and filters, live updates and work views in a real browser
// (work.browser.mjs): the real hub, the CLI profiles, and the `draaischijf ui` processes.
#include <map>

#include "busy_inbox.hpp"
#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

class UiWorkBrowser : public UiBrowser {
 protected:
  void SetUp() override {
    UiBrowser::SetUp();
    script = "work.browser.mjs";
  }

  /// The school's signaal about `pupil`, in `thread` (32 hex digits) or a new one.
  void signaal(const std::string& pupil, const std::string& text, const std::string& thread = {}) {
    std::vector<std::string> words = {"send",    "signaal", "--to",   onthaal,
                                      "--pupil", pupil,     "--text", "leren_en_studeren=" + text};
    if (!thread.empty()) {
      words.insert(words.end(), {"--thread-id", thread});
    }
    school.json_of(words);
  }

  /// The CLB's triage queue, as the CLI lists it.
  boost::json::array queue() { return clb.json_of({"cases"}).as_array(); }
};

TEST_F(UiWorkBrowser, TheInboxGroupsByThreadAndPupilAndFilters) {
  const std::string thread(32, 'a');
  signaal("school-leerling-7", "Leest traag.", thread);
  signaal("school-leerling-7", "Nu ook rekenen.", thread);
  signaal("school-leerling-7", "Afwezig.");
  signaal("school-leerling-8", "Vraagt hulp.");
  // The CLB takes on the case of leerling 8's signaal (the newest): the state filter shows it.
  const auto cases = queue();
  ASSERT_EQ(cases.size(), 4U);
  std::string newest;
  std::int64_t newest_ms = 0;
  for (const auto& c : cases) {
    if (c.at("received_at_ms").as_int64() >= newest_ms) {
      newest_ms = c.at("received_at_ms").as_int64();
      newest = text_of(c, "case_id");
    }
  }
  const std::string person = text_of(clb.json_of({"whoami"}), "person");
  clb.json_of({"case", "assign", newest, "--to", person});
  browser("grouping");
}

// More messages than a page: the list shows the newest and pages on, its filters and counts
// cover all of them (work.browser.mjs checks which rows and counts it shows).
TEST_F(UiWorkBrowser, TheInboxPagesAndFiltersEveryMessage) {
  constexpr int kTotal = 130;
  fill_busy_inbox(school, clb, onthaal, 0, kTotal, {.pupils = 7});
  browser("paging", {{"PAGING_TOTAL", std::to_string(kTotal)}});
}

// The list is the device's before it is the hub's: with the hub stopped (it answers nothing, so
// the program's sync waits), the page lists at once the messages the device fetched before; the
// sync's answer completes them once the hub goes on (work.browser.mjs stops and continues it).
TEST_F(UiWorkBrowser, TheInboxListsWhatTheDeviceHoldsWithoutWaitingForTheHub) {
  constexpr int kHeld = 12;
  fill_busy_inbox(school, clb, onthaal, 0, kHeld, {.pupils = 3});
  browser("held", {{"HELD_TOTAL", std::to_string(kHeld)}, {"HUB_PID", std::to_string(hub->pid())}});
  hub->send_signal(SIGCONT);  // in case the script ended while the hub was stopped
}

// The page learns of the school's signaal from the program, which follows the hub's stream;
// without the relay the open inbox would never change.
TEST_F(UiWorkBrowser, AMessageFromAnotherPartyAppearsWithoutReloading) {
  const auto argv = school_signaal("Komt vaak te laat.");
  browser("live", {{"SCHOOL_SEND", boost::json::serialize(boost::json::value_from(argv))}});
}

// The triage queue from the CLB's page: the steps it takes are signed statements the hub
// records, as the CLI then sees them.
TEST_F(UiWorkBrowser, TheTriageQueueShowsUrgentFirstAndTakesSignedSteps) {
  signaal("school-leerling-7", "Leest traag.");
  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-8", "--flag",
                  "verontrusting", "--text", "leren_en_studeren=Zorgwekkend."});
  browser("triage");
  const std::string person = text_of(clb.json_of({"whoami"}), "person");
  std::map<std::string, std::string> states;
  for (const auto& c : queue()) {
    states[text_of(c, "priority")] = text_of(c, "state");
    if (text_of(c, "priority") == "urgent") {
      EXPECT_EQ(text_of(c, "assignee"), person);
    }
  }
  EXPECT_EQ(states["urgent"], "vraagverheldering");
  EXPECT_EQ(states["ordinary"], "new");
}

TEST_F(UiWorkBrowser, TheSchoolFollowsItsSignalenAndIsRefusedTheClbsViews) {
  signaal("school-leerling-7", "Leest traag.");
  signaal("school-leerling-8", "Vraagt hulp.");
  const std::string person = text_of(clb.json_of({"whoami"}), "person");
  clb.json_of({"case", "assign", text_of(queue().at(0), "case_id"), "--to", person});
  browser("school", {}, false, &school);
}

TEST_F(UiWorkBrowser, ThePartnersReferralBoardShowsStateAndDueDates) {
  const auto sent = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Graag een intake."}));
  const auto message_id = text_of(sent, "message_id");
  caw.json_of({"referral", "status", message_id, "received"});
  browser("referrals", {}, false, &caw);
}

}  // namespace
}  // namespace draaischijf::testing
