// A mailbox epoch's validity window at its exact bounds, at the hub (docs/PROTOCOL.md 5 and
// 8.2: an envelope is stored for the current epoch only while the hub's receive time is inside
// the window, both bounds inclusive), with the hub's clock injected: the last millisecond of
// `not after` and the first of `not before` are taken, one millisecond beyond either is refused
// with 409 epoch-expired and nothing is queued.

#include <gtest/gtest.h>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::MessageKind;

TEST(HubEpochWindow, AnEnvelopeIsStoredForAnEpochExactlyInsideItsWindow) {
  TempDir dir;
  InProcessHub served(dir.path());
  DevHub dev(served.port(), served.pki());
  const auto onthaal = dev.mailbox_of("clb");
  const std::string mailbox(onthaal.at("mailbox_id").as_string());
  const auto epoch = dev.epoch_of(onthaal);
  ASSERT_LT(epoch.not_before, epoch.not_after);
  const auto school = dev.keys("school");
  const auto certificate = dev.certificate_of("school");
  std::uint64_t sequence = 0;
  // The school's signaal to its CLB (R34, no consent needed), sealed at `created_s` and
  // received when the hub's clock says `hub_ms`.
  const auto send_at = [&](std::uint64_t created_s, std::int64_t hub_ms) {
    served.set_time_ms(hub_ms);
    const auto draft = DevHub::draft_under({}, "zorg om de leerling", MessageKind::signaal);
    const auto envelope =
        protocol::seal(draft, {certificate, school.signing, ++sequence},
                       std::vector<protocol::MailboxEpochCertificate>{epoch}, created_s * 1000);
    EXPECT_TRUE(envelope) << envelope.error().message();
    return dev.call("school", post("/v1/envelopes", text_of(envelope.value())));
  };
  const auto ms = [](std::uint64_t seconds) { return static_cast<std::int64_t>(seconds * 1000); };
  const auto expect_refused = [](const HttpResponse& answer) {
    EXPECT_EQ(answer.status, 409) << answer.body;
    EXPECT_NE(answer.body.find("urn:draaischijf:problem:epoch-expired"), std::string::npos)
        << answer.body;
  };

  const auto last = send_at(epoch.not_after, ms(epoch.not_after) + 999);
  EXPECT_EQ(last.status, 201) << "the last millisecond of not_after: " << last.body;
  expect_refused(send_at(epoch.not_after, ms(epoch.not_after + 1)));
  const auto first = send_at(epoch.not_before, ms(epoch.not_before));
  EXPECT_EQ(first.status, 201) << "the first millisecond of not_before: " << first.body;
  expect_refused(send_at(epoch.not_before, ms(epoch.not_before) - 1));

  // Only the two inside the window were queued.
  served.set_time_ms(ms(epoch.not_before) + 1000);
  const auto listing = dev.json("clb", get("/v1/mailboxes/" + mailbox + "/messages"));
  EXPECT_EQ(listing.at("messages").as_array().size(), 2U);
}

}  // namespace
}  // namespace draaischijf::testing
