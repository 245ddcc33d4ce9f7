// [workflow] read again on SIGHUP, with the hub process and the CLI (docs/WORKFLOW.md 2,
// docs/OPERATIONS.md "Changing the workflow settings"): a referral sent after the reload gets
// its due dates from the new targets, one sent before keeps its own; a configuration with a bad
// value is refused whole, logged with the key, and the settings in force stay.

#include <csignal>

#include <gtest/gtest.h>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/date.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

class WorkflowReloadTest : public CliScenario {
 protected:
  // Sends a doorverwijzing to the CAW; its id and the Belgian days around the hub's dating it.
  struct Sent {
    std::string id;
    std::vector<policies::CivilDate> days;
  };
  Sent refer() {
    Sent sent;
    sent.days.push_back(policies::belgian_date(std::chrono::system_clock::now()));
    const auto receipt = clb.json_of(
        under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                       "--text", "psychisch_sociaal=Angstklachten sinds september."}));
    sent.id = text_of(receipt, "message_id");
    sent.days.push_back(policies::belgian_date(std::chrono::system_clock::now()));
    return sent;
  }
  std::string received_due(const Sent& sent) {
    const auto listing = clb.json_of({"referrals"});  // kept: the loop reads into it
    for (const auto& r : listing.at("referrals").as_array()) {
      if (text_of(r, "message_id") == sent.id) {
        return text_of(r, "received_due");
      }
    }
    ADD_FAILURE() << "referral " << sent.id << " not listed";
    return {};
  }
  // Whether `due` is `days` working days after the day the referral was sent (the hub's
  // default calendar).
  static bool due_after(const std::string& due, const Sent& sent, int days) {
    const policies::WorkingCalendar calendar;
    for (const auto& day : sent.days) {
      if (policies::to_string(calendar.add_working_days(day, days)) == due) {
        return true;
      }
    }
    return false;
  }
  void reconfigure(const std::string& workflow) {
    write_file(dir.path() / "hub.toml", view_of(config(hub->port()) + workflow));
    hub->send_signal(SIGHUP);
  }
};

TEST_F(WorkflowReloadTest, SighupAppliesNewTargetsAndABadValueKeepsThoseInForce) {
  const Sent before = refer();
  reconfigure("[workflow.targets]\npartner_received_days = 8\npartner_answered_days = 12\n");
  ASSERT_TRUE(hub->wait_for_event("workflow.reloaded", 1)) << hub->log_text();
  const Sent after = refer();
  const std::string before_due = received_due(before);
  const std::string after_due = received_due(after);
  EXPECT_TRUE(due_after(before_due, before, 3)) << before_due;  // the default, as sent
  EXPECT_TRUE(due_after(after_due, after, 8)) << after_due;

  // 0 is out of range: the whole file is refused with the key and the reason; 8 stays.
  reconfigure("[workflow.targets]\npartner_received_days = 0\n");
  ASSERT_TRUE(hub->wait_for_event("reload.finished", 2)) << hub->log_text();
  EXPECT_EQ(hub->count_events("config.reload_failed"), 1U) << hub->log_text();
  EXPECT_EQ(hub->count_events("workflow.reloaded"), 1U) << hub->log_text();
  EXPECT_NE(hub->log_text().find("workflow.targets.partner_received_days"), std::string::npos)
      << hub->log_text();
  const Sent refused = refer();
  const std::string refused_due = received_due(refused);
  EXPECT_TRUE(due_after(refused_due, refused, 8)) << refused_due;
}

}  // namespace
}  // namespace draaischijf::testing
