// Admin changes need the organisation key, not only an admin TLS certificate (docs/PROTOCOL.md
// 7.13): a device certified as organisation_admin that does not hold the organisation signing
// key, or forges its signature, replays a signed action, reuses it for another device or signs
// it with a stale time, cannot remove a device. The hub answers 403 admin-signature-invalid and
// the device stays enrolled. A used signature stays used when the hub restarts.

#include <gtest/gtest.h>

#include <draaischijf/protocol/admin_action.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::AdminAction;

class AdminSignatureTest : public ::testing::Test {
 protected:
  std::string remove_path() const { return "/v1/devices/" + hex(staff) + "/remove"; }
  HttpResponse remove_signed(const protocol::AdminStatement& statement,
                             const protocol::SigningKey& key) {
    return hub.call("caw", post(DevHub::signed_path(remove_path(), statement, key), ""), true);
  }
  void expect_refused(const HttpResponse& response, const std::string& what) {
    EXPECT_EQ(response.status, 403) << what << ": " << response.body;
    EXPECT_NE(response.body.find("admin-signature-invalid"), std::string::npos)
        << what << ": " << response.body;
    EXPECT_EQ(hub.json("caw", get("/v1/devices/" + hex(staff))).at("state").as_string(), "enrolled")
        << what;
  }

  TempDir dir;
  DevHub hub{dir.path()};
  protocol::Id staff = hub.keys("caw").device_id;
};

TEST_F(AdminSignatureTest, AnAdminCertificateWithoutTheOrganisationKeyCannotRemoveADevice) {
  expect_refused(hub.call("caw", post(remove_path(), ""), true), "no signature");
  const auto statement = hub.admin_statement("caw", AdminAction::remove_device, staff);
  expect_refused(remove_signed(statement, protocol::SigningKey::generate()), "forged signature");
}

TEST_F(AdminSignatureTest, ASignedRemovalCountsOnceForItsDeviceAndItsTimeOnly) {
  auto stale = hub.admin_statement("caw", AdminAction::remove_device, staff);
  stale.at_ms -= 10 * 60 * 1000;
  const auto key = hub.organisation_key("caw").signing;
  expect_refused(remove_signed(stale, key), "signed ten minutes ago");
  const auto other = hub.admin_statement("caw", AdminAction::remove_device, protocol::random_id());
  expect_refused(remove_signed(other, key), "signed for another device");

  const auto statement = hub.admin_statement("caw", AdminAction::remove_device, staff);
  const std::string request = post(DevHub::signed_path(remove_path(), statement, key), "");
  const auto removed = hub.call("caw", request, true);
  ASSERT_EQ(removed.status, 200) << removed.body;
  const auto replayed = hub.call("caw", request, true);
  EXPECT_EQ(replayed.status, 403) << replayed.body;
  EXPECT_NE(replayed.body.find("used already"), std::string::npos) << replayed.body;
}

// The nonce is on disk: a hub restarted inside the five-minute window still knows it. A removal
// replayed after a restart would otherwise be applied again (200) to the removed device.
TEST_F(AdminSignatureTest, ARestartedHubStillRefusesAUsedSignature) {
  const auto key = hub.organisation_key("caw").signing;
  const auto statement = hub.admin_statement("caw", AdminAction::remove_device, staff);
  const std::string request = post(DevHub::signed_path(remove_path(), statement, key), "");
  ASSERT_EQ(hub.call("caw", request, true).status, 200);
  hub.restart("");
  const auto replayed = hub.call("caw", request, true);
  EXPECT_EQ(replayed.status, 403) << replayed.body;
  EXPECT_NE(replayed.body.find("used already"), std::string::npos) << replayed.body;
  // A fresh signature for the same action still works: only the nonce is spent.
  const auto again = hub.admin_statement("caw", AdminAction::remove_device, staff);
  EXPECT_EQ(remove_signed(again, key).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
