// Hub notices through the real API (docs/WORKFLOW.md, "Notices"): an in-process hub with the
// development deployment on a manual clock that starts on a chosen date, real TLS clients. An
// envelope no device of the recipient mailbox acknowledged gives the sender a `non_delivery`
// notice and the recipient organisation a `non_delivery_admin` one on the first day after its
// due date, counted in working days on the calendar (a holiday, the summer closure), exactly
// once; the notices verify against the hub's key and are seen only by their organisation; a
// transfer's objection window closing gives the announcing CLB its notice. Nothing sleeps: the
// test moves the clock and runs one workflow pass directly.

#include <chrono>

#include <gtest/gtest.h>

#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "in_process_hub.hpp"
#include "store_fixture.hpp"
#include "test_consent.hpp"

namespace draaischijf::testing {
namespace {

using namespace std::chrono;
using protocol::MessageKind;
using protocol::NoticeType;

// An instant given as a Belgian wall-clock time (summer time, UTC+2, in May to August).
protocol::TimePoint belgian_summer(int y, unsigned m, unsigned d, int hour) {
  return sys_days{year{y} / month{m} / day{d}} + hours(hour - 2);
}

// Every message these tests send is a doorverwijzing, so a referral too: its own targets
// (docs/WORKFLOW.md 2) are put past the tests' dates unless a test is about them.
constexpr const char* kReferralTargetsLater =
    "[workflow.targets]\npartner_received_days = 60\npartner_answered_days = 60\n";

class NoticesTest : public ::testing::Test {
 protected:
  // The deployment is made on `start`; unfetched entries stay queued long enough for the
  // summer (the retention pass would otherwise expire them, which tells the sender itself).
  void start_at(protocol::TimePoint start, std::string_view workflow = kReferralTargetsLater) {
    served = std::make_unique<InProcessHub>(
        dir.path(), "[retention]\nunfetched_days = 90\n" + std::string(workflow), start);
    dev = std::make_unique<DevHub>(served->port(), served->pki());
    intake = dev->mailbox_of("caw");
    mailbox = std::string(intake.at("mailbox_id").as_string());
  }
  // Seals with the hub's time as its creation time (the hub checks the clock skew against its
  // own clock) and sends from the CLB to the CAW's intake; returns (message id, sequence).
  std::pair<std::string, std::int64_t> send_to_caw() {
    const auto device = dev->keys("clb");
    const auto draft =
        DevHub::draft_under(dev->pupil_consent(), "Doorverwijzing", MessageKind::doorverwijzing);
    const std::vector<protocol::MailboxEpochCertificate> to{dev->epoch_of(intake)};
    const auto envelope =
        protocol::seal(draft, {dev->certificate_of("clb"), device.signing, ++sender_sequence}, to,
                       static_cast<std::uint64_t>(protocol::unix_ms(served->now())))
            .value();
    const auto submitted = dev->call("clb", post("/v1/envelopes", text_of(envelope)));
    EXPECT_EQ(submitted.status, 201) << submitted.body;
    const auto receipt = boost::json::parse(submitted.body).as_object();
    return {std::string(receipt.at("message_id").as_string()), receipt.at("sequence").as_int64()};
  }
  void set_time(protocol::TimePoint at) { served->set_time_ms(protocol::unix_ms(at)); }
  std::size_t pass() { return served->hub().workflow_now().created.size(); }
  boost::json::array notices_of(const std::string& slug) {
    return dev->json(slug, get("/v1/notices")).at("notices").as_array();
  }
  protocol::SigningPublicKey hub_key() {
    const auto file = read_file(dir.path() / "data" / "hub-signing.pub");
    const std::string text(file.begin(), file.end());
    const auto bytes = protocol::base64_decode(text.substr(0, text.find('\n'))).value();
    protocol::SigningPublicKey key{};
    std::copy_n(bytes.begin(), key.size(), key.begin());
    return key;
  }
  // The signed notice of a listing row, parsed.
  static protocol::HubNotice parsed(const boost::json::value& row) {
    const auto bytes = protocol::base64_decode(row.at("notice").as_string().c_str()).value();
    return protocol::parse_notice(bytes).value();
  }
  std::string message_path(std::int64_t sequence) {
    return "/v1/mailboxes/" + mailbox + "/messages/" + std::to_string(sequence);
  }
  // The CAW's signed `received` statement on the referral `message_id` (docs/PROTOCOL.md
  // 7.18); the hub's answer status.
  int mark_received(const std::string& message_id) {
    protocol::ReferralStatement s;
    s.referral_id = fixed_hex<16>(message_id);
    s.partner_org = dev->org_id("caw");
    s.sender_org = s.partner_org;
    s.state = protocol::ReferralState::received;
    s.created_at_ms = static_cast<std::uint64_t>(protocol::unix_ms(served->now()));
    s.sequence = 1;
    const auto bytes =
        protocol::sign_referral_statement(s, dev->certificate_of("caw"), dev->keys("caw").signing)
            .value();
    return dev->call("caw", post("/v1/referrals/" + message_id + "/status", text_of(bytes))).status;
  }

  TempDir dir;
  std::unique_ptr<InProcessHub> served;
  std::unique_ptr<DevHub> dev;
  boost::json::object intake;
  std::string mailbox;
  std::uint64_t sender_sequence = 1000;
};

TEST_F(NoticesTest, AnUnfetchedMessageGivesItsNoticesTheDayAfterTheDueDateAcrossAHoliday) {
  // Monday 11 May 2026; five working days: 12, 13, (Ascension 14), 15, 18, 19 May.
  start_at(belgian_summer(2026, 5, 11, 9));
  const auto [message_id, sequence] = send_to_caw();

  set_time(belgian_summer(2026, 5, 19, 23));  // the due date itself is still in time
  EXPECT_EQ(pass(), 0U);
  EXPECT_TRUE(notices_of("clb").empty());

  set_time(belgian_summer(2026, 5, 20, 0) + minutes(1));
  EXPECT_EQ(pass(), 2U);
  const auto clb = notices_of("clb");
  ASSERT_EQ(clb.size(), 1U) << boost::json::serialize(clb);
  EXPECT_EQ(clb[0].at("type").as_string(), "non_delivery");
  const auto notice = parsed(clb[0]);
  EXPECT_EQ(notice.type, NoticeType::non_delivery);
  EXPECT_EQ(protocol::hex_encode(std::span(notice.subject).first(16)), message_id);
  EXPECT_EQ(protocol::hex_encode(std::span(notice.subject).last(16)), mailbox);
  // Due Tuesday 19 May 2026 (day 20592 since 1970).
  EXPECT_EQ(notice.due_day, static_cast<std::uint32_t>(
                                (sys_days{year{2026} / May / 19}).time_since_epoch().count()));
  EXPECT_TRUE(protocol::verify(notice, hub_key()));

  const auto caw = notices_of("caw");
  ASSERT_EQ(caw.size(), 1U) << boost::json::serialize(caw);
  EXPECT_EQ(parsed(caw[0]).type, NoticeType::non_delivery_admin);

  // Exactly once: later passes find the cause again and write nothing.
  set_time(belgian_summer(2026, 5, 22, 10));
  EXPECT_EQ(pass(), 0U);
  EXPECT_EQ(notices_of("clb").size(), 1U);
  EXPECT_EQ(notices_of("caw").size(), 1U);
}

TEST_F(NoticesTest, TheSummerClosureDoesNotCountAndAnAcknowledgedMessageGivesNone) {
  // Monday 13 July 2026: 14 July counts, 15 July - 15 August is closed, then 17-20 August.
  start_at(belgian_summer(2026, 7, 13, 10));
  const auto unfetched = send_to_caw();
  const auto fetched = send_to_caw();
  ASSERT_EQ(dev->call("caw", post(message_path(fetched.second) + "/ack", "")).status, 200);

  set_time(belgian_summer(2026, 8, 20, 18));
  EXPECT_EQ(pass(), 0U);
  set_time(belgian_summer(2026, 8, 21, 8));
  EXPECT_EQ(pass(), 2U);  // the unfetched one only: one notice each side
  const auto clb = notices_of("clb");
  ASSERT_EQ(clb.size(), 1U);
  const auto notice = parsed(clb[0]);
  EXPECT_EQ(protocol::hex_encode(std::span(notice.subject).first(16)), unfetched.first);
}

TEST_F(NoticesTest, TheNoticeIsOnTheStreamSignedByTheHubAndCannotBeForged) {
  start_at(belgian_summer(2026, 5, 11, 9));
  send_to_caw();
  StreamClient stream(dev->client("clb"));
  ASSERT_TRUE(stream.upgraded());
  ASSERT_EQ(stream.next().at("type").as_string(), "subscribed");
  set_time(belgian_summer(2026, 5, 20, 9));
  ASSERT_EQ(pass(), 2U);
  const auto frame = stream.next();
  ASSERT_EQ(frame.at("type").as_string(), "notice") << boost::json::serialize(frame);
  const auto listed = notices_of("clb");
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(frame.at("notice_id"), listed[0].at("notice_id"));

  // Every byte is signed: a changed type, due date or signature no longer verifies, and a
  // notice signed by another key is refused as untrusted.
  const auto notice = parsed(listed[0]);
  ASSERT_TRUE(protocol::verify(notice, hub_key()));
  auto retyped = notice;
  retyped.type = NoticeType::non_delivery_admin;
  EXPECT_EQ(protocol::verify(retyped, hub_key()).error(), protocol::errc::signature_invalid);
  auto later = notice;
  later.due_day += 1;
  EXPECT_FALSE(protocol::verify(later, hub_key()));
  auto bytes = protocol::encode(notice);
  bytes.back() ^= 0x01;
  EXPECT_FALSE(protocol::verify(protocol::parse_notice(bytes).value(), hub_key()));
  const auto other = protocol::SigningKey::generate();
  EXPECT_EQ(protocol::verify(protocol::sign_notice(notice, other), hub_key()).error(),
            protocol::errc::certificate_untrusted);
}

TEST_F(NoticesTest, OnlyItsOrganisationSeesOrAcknowledgesANotice) {
  start_at(belgian_summer(2026, 5, 11, 9));
  send_to_caw();
  set_time(belgian_summer(2026, 5, 20, 9));
  ASSERT_EQ(pass(), 2U);
  const auto clb = notices_of("clb");
  ASSERT_EQ(clb.size(), 1U);
  const std::string id(clb[0].at("notice_id").as_string());

  EXPECT_TRUE(notices_of("school").empty());
  EXPECT_EQ(dev->call("school", post("/v1/notices/" + id + "/ack", "")).status, 404);
  EXPECT_EQ(dev->call("caw", post("/v1/notices/" + id + "/ack", "")).status, 404);
  EXPECT_TRUE(notices_of("clb")[0].at("acked_at_ms").is_null());

  EXPECT_EQ(dev->call("clb", post("/v1/notices/" + id + "/ack", "")).status, 200);
  EXPECT_EQ(notices_of("clb")[0].at("acked_at_ms").as_int64(), protocol::unix_ms(served->now()));
}

TEST_F(NoticesTest, TheAnnouncingClbHearsWhenTheObjectionWindowCloses) {
  start_at(belgian_summer(2026, 5, 11, 9));
  // The signed announcement to a new CLB (docs/PROTOCOL.md 7.20), the parents told today.
  protocol::TransferAnnouncement statement;
  statement.sender_org = dev->org_id("clb");
  statement.receiving_org = protocol::random_id();
  {
    auto db = server::sqlite::Database::open((dir.path() / "data" / "hub.db").string()).value();
    register_organisation(db, statement.receiving_org, "clb");
  }
  statement.pupil = test_pupil();
  statement.told_day = policies::day_number(policies::belgian_date(served->now()));
  statement.created_at_ms = static_cast<std::uint64_t>(protocol::unix_ms(served->now()));
  const auto announced = dev->call(
      "clb", post("/v1/transfers",
                  text_of(protocol::sign_transfer_announcement(
                              statement, dev->certificate_of("clb"), dev->keys("clb").signing)
                              .value())));
  ASSERT_EQ(announced.status, 201) << announced.body;
  const std::string passes(boost::json::parse(announced.body).at("window_passes_on").as_string());
  // objection_days = 10 calendar days (the signed rules); the tenth, Thursday 21 May, counts.
  EXPECT_EQ(passes, "2026-05-22");

  set_time(belgian_summer(2026, 5, 21, 23));
  EXPECT_EQ(pass(), 0U);
  set_time(belgian_summer(2026, 5, 22, 8));
  EXPECT_EQ(pass(), 1U);
  const auto clb = notices_of("clb");
  ASSERT_EQ(clb.size(), 1U);
  const auto notice = parsed(clb[0]);
  EXPECT_EQ(notice.type, NoticeType::transfer_objection_window_closed);
  EXPECT_EQ(notice.subject, test_pupil());
  EXPECT_TRUE(notices_of("caw").empty());
  EXPECT_EQ(pass(), 0U);

  // Another organisation neither reads the transfer nor registers an objection to it; the
  // CLB's record stays without one.
  const std::string pupil_body = R"({"pupil":")" + test_pupil_hex() + R"("})";
  for (const std::string slug : {"caw", "school"}) {
    EXPECT_NE(dev->call(slug, get("/v1/transfers?pupil=" + test_pupil_hex())).status, 200);
    const auto objected = dev->call(slug, post("/v1/transfers/objection", pupil_body));
    EXPECT_TRUE(objected.status == 403 || objected.status == 404) << objected.body;
  }
  const auto record = dev->json("clb", get("/v1/transfers?pupil=" + test_pupil_hex()));
  EXPECT_FALSE(record.contains("objection_at_ms")) << boost::json::serialize(record);
}

// The receive target (docs/WORKFLOW.md 4): a referral the partner has not marked `received`
// within `partner_received_days` (3) working days gives the partner a reminder and the CLB a
// notice on the day after the target, once; Ascension does not count. One the partner
// received in time gives none.
TEST_F(NoticesTest, AReferralNotReceivedByItsTargetGivesTheReminderAndTheClbNoticeOnce) {
  // Monday 11 May 2026; three working days: 12, 13, (Ascension 14), 15 May.
  start_at(belgian_summer(2026, 5, 11, 9), "");
  const auto waiting = send_to_caw();
  const auto received = send_to_caw();
  ASSERT_EQ(mark_received(received.first), 201);
  const auto of_type = [this](const std::string& slug, NoticeType type) {
    std::vector<protocol::HubNotice> found;
    for (const auto& row : notices_of(slug)) {
      if (parsed(row).type == type) {
        found.push_back(parsed(row));
      }
    }
    return found;
  };

  set_time(belgian_summer(2026, 5, 15, 23));  // the target day itself is still in time
  EXPECT_EQ(pass(), 0U);
  set_time(belgian_summer(2026, 5, 16, 0) + minutes(1));
  EXPECT_EQ(pass(), 2U);
  const auto reminders = of_type("caw", NoticeType::not_received_reminder);
  ASSERT_EQ(reminders.size(), 1U);
  EXPECT_EQ(protocol::hex_encode(std::span(reminders[0].subject).first(16)), waiting.first);
  EXPECT_EQ(reminders[0].mailbox_id, protocol::Id{});  // the partner organisation as a whole
  EXPECT_EQ(
      reminders[0].due_day,
      static_cast<std::uint32_t>((sys_days{year{2026} / May / 15}).time_since_epoch().count()));
  EXPECT_TRUE(protocol::verify(reminders[0], hub_key()));
  const auto clb = of_type("clb", NoticeType::referral_not_received);
  ASSERT_EQ(clb.size(), 1U);
  EXPECT_EQ(clb[0].org_id, dev->org_id("clb"));
  EXPECT_EQ(clb[0].subject, reminders[0].subject);
  // Neither side sees the other's; the school sees neither.
  EXPECT_TRUE(of_type("clb", NoticeType::not_received_reminder).empty());
  EXPECT_TRUE(of_type("caw", NoticeType::referral_not_received).empty());
  EXPECT_TRUE(notices_of("school").empty());

  // Once: later passes find the cause again and write nothing for it.
  set_time(belgian_summer(2026, 5, 18, 10));
  EXPECT_EQ(pass(), 0U);
  EXPECT_EQ(of_type("caw", NoticeType::not_received_reminder).size(), 1U);
}

}  // namespace
}  // namespace draaischijf::testing
