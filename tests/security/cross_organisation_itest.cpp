// One organisation learns nothing of another's devices through the directory routes: its admin
// lists only its own pending enrolments (both organisations have some here, so a leak would
// show), and another organisation's pending or removed device answers exactly like a device
// that does not exist.

#include <gtest/gtest.h>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

// The ids in an admin's GET /v1/enrolments.
std::vector<std::string> pending_ids(DevHub& hub, const std::string& slug) {
  const auto listing = hub.json(slug, get("/v1/enrolments"), true);
  std::vector<std::string> ids;
  for (const auto& item : listing.at("enrolments").as_array()) {
    ids.emplace_back(item.at("device_id").as_string());
  }
  return ids;
}

// Status and problem document fields of two answers are the same.
void expect_alike(const HttpResponse& other, const HttpResponse& missing, const std::string& what) {
  EXPECT_EQ(other.status, missing.status) << what << ": " << other.body;
  const auto a = json::parse(other.body).as_object();
  const auto b = json::parse(missing.body).as_object();
  for (const char* field : {"type", "status", "title", "detail"}) {
    EXPECT_EQ(a.if_contains(field) ? *a.if_contains(field) : json::value(),
              b.if_contains(field) ? *b.if_contains(field) : json::value())
        << what << ": " << field << " differs";
  }
}

TEST(CrossOrganisationTest, PendingAndRemovedDevicesOfAnotherOrganisationAreNotSeen) {
  TempDir dir;
  DevHub hub{dir.path()};
  const auto clb_pending = request_enrolment(hub, dir.path(), "clb", "clb_onthaal");
  const auto caw_pending = request_enrolment(hub, dir.path(), "caw", "partner_intake");
  const auto clb_list = pending_ids(hub, "clb");
  const auto caw_list = pending_ids(hub, "caw");
  EXPECT_EQ(clb_list, std::vector<std::string>{hex(clb_pending.device_id)});
  EXPECT_EQ(caw_list, std::vector<std::string>{hex(caw_pending.device_id)});

  const auto caw_removed = enrol_device(hub, dir.path(), "caw", "partner_intake");
  ASSERT_EQ(hub.remove_device("caw", caw_removed.device_id).status, 200);
  const auto missing = hub.call("clb", get("/v1/devices/" + hex(protocol::random_id())));
  EXPECT_EQ(missing.status, 404);
  expect_alike(hub.call("clb", get("/v1/devices/" + hex(caw_pending.device_id))), missing,
               "another organisation's pending device");
  expect_alike(hub.call("clb", get("/v1/devices/" + hex(caw_removed.device_id))), missing,
               "another organisation's removed device");
  // The organisation itself still sees both.
  EXPECT_EQ(hub.call("caw", get("/v1/devices/" + hex(caw_pending.device_id))).status, 200);
  EXPECT_EQ(hub.call("caw", get("/v1/devices/" + hex(caw_removed.device_id))).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
