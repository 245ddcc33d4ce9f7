// The referral lifecycle from the client library against the real hub process, through the
// stand-in that lets a test make the hub lie (tampering_hub.hpp): the CAW's device moves a
// referral the CLB's device sent; the CLB's device verifies every served statement itself, and
// flags the referral when the hub alters a statement or claims a state the statements do not
// prove, and then signs nothing on top of it.

#include <gtest/gtest.h>

#include <draaischijf/client/referrals.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::ReferralState;

class ReferralClientTest : public TamperingTest {
 protected:
  // The CAW's own device, straight to the hub (no stand-in).
  Client open_caw() {
    const auto pki = dir.path() / "data" / "dev-pki";
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    EXPECT_TRUE(client::import_dev_device(pki / "caw", dir.path() / "caw", settings, unlock));
    return Client::open(client::Profile::open(dir.path() / "caw").value(), unlock).value();
  }
  Id refer() {
    const auto sent = device->send(letter_to_intake(
        protocol::MessageKind::doorverwijzing, protocol::DataCategory::psychisch_sociaal, "graag"));
    EXPECT_TRUE(sent) << sent.error().message();
    return sent ? sent->message_id : Id{};
  }
  // Every GET of the referral routes through `change`, applied to each listed referral.
  void tamper_referrals(std::function<void(json::object&)> change) {
    *tamper = [change](std::string_view target, HubReply& reply) {
      if (!target.starts_with("/v1/referrals") || !reply.ok()) {
        return;
      }
      rewrite(reply, [&](json::object& o) {
        for (auto& item : o.at("referrals").as_array()) {
          change(item.as_object());
        }
      });
    };
  }
};

TEST_F(ReferralClientTest, TheClbSeesThePartnersSignedStepsAndFlagsATamperedOne) {
  const Id id = refer();
  auto partner_device = open_caw();
  client::Referrals partner{partner_device.session()};
  const auto received = partner.set_status(id, {ReferralState::received, 0, 0});
  ASSERT_TRUE(received) << received.error().message();
  EXPECT_EQ(received->state, ReferralState::received);
  const auto waiting = partner.set_status(id, {ReferralState::waitlisted, 0, 20'500});
  ASSERT_TRUE(waiting) << waiting.error().message();
  EXPECT_EQ(waiting->statements, 2U);

  client::Referrals clb{device->session()};
  auto honest = clb.list();
  ASSERT_TRUE(honest) << honest.error().message();
  ASSERT_EQ(honest->size(), 1U);
  EXPECT_FALSE(honest->front().flagged);
  EXPECT_EQ(honest->front().state, ReferralState::waitlisted);
  EXPECT_EQ(honest->front().partner_org, partner_device.device().org_id);

  // The hub turns the waiting list into an acceptance in the signed bytes.
  tamper_referrals([](json::object& r) {
    auto& history = r.at("history").as_array();
    auto& entry = history.at(2).as_object();
    auto bytes = b64(entry, "statement");
    bytes[53] = static_cast<std::uint8_t>(ReferralState::accepted);
    bytes[55] = bytes[56] = bytes[57] = bytes[58] = 0;  // accepted carries no date
    entry["statement"] = protocol::base64_encode(bytes);
    r["state"] = "accepted";
  });
  auto lied = clb.list();
  ASSERT_TRUE(lied) << lied.error().message();
  ASSERT_EQ(lied->size(), 1U);
  EXPECT_TRUE(lied->front().flagged);
  EXPECT_EQ(lied->front().checks.at(1), policies::StatementCheck::bad_signature);
  EXPECT_EQ(lied->front().state, ReferralState::received) << "only what was proved";

  // Nothing is signed on top of a history that does not check out.
  posted->clear();
  const auto cancel = clb.set_status(id, {ReferralState::cancelled, 0, 0});
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error(), make_error_code(client_errc::hub_answer_invalid));
  EXPECT_TRUE(posted->empty());
}

TEST_F(ReferralClientTest, AStateTheStatementsDoNotProveOrAnInventedStatementIsFlagged) {
  const Id id = refer();
  auto partner_device = open_caw();
  client::Referrals partner{partner_device.session()};
  ASSERT_TRUE(partner.set_status(id, {ReferralState::received, 0, 0}));
  client::Referrals clb{device->session()};

  // The hub claims the partner started, with no statement to show for it.
  tamper_referrals([](json::object& r) { r["state"] = "started"; });
  auto claimed = clb.list();
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->front().flagged);
  EXPECT_EQ(claimed->front().state, ReferralState::received);

  // The hub drops the partner's statement: nothing is proved beyond `sent`, and the hub's
  // `received` is not believed.
  tamper_referrals([](json::object& r) {
    auto& history = r.at("history").as_array();
    history.erase(history.begin() + 1);
  });
  auto dropped = clb.get(id);
  ASSERT_TRUE(dropped);
  EXPECT_TRUE(dropped->front().flagged);
  EXPECT_EQ(dropped->front().state, ReferralState::sent);

  // With an honest hub the CLB cancels, and the partner sees it.
  *tamper = nullptr;
  const auto cancelled = clb.set_status(id, {ReferralState::cancelled, 0, 0});
  ASSERT_TRUE(cancelled) << cancelled.error().message();
  EXPECT_EQ(cancelled->state, ReferralState::cancelled);
  const auto seen = partner.get(id);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->front().state, ReferralState::cancelled);
  EXPECT_FALSE(seen->front().flagged);
}

}  // namespace
}  // namespace draaischijf::testing
