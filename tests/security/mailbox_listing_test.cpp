// The hub's directory does not list a mailbox as open when its current epoch is outside its
// validity window: such an epoch may still hold a device removed since, and the hub refuses
// envelopes sealed to it anyway. The listing says why a mailbox is held, so that its
// organisation's admin knows to renew (docs/PROTOCOL.md 5.1).

#include <gtest/gtest.h>

#include <draaischijf/protocol/certificate.hpp>

#include "api/routes.hpp"

namespace draaischijf::server {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kNowMs = 1'800'000'000'000;

Mailbox mailbox_valid_between(std::int64_t from_ms, std::int64_t until_ms) {
  protocol::MailboxEpochCertificate certificate;
  certificate.org_id = protocol::random_id();
  certificate.mailbox_id = protocol::random_id();
  certificate.not_before = static_cast<std::uint64_t>(from_ms / 1000);
  certificate.not_after = static_cast<std::uint64_t>(until_ms / 1000);
  certificate = protocol::issue(certificate, protocol::SigningKey::generate());
  Mailbox m;
  m.mailbox_id = certificate.mailbox_id;
  m.org_id = certificate.org_id;
  m.name = "Onthaal";
  m.certificate = protocol::encode(certificate);
  return m;
}

TEST(MailboxListingTest, AnEpochInsideItsWindowIsAccepting) {
  const auto listed =
      routes::mailbox_json(mailbox_valid_between(kNowMs - kDayMs, kNowMs + kDayMs), kNowMs);
  EXPECT_TRUE(listed.at("accepting").as_bool());
  EXPECT_FALSE(listed.contains("held"));
}

TEST(MailboxListingTest, AnExpiredEpochIsListedAsHeldWithItsReason) {
  const auto listed =
      routes::mailbox_json(mailbox_valid_between(kNowMs - 2 * kDayMs, kNowMs - kDayMs), kNowMs);
  EXPECT_FALSE(listed.at("accepting").as_bool());
  EXPECT_EQ(listed.at("held").as_string(), "epoch-expired");
}

TEST(MailboxListingTest, AnEpochNotYetValidIsListedAsHeld) {
  const auto listed =
      routes::mailbox_json(mailbox_valid_between(kNowMs + kDayMs, kNowMs + 2 * kDayMs), kNowMs);
  EXPECT_FALSE(listed.at("accepting").as_bool());
  EXPECT_EQ(listed.at("held").as_string(), "epoch-not-yet-valid");
}

TEST(MailboxListingTest, AMailboxWaitingForRotationSaysSo) {
  auto m = mailbox_valid_between(kNowMs - kDayMs, kNowMs + kDayMs);
  m.needs_rotation = true;
  const auto listed = routes::mailbox_json(m, kNowMs);
  EXPECT_FALSE(listed.at("accepting").as_bool());
  EXPECT_EQ(listed.at("held").as_string(), "rotation-needed");
}

}  // namespace
}  // namespace draaischijf::server
