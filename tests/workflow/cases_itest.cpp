// Onthaal triage against a real hub on a manual clock (docs/WORKFLOW.md, "Onthaal triage";
// docs/PROTOCOL.md 7.17): a school's signaal opens a case at the CLB in the transaction that
// stores it; the CLB's devices move it with signed statements the hub verifies and checks
// against the transition table; urgent cases head the queue; the school sees three states of
// its own signalen, if the rule set names its role; the director's report holds aggregates only.

#include <gtest/gtest.h>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/case_statement.hpp>

#include "in_process_hub.hpp"
#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
using policies::CaseAction;
namespace json = boost::json;

std::int64_t unix_ms(protocol::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A UTC instant from "YYYY-MM-DD" and the hour.
std::int64_t utc_ms(std::string_view date, int hour) {
  const auto day = policies::parse_date(date).value();
  const auto days = std::chrono::sys_days(std::chrono::year_month_day(
      std::chrono::year(day.year), std::chrono::month(day.month), std::chrono::day(day.day)));
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (days + std::chrono::hours(hour)).time_since_epoch())
      .count();
}

class CasesTest : public ::testing::Test {
 protected:
  explicit CasesTest(const std::string& extra_config = "") : served(dir.path(), extra_config) {}

  // The school's signaal to its CLB's onthaal (R34: no consent needed), sealed at hub time.
  std::string send_signaal(std::uint32_t attestations = 0) {
    auto draft = DevHub::draft_under({}, "Leest traag, vraagt hulp.", MessageKind::signaal);
    draft.attestations = attestations;
    const auto envelope = protocol::seal(draft, {school_certificate, school.signing, ++sequence},
                                         std::vector<MailboxEpochCertificate>{onthaal},
                                         static_cast<std::uint64_t>(unix_ms(served.now())));
    EXPECT_TRUE(envelope) << envelope.error().message();
    const auto answer = hub.call("school", post("/v1/envelopes", text_of(envelope.value())));
    EXPECT_EQ(answer.status, 201) << answer.body;
    // The sealer draws the message id; the receipt names it.
    return answer.status == 201 ? std::string(json::parse(answer.body).at("message_id").as_string())
                                : std::string();
  }

  // A statement by the CLB's staff device, signed at the hub's time.
  CaseStatement statement_for(const std::string& case_id, CaseAction action, std::uint8_t code = 0,
                              const Id& subject = {}) {
    CaseStatement s;
    s.org_id = clb.org_id;
    s.case_id = fixed_hex<16>(case_id);
    s.device_id = clb.device_id;
    s.action = static_cast<std::uint8_t>(action);
    s.code = code;
    s.subject = subject;
    s.at_ms = static_cast<std::uint64_t>(unix_ms(served.now()));
    s.nonce = random_id();
    return s;
  }
  HttpResponse post_statement(const std::string& case_id, const CaseStatement& s,
                              const SigningKey& key) {
    const json::object body{{"statement", base64_encode(encode(s))},
                            {"signature", base64_encode(sign_case_statement(s, key))}};
    return hub.call("clb", post("/v1/cases/" + case_id + "/statements", json::serialize(body)));
  }
  HttpResponse act(const std::string& case_id, CaseAction action, std::uint8_t code = 0,
                   const Id& subject = {}) {
    return post_statement(case_id, statement_for(case_id, action, code, subject), clb.signing);
  }

  json::array cases(const std::string& query = "") {
    return hub.json("clb", get("/v1/cases" + query))["cases"].as_array();
  }
  std::string only_case_id() {
    const auto all = cases();
    EXPECT_EQ(all.size(), 1U);
    return all.empty() ? "" : std::string(all[0].at("case_id").as_string());
  }
  std::string state_of(const HttpResponse& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.status == 200 ? std::string(json::parse(answer.body).at("state").as_string())
                                : "";
  }

  TempDir dir;
  InProcessHub served;
  DevHub hub{served.port(), served.pki()};
  MailboxEpochCertificate onthaal = hub.epoch_of(hub.mailbox_of("clb"));
  server::DevDeviceKeys school = hub.keys("school");
  DeviceCertificate school_certificate = hub.certificate_of("school");
  server::DevDeviceKeys clb = hub.keys("clb");
  std::uint64_t sequence = 0;
};

TEST_F(CasesTest, ASignaalOpensACaseAtTheClb) {
  EXPECT_TRUE(cases().empty());
  const std::string message = send_signaal();
  const auto all = cases();
  ASSERT_EQ(all.size(), 1U);
  const auto& c = all[0].as_object();
  EXPECT_EQ(c.at("message_id").as_string(), message);
  EXPECT_EQ(c.at("school_org").as_string(), hex(hub.org_id("school")));
  EXPECT_EQ(c.at("pupil").as_string(), test_pupil_hex());
  EXPECT_EQ(c.at("state").as_string(), "new");
  EXPECT_EQ(c.at("priority").as_string(), "ordinary");
  EXPECT_TRUE(c.at("assignee").is_null());
  // The due date counts from the signaal (the default start event) on the advice target.
  EXPECT_FALSE(c.at("due").is_null());
  EXPECT_FALSE(c.at("overdue").as_bool());
  // The case is the CLB's: the school and the CAW do not reach it.
  const std::string path = "/v1/cases/" + std::string(c.at("case_id").as_string());
  EXPECT_EQ(hub.call("school", get(path)).status, 403);
  EXPECT_EQ(problem_slug(hub.call("caw", get("/v1/cases"))), "clb-only");
}

TEST_F(CasesTest, AssignVraagverhelderingTrajectClose) {
  send_signaal();
  const std::string id = only_case_id();
  EXPECT_EQ(state_of(act(id, CaseAction::assign, 0, clb.staff_id)), "assigned");
  EXPECT_EQ(state_of(act(id, CaseAction::vraagverheldering)), "vraagverheldering");
  const auto traject =
      act(id, CaseAction::traject, static_cast<std::uint8_t>(policies::CaseTrack::diagnosis));
  EXPECT_EQ(state_of(traject), "traject");
  EXPECT_EQ(json::parse(traject.body).at("track").as_string(), "diagnosis");
  const Id consent = random_id();
  EXPECT_EQ(state_of(act(id, CaseAction::link,
                         static_cast<std::uint8_t>(policies::LinkKind::consent), consent)),
            "traject");
  const auto closed = act(id, CaseAction::close,
                          static_cast<std::uint8_t>(policies::CloseReason::no_further_guidance));
  EXPECT_EQ(state_of(closed), "closed");
  EXPECT_EQ(json::parse(closed.body).at("close_reason").as_string(), "no_further_guidance");

  // The case keeps every statement whole: each verifies with the device's key, in order.
  auto detail = hub.json("clb", get("/v1/cases/" + id));
  EXPECT_EQ(detail.at("assignee").as_string(), hex(clb.staff_id));
  const auto& statements = detail.at("statements").as_array();
  ASSERT_EQ(statements.size(), 5U);
  std::vector<std::uint8_t> actions;
  for (const auto& s : statements) {
    const auto bytes = b64(s.at("statement"));
    const auto signature = b64(s.at("signature"));
    Signature sig{};
    ASSERT_EQ(signature.size(), sig.size());
    std::copy(signature.begin(), signature.end(), sig.begin());
    EXPECT_TRUE(verify_case_statement(bytes, sig, clb.signing.public_key()));
    actions.push_back(parse_case_statement(bytes).value().action);
  }
  EXPECT_EQ(actions, (std::vector<std::uint8_t>{1, 2, 3, 5, 4}));
  const auto& links = detail.at("links").as_array();
  ASSERT_EQ(links.size(), 1U);
  EXPECT_EQ(links[0].at("kind").as_string(), "consent");
  EXPECT_EQ(links[0].at("target").as_string(), hex(consent));
  EXPECT_EQ(cases("?state=closed").size(), 1U);
  EXPECT_TRUE(cases("?state=new").empty());
}

TEST_F(CasesTest, AnIllegalTransitionIsRefusedWithTheProblem) {
  send_signaal();
  const std::string id = only_case_id();
  const auto early = act(id, CaseAction::vraagverheldering);
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(problem_slug(early), "case-transition-refused");
  EXPECT_NE(early.body.find("The case is new; vraagverheldering is not allowed"), std::string::npos)
      << early.body;
  EXPECT_EQ(
      state_of(act(id, CaseAction::close, static_cast<std::uint8_t>(policies::CloseReason::other))),
      "closed");
  const auto after_close = act(id, CaseAction::assign, 0, clb.staff_id);
  EXPECT_EQ(problem_slug(after_close), "case-transition-refused") << after_close.body;
  // Nothing of a refused statement is kept.
  EXPECT_EQ(hub.json("clb", get("/v1/cases/" + id)).at("statements").as_array().size(), 1U);
}

TEST_F(CasesTest, UrgentSignalenHeadTheQueue) {
  const std::string first = send_signaal();
  const std::string second = send_signaal();
  const std::string urgent =
      send_signaal(std::uint32_t{1} << static_cast<unsigned>(policies::Flag::verontrusting));
  const auto all = cases();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].at("message_id").as_string(), urgent);
  EXPECT_EQ(all[0].at("priority").as_string(), "urgent");
  EXPECT_EQ(all[1].at("message_id").as_string(), first);
  EXPECT_EQ(all[2].at("message_id").as_string(), second);
  // Paging keeps the order: the cursor of a page of one leads to the next.
  auto page = hub.json("clb", get("/v1/cases?limit=1"));
  EXPECT_EQ(page["cases"].as_array()[0].at("message_id").as_string(), urgent);
  std::vector<std::string> walked;
  while (!page["next"].is_null()) {
    page = hub.json("clb", get("/v1/cases?limit=1&after=" + std::string(page["next"].as_string())));
    for (const auto& c : page["cases"].as_array()) {
      walked.emplace_back(c.at("message_id").as_string());
    }
  }
  EXPECT_EQ(walked, (std::vector<std::string>{first, second}));
  EXPECT_EQ(cases("?priority=urgent").size(), 1U);
}

TEST_F(CasesTest, AStatementMustBeTheCallersAndVerify) {
  send_signaal();
  const std::string id = only_case_id();
  // Signed with another key than the device's enrolled one.
  const auto forged = post_statement(id, statement_for(id, CaseAction::assign, 0, clb.staff_id),
                                     SigningKey::generate());
  EXPECT_EQ(problem_slug(forged), "case-statement-invalid") << forged.body;
  // The same nonce twice.
  const auto s = statement_for(id, CaseAction::assign, 0, clb.staff_id);
  EXPECT_EQ(post_statement(id, s, clb.signing).status, 200);
  EXPECT_EQ(problem_slug(post_statement(id, s, clb.signing)), "case-statement-invalid");
  // Out of the hub's time window.
  auto stale = statement_for(id, CaseAction::vraagverheldering);
  stale.at_ms -= 6 * 60 * 1000;
  EXPECT_EQ(problem_slug(post_statement(id, stale, clb.signing)), "case-statement-invalid");
  // Another organisation's case and a missing one: the same 404.
  EXPECT_EQ(hub.call("clb", get("/v1/cases/" + hex(random_id()))).status, 404);
}

TEST_F(CasesTest, AnAssigneeOfAnotherOrganisationIsRefused) {
  send_signaal();
  const std::string id = only_case_id();
  const auto refused = act(id, CaseAction::assign, 0, hub.keys("caw").staff_id);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(problem_slug(refused), "staff-unknown");
  EXPECT_EQ(cases()[0].at("state").as_string(), "new");
  EXPECT_EQ(state_of(act(id, CaseAction::assign, 0, clb.staff_id)), "assigned");
}

TEST_F(CasesTest, TheSchoolSeesOnlyItsThreeStates) {
  const std::string message = send_signaal();
  const std::string id = only_case_id();
  const auto status = [&] {
    auto listing = hub.json("school", get("/v1/signalen"));
    const auto& all = listing["signalen"].as_array();
    EXPECT_EQ(all.size(), 1U);
    EXPECT_EQ(all.at(0).at("message_id").as_string(), message);
    const std::string body = json::serialize(listing);
    for (const char* secret : {"assignee", "track", "reason", "case_id", "due", "priority"}) {
      EXPECT_EQ(body.find(secret), std::string::npos) << secret << " in " << body;
    }
    EXPECT_EQ(body.find(hex(clb.staff_id)), std::string::npos) << body;
    return std::string(all.at(0).at("status").as_string());
  };
  EXPECT_EQ(status(), "ontvangen");
  ASSERT_EQ(state_of(act(id, CaseAction::assign, 0, clb.staff_id)), "assigned");
  EXPECT_EQ(status(), "in_behandeling");
  ASSERT_EQ(state_of(act(id, CaseAction::traject,
                         static_cast<std::uint8_t>(policies::CaseTrack::referral))),
            "traject");
  EXPECT_EQ(status(), "in_behandeling");
  ASSERT_EQ(state_of(act(id, CaseAction::close,
                         static_cast<std::uint8_t>(policies::CloseReason::referred))),
            "closed");
  EXPECT_EQ(status(), "afgerond");
  // Not a school: the view is not the CLB's or a partner's.
  EXPECT_EQ(hub.call("caw", get("/v1/signalen")).status, 403);
}

TEST_F(CasesTest, ASchoolRoleTheRuleDoesNotNameGets403) {
  send_signaal();
  const ExtraDevice teacher = enrol_device(hub, dir.path(), "school", "school_leerkracht");
  const auto refused = call_as(hub, teacher, get("/v1/signalen"));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "signalen-not-permitted");
  EXPECT_NE(refused.body.find("SIG01"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("school_leerkracht"), std::string::npos) << refused.body;
  const ExtraDevice director = enrol_device(hub, dir.path(), "school", "school_directie");
  EXPECT_EQ(call_as(hub, director, get("/v1/signalen")).status, 200);
}

TEST_F(CasesTest, TheReportHoldsAggregatesOnly) {
  const auto t0 = unix_ms(served.now());
  const std::string a = send_signaal();
  send_signaal();
  send_signaal(std::uint32_t{1} << static_cast<unsigned>(policies::Flag::verontrusting));
  const auto all = cases();
  ASSERT_EQ(all.size(), 3U);
  const std::string urgent(all[0].at("case_id").as_string());
  const std::string ordinary(all[1].at("case_id").as_string());
  // The urgent case is taken on the same day and closed a week later; the first ordinary case
  // is taken on after two weeks; the third stays new.
  ASSERT_EQ(state_of(act(urgent, CaseAction::assign, 0, clb.staff_id)), "assigned");
  served.advance(std::chrono::days(7));
  ASSERT_EQ(state_of(act(urgent, CaseAction::close,
                         static_cast<std::uint8_t>(policies::CloseReason::referred))),
            "closed");
  served.advance(std::chrono::days(7));
  ASSERT_EQ(state_of(act(ordinary, CaseAction::assign, 0, clb.staff_id)), "assigned");
  ASSERT_EQ(state_of(act(ordinary, CaseAction::delay_reason,
                         static_cast<std::uint8_t>(policies::DelayReason::waiting_list))),
            "assigned");

  const policies::WorkingCalendar calendar;
  const auto day = [](std::int64_t ms) {
    return policies::belgian_date(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
  };
  const int week = calendar.working_days_between(day(t0), day(t0 + 7 * 86'400'000LL));
  const int fortnight = calendar.working_days_between(day(t0), day(t0 + 14 * 86'400'000LL));
  // The report is read three weeks after the signalen: on a calendar without a closure in
  // between, past the ten working days of advice.
  served.advance(std::chrono::days(7));
  const bool past_target = day(t0 + 21 * 86'400'000LL) > calendar.add_working_days(day(t0), 10);
  const auto response = hub.call("clb", get("/v1/reports/cases"));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = json::parse(response.body).as_object();
  EXPECT_EQ(report.at("open").at("assigned").at("none").as_int64(), 1);
  EXPECT_EQ(report.at("open").at("new").at("none").as_int64(), 1);
  EXPECT_EQ(report.at("open").as_object().if_contains("closed"), nullptr);
  const auto& contact = report.at("working_days_to_first_contact").as_object();
  EXPECT_EQ(contact.at("count").as_int64(), 2);
  EXPECT_EQ(contact.at("median").as_int64(), 0);  // nearest rank of {0, fortnight}
  EXPECT_EQ(contact.at("p90").as_int64(), fortnight);
  const auto& closure = report.at("working_days_to_closure").as_object();
  EXPECT_EQ(closure.at("count").as_int64(), 1);
  EXPECT_EQ(closure.at("median").as_int64(), week);
  // Both open cases are overdue together (both counted from their signaal), each under its
  // own reason: the delay reason given, or none.
  EXPECT_EQ(report.at("overdue").at("count").as_int64(), past_target ? 2 : 0);
  if (past_target) {
    EXPECT_EQ(report.at("overdue").at("by_reason").at("waiting_list").as_int64(), 1);
    EXPECT_EQ(report.at("overdue").at("by_reason").at("none").as_int64(), 1);
  }
  const auto& schools = report.at("signalen_per_school").as_array();
  ASSERT_EQ(schools.size(), 1U);
  EXPECT_EQ(schools[0].at("school_org").as_string(), hex(hub.org_id("school")));
  EXPECT_EQ(schools[0].at("signalen").as_int64(), 3);
  EXPECT_TRUE(report.at("partner_waiting").as_array().empty());  // no referral waitlisted
  // No pupil, case, message or staff member in it.
  for (const std::string& secret : {test_pupil_hex(), urgent, ordinary, a, hex(clb.staff_id)}) {
    EXPECT_EQ(response.body.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(hub.call("school", get("/v1/reports/cases")).status, 403);
}

// Counting from the assignment (start_event = case_assigned): a case taken on Thursday 25 March
// 2027 is due ten working days later, Friday 9 April (Easter Monday, 29 March, does not count);
// it is in time on the due date and overdue on Monday 12 April, one working day late.
class CasesFromAssignmentTest : public CasesTest {
 protected:
  CasesFromAssignmentTest() : CasesTest("[workflow]\nstart_event = \"case_assigned\"\n") {}
};

TEST_F(CasesFromAssignmentTest, OverdueOnTheRightWorkingDay) {
  send_signaal();
  const std::string id = only_case_id();
  EXPECT_TRUE(cases()[0].at("due").is_null());  // not assigned yet: no start
  served.set_time_ms(utc_ms("2027-03-25", 9));
  ASSERT_EQ(state_of(act(id, CaseAction::assign, 0, clb.staff_id)), "assigned");
  EXPECT_EQ(cases()[0].at("due").as_string(), "2027-04-09");
  served.set_time_ms(utc_ms("2027-04-09", 21));  // 23:00 in Brussels: still the due date
  EXPECT_FALSE(cases()[0].at("overdue").as_bool());
  EXPECT_TRUE(cases("?overdue=true").empty());
  served.set_time_ms(utc_ms("2027-04-12", 8));
  const auto late = cases();
  EXPECT_TRUE(late[0].at("overdue").as_bool());
  EXPECT_EQ(late[0].at("working_days_late").as_int64(), 1);
  EXPECT_EQ(cases("?overdue=true").size(), 1U);
  EXPECT_TRUE(cases("?overdue=false").empty());
}

}  // namespace
}  // namespace draaischijf::testing
