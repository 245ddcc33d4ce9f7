// The referral lifecycle through the real API (docs/WORKFLOW.md 3): an in-process hub with the
// development deployment and a manual clock, real TLS clients, real signatures. The CLB refers
// a pupil to the CAW; the CAW moves the referral with signed status statements; the hub checks
// each against its directory and the transition table, lists the referrals per side with due
// dates on the working-day calendar, and flags the overdue ones on its own clock.

#include <gtest/gtest.h>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::ReferralState;
using protocol::ReferralStatement;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// The first Monday at least two days after today (Belgian date) whose next sixteen days hold
// no holiday or closure of the default calendar, so a test can put the hub's clock on a known
// weekday, every certificate of the fresh deployment valid, and count working days by hand.
std::uint32_t next_plain_monday() {
  const policies::WorkingCalendar calendar;
  std::uint32_t day =
      policies::day_number(policies::belgian_date(std::chrono::system_clock::now())) + 2;
  for (;;) {
    while ((day + 3) % 7 != 0) {  // 1970-01-01 was a Thursday
      ++day;
    }
    bool plain = true;
    for (std::uint32_t d = day; d < day + 17; ++d) {
      const bool weekend = (d + 3) % 7 >= 5;
      plain = plain && (weekend || calendar.is_working_day(policies::date_of_day(d)));
    }
    if (plain) {
      return day;
    }
    day += 7;
  }
}

// 1 September starts a school year (docs/WORKFLOW.md 1).
std::string school_year_of(std::uint32_t day) {
  const auto date = policies::date_of_day(day);
  const int first = date.month >= 9 ? date.year : date.year - 1;
  return std::to_string(first) + "-" + std::to_string(first + 1);
}

// Monday `monday`; the CLB closes the Wednesday of that week; a follow-up every 5 working days.
std::string workflow_config(std::uint32_t monday) {
  return "[workflow]\nfollow_up_days = 5\n"
         "[workflow.targets]\npartner_received_days = 3\npartner_answered_days = 10\n"
         "[workflow.closure_days]\n\"" +
         school_year_of(monday + 2) + "\" = [\"" +
         policies::to_string(policies::date_of_day(monday + 2)) + "\"]\n";
}

class ReferralApiTest : public ::testing::Test {
 protected:
  ReferralApiTest() { set_day(monday, 9); }

  // The hub's clock at `hour` UTC of `day`.
  void set_day(std::uint32_t day, int hour) {
    served.set_time_ms(static_cast<std::int64_t>(day) * kDayMs + hour * 3'600'000LL);
  }
  [[nodiscard]] std::uint64_t hub_ms() const {
    return static_cast<std::uint64_t>(protocol::unix_ms(served.now()));
  }

  // The CLB refers the test pupil to the CAW's intake, sealed at the hub's time; the message id.
  std::string refer(protocol::MessageKind kind = protocol::MessageKind::doorverwijzing) {
    const auto draft = DevHub::draft_under(dev.pupil_consent(), "Doorverwijzing", kind);
    const auto device = dev.keys("clb");
    const auto certificate = dev.certificate_of("clb");
    const auto envelope = protocol::seal(draft, {certificate, device.signing, ++sequence},
                                         std::vector{dev.epoch_of(intake)}, hub_ms())
                              .value();
    const auto submitted = dev.call("clb", post("/v1/envelopes", text_of(envelope)));
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    return std::string(boost::json::parse(submitted.body).at("message_id").as_string());
  }

  // A statement about `message_id`'s referral to the CAW, signed by the staff device of `slug`.
  std::vector<std::uint8_t> statement(const std::string& slug, const std::string& message_id,
                                      ReferralState state, std::uint32_t sequence_number,
                                      std::uint8_t code = 0, std::uint32_t day = 0) {
    ReferralStatement s;
    s.referral_id = fixed_hex<16>(message_id);
    s.partner_org = dev.org_id("caw");
    s.sender_org = dev.org_id(slug);
    s.state = state;
    s.code = code;
    s.day = day;
    s.created_at_ms = hub_ms();
    s.sequence = sequence_number;
    return protocol::sign_referral_statement(s, dev.certificate_of(slug), dev.keys(slug).signing)
        .value();
  }
  HttpResponse send_status(const std::string& caller, const std::string& message_id,
                           const std::vector<std::uint8_t>& bytes) {
    return dev.call(caller, post("/v1/referrals/" + message_id + "/status", text_of(bytes)));
  }
  HttpResponse move(const std::string& message_id, ReferralState state, std::uint32_t number,
                    std::uint8_t code = 0, std::uint32_t day = 0) {
    return send_status("caw", message_id, statement("caw", message_id, state, number, code, day));
  }
  boost::json::array list(const std::string& slug, const std::string& query = "") {
    auto body = dev.json(slug, get("/v1/referrals" + query));
    return body["referrals"].as_array();
  }
  // The notices of `type` the organisation `slug` lists, parsed.
  std::vector<protocol::HubNotice> notices_of(const std::string& slug, std::string_view type) {
    std::vector<protocol::HubNotice> found;
    const auto listing = dev.json(slug, get("/v1/notices"));
    for (const auto& row : listing.at("notices").as_array()) {
      if (row.at("type").as_string() == type) {
        const auto bytes = protocol::base64_decode(row.at("notice").as_string().c_str()).value();
        found.push_back(protocol::parse_notice(bytes).value());
      }
    }
    return found;
  }
  static std::string type_of(const HttpResponse& response) {
    return std::string(boost::json::parse(response.body).at("type").as_string());
  }

  const std::uint32_t monday = next_plain_monday();
  TempDir dir;
  InProcessHub served{dir.path(), workflow_config(monday)};
  DevHub dev{served.port(), served.pki()};
  boost::json::object intake = dev.mailbox_of("caw");
  std::uint64_t sequence = 1000;
};

TEST_F(ReferralApiTest, AReferralGoesFromSentThroughWaitlistToClosedAndIsListedWithFilters) {
  const std::string id = refer();
  const std::string other = refer(protocol::MessageKind::consultatie);
  auto sent = list("clb", "?state=sent");
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].at("message_id").as_string(), id);
  EXPECT_EQ(sent[0].at("fhir").at("status").as_string(), "requested");
  EXPECT_EQ(sent[1].at("kind").as_string(), "consultatie");

  EXPECT_EQ(move(id, ReferralState::received, 1).status, 201);
  const auto wait = move(id, ReferralState::waitlisted, 2, 0, monday + 30);
  EXPECT_EQ(wait.status, 201) << wait.body;
  EXPECT_EQ(move(id, ReferralState::started, 3).status, 201);
  const auto closing = statement("caw", id, ReferralState::closed, 4,
                                 static_cast<std::uint8_t>(protocol::ReferralOutcome::completed));
  const auto closed = send_status("caw", id, closing);
  ASSERT_EQ(closed.status, 201) << closed.body;
  // A retry of the same statement is answered as recorded, not refused and not recorded twice;
  // another statement at a recorded place in the sequence is a conflict.
  const auto retry = send_status("caw", id, closing);
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_TRUE(boost::json::parse(retry.body).at("duplicate").as_bool());
  const auto other_outcome =
      statement("caw", id, ReferralState::closed, 4,
                static_cast<std::uint8_t>(protocol::ReferralOutcome::client_stopped));
  EXPECT_EQ(send_status("caw", id, other_outcome).status, 409);

  const auto done = list("clb", "?state=closed");
  ASSERT_EQ(done.size(), 1U);
  const auto& r = done[0].as_object();
  EXPECT_EQ(r.at("message_id").as_string(), id);
  EXPECT_EQ(r.at("partner_org").as_string(), hex(dev.org_id("caw")));
  EXPECT_EQ(r.at("fhir").at("status").as_string(), "completed");
  const auto& history = r.at("history").as_array();
  ASSERT_EQ(history.size(), 5U);
  EXPECT_EQ(history[0].at("state").as_string(), "sent");
  EXPECT_EQ(history[2].at("state").as_string(), "waitlisted");
  EXPECT_EQ(history[2].at("date").as_string(),
            policies::to_string(policies::date_of_day(monday + 30)));
  EXPECT_EQ(history[4].at("outcome").as_string(), "completed");
  // Every statement the hub serves is the signed one: it parses and verifies.
  for (std::size_t i = 1; i < history.size(); ++i) {
    const auto parsed = protocol::parse_referral_statement(b64(history[i].at("statement")));
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(protocol::verify_referral_signature(*parsed));
  }
  EXPECT_EQ(list("clb", "?state=sent").size(), 1U);
  EXPECT_EQ(list("clb", "?partner=" + hex(dev.org_id("caw"))).size(), 2U);
  EXPECT_EQ(list("clb", "?partner=" + hex(dev.org_id("school"))).size(), 0U);
  // The partner sees its incoming side; the same referral, the CLB as the counterpart.
  const auto incoming = list("caw", "?partner=" + hex(dev.org_id("clb")));
  ASSERT_EQ(incoming.size(), 2U);
  EXPECT_EQ(incoming[0].at("state").as_string(), "closed");
  EXPECT_EQ(incoming[1].at("message_id").as_string(), other);
  // Paging: one at a time with the cursor.
  auto page = dev.json("clb", get("/v1/referrals?limit=1"));
  ASSERT_EQ(page["referrals"].as_array().size(), 1U);
  const auto next = page["next"].as_int64();
  auto rest = dev.json("clb", get("/v1/referrals?limit=1&after=" + std::to_string(next)));
  ASSERT_EQ(rest["referrals"].as_array().size(), 1U);
  EXPECT_EQ(rest["referrals"].as_array()[0].at("message_id").as_string(), other);
  // One referral with its statements.
  auto one = dev.json("caw", get("/v1/referrals/" + id));
  EXPECT_EQ(one["referrals"].as_array().at(0).at("history").as_array().size(), 5U);
}

TEST_F(ReferralApiTest, AnIllegalTransitionIsRefusedNamingTheCurrentAndAllowedStates) {
  const std::string id = refer();
  ASSERT_EQ(move(id, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(id, ReferralState::declined, 2,
                 static_cast<std::uint8_t>(protocol::DeclineReason::capacity))
                .status,
            201);
  const auto started = move(id, ReferralState::started, 3);
  EXPECT_EQ(started.status, 409);
  EXPECT_EQ(type_of(started), "urn:draaischijf:problem:transition-invalid");
  const auto problem = boost::json::parse(started.body).as_object();
  EXPECT_EQ(problem.at("current_state").as_string(), "declined");
  EXPECT_TRUE(problem.at("allowed").as_array().empty());
  EXPECT_EQ(list("clb").at(0).at("state").as_string(), "declined");

  // A statement out of sequence is refused with the sequence expected.
  const std::string second = refer();
  const auto skipped = move(second, ReferralState::received, 2);
  EXPECT_EQ(skipped.status, 409);
  EXPECT_EQ(boost::json::parse(skipped.body).at("expected_sequence").as_int64(), 1);
  const auto from_sent = boost::json::parse(move(second, ReferralState::started, 1).body);
  EXPECT_EQ(from_sent.at("current_state").as_string(), "sent");
  EXPECT_EQ(from_sent.at("allowed").as_array().size(), 6U);
}

TEST_F(ReferralApiTest, OnlyThePartnerMovesAReferralAndOnlyTheClbCancelsIt) {
  const std::string id = refer();
  // The CLB cannot speak for the partner, even with a valid signature of its own device.
  const auto by_clb = send_status("clb", id, statement("clb", id, ReferralState::accepted, 1));
  EXPECT_EQ(by_clb.status, 403);
  EXPECT_EQ(type_of(by_clb), "urn:draaischijf:problem:referral-wrong-party");
  // Nor the partner for the CLB.
  const auto cancel_by_caw = move(id, ReferralState::cancelled, 1);
  EXPECT_EQ(cancel_by_caw.status, 403);
  // An organisation the referral has nothing to do with learns nothing of it.
  const auto by_school =
      send_status("school", id, statement("school", id, ReferralState::received, 1));
  EXPECT_EQ(by_school.status, 404);
  EXPECT_EQ(type_of(by_school), "urn:draaischijf:problem:referral-not-found");
  // The CAW's connection cannot relay a statement another organisation's device signed.
  const auto relayed = send_status("caw", id, statement("school", id, ReferralState::received, 1));
  EXPECT_EQ(relayed.status, 422);
  EXPECT_EQ(type_of(relayed), "urn:draaischijf:problem:referral-statement-invalid");
  // A changed byte breaks the signature.
  auto tampered = statement("caw", id, ReferralState::received, 1);
  tampered[53] = static_cast<std::uint8_t>(ReferralState::accepted);
  EXPECT_EQ(send_status("caw", id, tampered).status, 422);
  EXPECT_EQ(list("clb").at(0).at("state").as_string(), "sent");
  // The CLB cancels.
  const auto cancelled = send_status("clb", id, statement("clb", id, ReferralState::cancelled, 1));
  EXPECT_EQ(cancelled.status, 201) << cancelled.body;
  EXPECT_EQ(list("caw").at(0).at("state").as_string(), "cancelled");
}

TEST_F(ReferralApiTest, AnotherOrganisationSeesNoReferralAndAMissingOneLooksTheSame) {
  const std::string id = refer();
  EXPECT_TRUE(list("school").empty());
  EXPECT_TRUE(list("school", "?side=sent").empty());
  const auto theirs = dev.call("school", get("/v1/referrals/" + id));
  const auto missing = dev.call("school", get("/v1/referrals/" + hex(protocol::random_id())));
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(type_of(theirs), type_of(missing));
  EXPECT_EQ(dev.call("caw", get("/v1/referrals/" + id)).status, 200);
  EXPECT_EQ(dev.call("clb", get("/v1/referrals?state=rejected")).status, 422);
}

TEST_F(ReferralApiTest, OverdueFlipsOnTheRightWorkingDayAcrossAClosureDay) {
  // Sent on Monday; 3 working days to be received: Tuesday, (Wednesday closed), Thursday,
  // Friday. Friday is still in time, the Monday after is overdue.
  const std::string id = refer();
  auto r = list("clb").at(0).as_object();
  EXPECT_EQ(r.at("received_due").as_string(),
            policies::to_string(policies::date_of_day(monday + 4)));
  EXPECT_EQ(r.at("answered_due").as_string(),
            policies::to_string(policies::date_of_day(monday + 15)));
  set_day(monday + 4, 20);  // Friday evening (21:00 in Brussels)
  EXPECT_FALSE(list("clb").at(0).at("overdue").as_bool());
  EXPECT_TRUE(list("clb", "?overdue=true").empty());
  set_day(monday + 7, 8);  // the next Monday morning
  EXPECT_TRUE(list("clb").at(0).at("overdue").as_bool());
  EXPECT_EQ(list("clb", "?overdue=true").size(), 1U);
  EXPECT_EQ(list("caw", "?overdue=true").size(), 1U);
  // Received now: no longer overdue until the answer target (10 working days) passes.
  ASSERT_EQ(move(id, ReferralState::received, 1).status, 201);
  EXPECT_TRUE(list("clb", "?overdue=true").empty());
  // 10 working days: the closed Wednesday again pushes the answer target to Tuesday of the
  // third week, still in time; the Wednesday after is overdue.
  set_day(monday + 15, 20);
  EXPECT_TRUE(list("clb", "?overdue=true").empty());
  set_day(monday + 16, 8);
  EXPECT_EQ(list("clb", "?overdue=true").size(), 1U);
  ASSERT_EQ(move(id, ReferralState::accepted, 2).status, 201);
  EXPECT_TRUE(list("clb", "?overdue=true").empty());
}

// R06 in both directions, at the hub: the CAW's feedback to the CLB under a consent that was
// given for the referral only is refused until the hub holds the referral made under it.
TEST_F(ReferralApiTest, FeedbackRidesUnderTheReferralsConsentOnceTheReferralIsOnRecord) {
  const std::string body =
      R"({"pupil":")" + test_pupil_hex() +
      R"(","giver":"ouders","capacity":"moeder","pupil_facts":{"birth_date":"2016-01-01"},)"
      R"("scope":{"organisation_types":["caw"]},"categories":["psychisch_sociaal","contact",)"
      R"("handelingsgericht_advies","doorverwijzing"],"purposes":["doorverwijzing"],)"
      R"("valid_from":"2020-01-01"})";
  const auto registered = dev.call("clb", post("/v1/consents", body));
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto consent =
      fixed_hex<16>(std::string(boost::json::parse(registered.body).at("consent_id").as_string()));
  const auto onthaal = dev.epoch_of(dev.mailbox_of("clb"));
  auto feedback = [&] {
    auto draft =
        DevHub::draft_under(consent, "Terugkoppeling", protocol::MessageKind::terugkoppeling);
    draft.purpose = protocol::Purpose::terugkoppeling;
    const auto envelope =
        protocol::seal(draft, {dev.certificate_of("caw"), dev.keys("caw").signing, ++sequence},
                       std::vector{onthaal}, hub_ms())
            .value();
    return dev.call("caw", post("/v1/envelopes", text_of(envelope)));
  };
  const auto before = feedback();
  EXPECT_EQ(before.status, 403) << before.body;
  EXPECT_EQ(type_of(before), "urn:draaischijf:problem:policy-refused");

  auto draft =
      DevHub::draft_under(consent, "Doorverwijzing", protocol::MessageKind::doorverwijzing);
  draft.purpose = protocol::Purpose::doorverwijzing;
  const auto referral =
      protocol::seal(draft, {dev.certificate_of("clb"), dev.keys("clb").signing, ++sequence},
                     std::vector{dev.epoch_of(intake)}, hub_ms())
          .value();
  ASSERT_EQ(dev.call("clb", post("/v1/envelopes", text_of(referral))).status, 201);
  const auto after = feedback();
  EXPECT_EQ(after.status, 201) << after.body;
}

// Escalation, never silence (docs/WORKFLOW.md 4): a referral the partner has not answered by
// its answer target gives the partner a reminder and the CLB a notice on the first working
// morning after it, once; a referral answered in time gives none.
TEST_F(ReferralApiTest, AnUnansweredReferralGivesTheReminderAndTheClbNoticeTheDayAfterItsTarget) {
  const std::string unanswered = refer();
  const std::string answered = refer();
  ASSERT_EQ(move(answered, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(answered, ReferralState::accepted, 2).status, 201);
  ASSERT_EQ(move(unanswered, ReferralState::received, 1).status, 201);

  const auto of_type = [this](const std::string& slug, std::string_view type) {
    return notices_of(slug, type);
  };
  // The answer target is Tuesday of the third week (the closed Wednesday does not count): the
  // evening of that day is still in time.
  set_day(monday + 15, 20);
  served.hub().workflow_now();
  EXPECT_TRUE(of_type("caw", "no_answer_reminder").empty());
  EXPECT_TRUE(of_type("clb", "no_answer_case_owner").empty());

  set_day(monday + 16, 8);
  served.hub().workflow_now();
  const auto reminders = of_type("caw", "no_answer_reminder");
  ASSERT_EQ(reminders.size(), 1U);
  EXPECT_EQ(protocol::hex_encode(std::span(reminders[0].subject).first(16)), unanswered);
  EXPECT_EQ(reminders[0].org_id, dev.org_id("caw"));
  EXPECT_EQ(policies::date_of_day(reminders[0].due_day), policies::date_of_day(monday + 15));
  const auto owner = of_type("clb", "no_answer_case_owner");
  ASSERT_EQ(owner.size(), 1U);
  EXPECT_EQ(protocol::hex_encode(std::span(owner[0].subject).first(16)), unanswered);
  // Neither side sees the other's notice.
  EXPECT_TRUE(of_type("clb", "no_answer_reminder").empty());
  EXPECT_TRUE(of_type("caw", "no_answer_case_owner").empty());

  // Once: a later pass writes nothing new for the same referral.
  set_day(monday + 18, 8);
  served.hub().workflow_now();
  EXPECT_EQ(of_type("caw", "no_answer_reminder").size(), 1U);
  EXPECT_EQ(of_type("clb", "no_answer_case_owner").size(), 1U);
}

// The director's report (docs/WORKFLOW.md 6, "Reports"): the referrals waiting on a partner's
// waiting list, per partner, counted with the working days they waited since they were sent;
// organisation ids and numbers only.
TEST_F(ReferralApiTest, TheReportCountsTheWaitlistedReferralsPerPartnerWithTheDaysWaited) {
  const std::string early = refer();  // Monday
  set_day(monday + 1, 9);
  const std::string later = refer();  // Tuesday
  const std::string accepted = refer();
  for (const std::string& id : {early, later}) {
    ASSERT_EQ(move(id, ReferralState::received, 1).status, 201);
    ASSERT_EQ(move(id, ReferralState::waitlisted, 2, 0, monday + 30).status, 201);
  }
  ASSERT_EQ(move(accepted, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(accepted, ReferralState::accepted, 2).status, 201);
  // The Tuesday after: Monday's has waited Tue, Thu, Fri, Mon, Tue (the closed Wednesday does
  // not count), Tuesday's one day less.
  set_day(monday + 8, 9);
  const auto response = dev.call("clb", get("/v1/reports/cases"));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = boost::json::parse(response.body).as_object();
  const auto& waiting = report.at("partner_waiting").as_array();
  ASSERT_EQ(waiting.size(), 1U);
  EXPECT_EQ(waiting[0].at("partner_org").as_string(), hex(dev.org_id("caw")));
  const auto& listed = waiting[0].at("waitlisted").as_object();
  EXPECT_EQ(listed.at("count").as_int64(), 2);
  EXPECT_EQ(listed.at("median").as_int64(), 4);
  EXPECT_EQ(listed.at("p90").as_int64(), 5);
  for (const std::string& id : {early, later, accepted, test_pupil_hex()}) {
    EXPECT_EQ(response.body.find(id), std::string::npos) << id;
  }
  // Started now: no longer waiting.
  ASSERT_EQ(move(early, ReferralState::started, 3).status, 201);
  const auto after = dev.json("clb", get("/v1/reports/cases"));
  EXPECT_EQ(after.at("partner_waiting").as_array().at(0).at("waitlisted").at("count").as_int64(),
            1);
  // The partner's own report is not the CLB's: a CAW device gets none.
  EXPECT_EQ(dev.call("caw", get("/v1/reports/cases")).status, 403);
}

// The partners' pace in the director's report (docs/WORKFLOW.md 6, "Reports"): per partner,
// the working days from the day a referral was sent to the day the hub recorded its first
// `accepted` and its first `started` statement, on the CLB's calendar (the closed Wednesday
// does not count), for the referrals that got there; organisation ids and numbers only.
TEST_F(ReferralApiTest, TheReportGivesThePartnersWorkingDaysToAcceptedAndToStarted) {
  const std::string first = refer();   // Monday
  const std::string second = refer();  // Monday
  set_day(monday + 1, 9);
  const std::string third = refer();  // Tuesday
  const std::string declined = refer();
  ASSERT_EQ(move(first, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(first, ReferralState::accepted, 2).status, 201);  // Tuesday: 1
  ASSERT_EQ(move(third, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(third, ReferralState::waitlisted, 2, 0, monday + 30).status, 201);
  ASSERT_EQ(move(declined, ReferralState::declined, 1,
                 static_cast<std::uint8_t>(protocol::DeclineReason::capacity))
                .status,
            201);
  set_day(monday + 3, 9);  // Thursday: Tuesday and Thursday, 2
  ASSERT_EQ(move(second, ReferralState::accepted, 1).status, 201);
  set_day(monday + 4, 9);  // Friday: Tuesday, Thursday, Friday, 3
  ASSERT_EQ(move(first, ReferralState::started, 3).status, 201);
  set_day(monday + 7, 9);  // the next Monday: 4
  ASSERT_EQ(move(second, ReferralState::started, 2).status, 201);
  set_day(monday + 9, 9);  // sent Tuesday, started Wednesday of the next week: 5
  ASSERT_EQ(move(third, ReferralState::started, 3).status, 201);

  const auto response = dev.call("clb", get("/v1/reports/cases"));
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = boost::json::parse(response.body).as_object();
  const auto& partners = report.at("partner_waiting").as_array();
  ASSERT_EQ(partners.size(), 1U);
  EXPECT_EQ(partners[0].at("partner_org").as_string(), hex(dev.org_id("caw")));
  const auto& accepted = partners[0].at("working_days_to_accepted").as_object();
  EXPECT_EQ(accepted.at("count").as_int64(), 2);  // the declined one never got there
  EXPECT_EQ(accepted.at("median").as_int64(), 1);
  EXPECT_EQ(accepted.at("p90").as_int64(), 2);
  const auto& started = partners[0].at("working_days_to_started").as_object();
  EXPECT_EQ(started.at("count").as_int64(), 3);
  EXPECT_EQ(started.at("median").as_int64(), 4);
  EXPECT_EQ(started.at("p90").as_int64(), 5);
  EXPECT_EQ(partners[0].at("waitlisted").at("count").as_int64(), 0);  // started now
  for (const std::string& id : {first, second, third, declined, test_pupil_hex()}) {
    EXPECT_EQ(response.body.find(id), std::string::npos) << id;
  }
  // A later statement does not move the figures: the first `started` is the one counted.
  set_day(monday + 14, 9);
  ASSERT_EQ(move(first, ReferralState::closed, 4,
                 static_cast<std::uint8_t>(protocol::ReferralOutcome::completed))
                .status,
            201);
  const auto later = dev.json("clb", get("/v1/reports/cases"));
  EXPECT_EQ(later.at("partner_waiting").as_array().at(0).at("working_days_to_started").as_object(),
            started);
}

// Follow-up (docs/WORKFLOW.md 4, R08): a referral `started` on Monday gives the CLB a
// follow-up notice after 5 working days (the closed Wednesday does not count: the Tuesday
// after), once, and the next one 5 working days later; none after it closes.
TEST_F(ReferralApiTest, AStartedReferralGivesTheClbAFollowUpEachIntervalUntilItCloses) {
  const std::string id = refer();
  ASSERT_EQ(move(id, ReferralState::received, 1).status, 201);
  ASSERT_EQ(move(id, ReferralState::accepted, 2).status, 201);
  ASSERT_EQ(move(id, ReferralState::started, 3).status, 201);
  const auto follow_ups = [this](const std::string& slug) { return notices_of(slug, "follow_up"); };
  set_day(monday + 7, 20);  // Monday evening: four working days
  served.hub().workflow_now();
  EXPECT_TRUE(follow_ups("clb").empty());
  set_day(monday + 8, 8);
  served.hub().workflow_now();
  auto first = follow_ups("clb");
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(protocol::hex_encode(std::span(first[0].subject).first(16)), id);
  EXPECT_EQ(first[0].due_day, monday + 8);
  EXPECT_TRUE(follow_ups("caw").empty());  // the partner is not the one following up
  set_day(monday + 14, 8);
  served.hub().workflow_now();
  EXPECT_EQ(follow_ups("clb").size(), 1U);
  set_day(monday + 15, 8);  // Wednesday, Thursday, Friday, Monday, Tuesday
  served.hub().workflow_now();
  ASSERT_EQ(follow_ups("clb").size(), 2U);
  const auto closing = statement("caw", id, ReferralState::closed, 4,
                                 static_cast<std::uint8_t>(protocol::ReferralOutcome::completed));
  ASSERT_EQ(send_status("caw", id, closing).status, 201);
  set_day(monday + 29, 8);
  served.hub().workflow_now();
  EXPECT_EQ(follow_ups("clb").size(), 2U);
}

// Isolation on a hub shared by many organisations: a partner lists and reads only the
// referrals sent to it, never another partner's from the same CLB; a school sees only the
// signalen it raised, never another school's at the same CLB. The other organisations' rows
// are put into the hub's file as their stores would have written them.
TEST_F(ReferralApiTest, APartnerNeverSeesAnotherPartnersReferralsNorASchoolAnotherSchools) {
  const std::string ours = refer();
  const protocol::Id theirs = protocol::random_id();
  const protocol::Id other_partner = protocol::random_id();
  const protocol::Id other_school = protocol::random_id();
  const protocol::Id our_signaal = protocol::random_id();
  const protocol::Id their_signaal = protocol::random_id();
  {
    auto db = server::sqlite::Database::open((dir.path() / "data" / "hub.db").string()).value();
    auto referral = db.prepare(
                          "INSERT INTO referrals (referral_id, referrer_org, partner_org, kind, "
                          "sent_at_ms, updated_at_ms, sent_day, received_due_day, "
                          "answered_due_day) VALUES (?, ?, ?, 1, 0, 0, ?, ?, ?)")
                        .value();
    referral.bind(1, theirs)
        .bind(2, dev.org_id("clb"))
        .bind(3, other_partner)
        .bind(4, std::int64_t{monday})
        .bind(5, std::int64_t{monday + 4})
        .bind(6, std::int64_t{monday + 15});
    ASSERT_TRUE(referral.run());
    std::int64_t case_sequence = 1;
    for (const auto& [school, message] :
         {std::pair{dev.org_id("school"), our_signaal}, std::pair{other_school, their_signaal}}) {
      auto opened = db.prepare(
                          "INSERT INTO cases (case_id, org_id, school_org, message_id, sequence, "
                          "received_at_ms, priority, state) VALUES (?, ?, ?, ?, ?, 0, 0, 'new')")
                        .value();
      opened.bind(1, protocol::random_id())
          .bind(2, dev.org_id("clb"))
          .bind(3, school)
          .bind(4, message)
          .bind(5, case_sequence++);
      ASSERT_TRUE(opened.run());
    }
  }
  // The CAW: its own referral only, by listing, by filter and by id.
  const auto at_caw = list("caw");
  ASSERT_EQ(at_caw.size(), 1U);
  EXPECT_EQ(at_caw[0].at("message_id").as_string(), ours);
  EXPECT_EQ(list("caw", "?partner=" + hex(dev.org_id("clb"))).size(), 1U);
  const auto read_theirs = dev.call("caw", get("/v1/referrals/" + hex(theirs)));
  EXPECT_EQ(read_theirs.status, 404);
  EXPECT_EQ(read_theirs.body.find(hex(other_partner)), std::string::npos);
  // The CLB that sent both sees both.
  EXPECT_EQ(list("clb").size(), 2U);
  EXPECT_EQ(list("clb", "?partner=" + hex(other_partner)).size(), 1U);
  // The school: its own signaal only.
  const auto signalen = dev.call("school", get("/v1/signalen"));
  ASSERT_EQ(signalen.status, 200) << signalen.body;
  const auto parsed = boost::json::parse(signalen.body);
  const auto& raised = parsed.at("signalen").as_array();
  ASSERT_EQ(raised.size(), 1U);
  EXPECT_EQ(raised[0].at("message_id").as_string(), hex(our_signaal));
  EXPECT_EQ(signalen.body.find(hex(their_signaal)), std::string::npos);
}

// A CLB's own calendar (docs/WORKFLOW.md 1): closure days set for that CLB alone
// ([workflow.clb."<org id>"]) count for its referrals' due dates on top of the hub's calendar;
// another organisation's closure days do not.
TEST(ClbCalendarTest, AClbsOwnClosureDayMovesItsReferralsDueDates) {
  const std::uint32_t monday = next_plain_monday();
  TempDir dir;
  // The deployment's ids exist once a hub created it; the hub is then started again on the same
  // data with the CLB's own closure day (the Tuesday) and another organisation's (the Wednesday).
  std::string clb;
  std::string caw;
  {
    InProcessHub first{dir.path()};
    const DevHub ids{first.port(), first.pki()};
    clb = hex(ids.org_id("clb"));
    caw = hex(ids.org_id("caw"));
  }
  const auto closed_on = [&](const std::string& org, std::uint32_t day) {
    return "[workflow.clb.\"" + org + "\".closure_days]\n\"" + school_year_of(day) + "\" = [\"" +
           policies::to_string(policies::date_of_day(day)) + "\"]\n";
  };
  InProcessHub served{dir.path(), closed_on(clb, monday + 1) + closed_on(caw, monday + 2)};
  served.set_time_ms(static_cast<std::int64_t>(monday) * kDayMs + 9 * 3'600'000LL);
  DevHub dev{served.port(), served.pki()};
  const auto draft = DevHub::draft_under(dev.pupil_consent(), "Doorverwijzing",
                                         protocol::MessageKind::doorverwijzing);
  const auto envelope =
      protocol::seal(draft, {dev.certificate_of("clb"), dev.keys("clb").signing, 1},
                     std::vector{dev.epoch_of(dev.mailbox_of("caw"))},
                     static_cast<std::uint64_t>(protocol::unix_ms(served.now())))
          .value();
  ASSERT_EQ(dev.call("clb", post("/v1/envelopes", text_of(envelope))).status, 201);
  // Three working days to be received: the CLB's closed Tuesday does not count (Wednesday,
  // Thursday, Friday); the CAW's closed Wednesday is not the CLB's and does count.
  auto listed = dev.json("clb", get("/v1/referrals"));
  const auto& r = listed["referrals"].as_array().at(0);
  EXPECT_EQ(r.at("received_due").as_string(),
            policies::to_string(policies::date_of_day(monday + 4)));
}

}  // namespace
}  // namespace draaischijf::testing
