// The per-organisation rate limit through the real API, on the hub's injected clock: an
// in-process hub with the development deployment and a manual clock, real TLS clients. The
// bucket refills only when the test moves the clock, so how fast the machine happens to be
// decides nothing: the fourth request within the burst is refused however slow the first three
// were, and the bucket refills exactly when its Retry-After said it would.

#include <gtest/gtest.h>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

using std::chrono::milliseconds;

// The Retry-After header's seconds; -1 without one.
int retry_after(const HttpResponse& response) {
  const auto at = response.head.find("Retry-After: ");
  return at == std::string::npos ? -1 : std::stoi(response.head.substr(at + 13));
}

TEST(HubRateLimitTest, AnOrganisationOverItsRateGets429UntilItsBucketRefills) {
  TempDir dir;
  InProcessHub served(dir.path(), "[limits]\nrate_per_org = 0.5\nrate_burst = 3.0\n");
  DevHub hub(served.port(), served.pki());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
  }
  const auto limited = hub.call("clb", get("/v1/organisations"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("urn:draaischijf:problem:rate-limited"), std::string::npos);
  // An empty bucket at 0.5 tokens a second has its next token in exactly 2 s.
  EXPECT_EQ(retry_after(limited), 2) << limited.head;
  // Another organisation's allowance is its own.
  EXPECT_EQ(hub.call("caw", get("/v1/organisations")).status, 200);
  // Health stays reachable for the operator's probes.
  EXPECT_EQ(hub.call("clb", get("/healthz")).status, 200);

  // Three quarters of a token: still refused, and told to come back within the second.
  served.advance(milliseconds(1500));
  const auto almost = hub.call("clb", get("/v1/organisations"));
  EXPECT_EQ(almost.status, 429);
  EXPECT_EQ(retry_after(almost), 1) << almost.head;
  // The refused request spent nothing: the last quarter makes the token, once.
  served.advance(milliseconds(500));
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 429);
  // The bucket never holds more than its burst, however long the organisation was quiet.
  served.advance(std::chrono::hours(1));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
  }
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 429);
}

// The wall clock of a running hub may be stepped back (NTP, an operator); its organisations are
// not locked out until it catches up again.
TEST(HubRateLimitTest, AClockSteppedBackDoesNotLockAnOrganisationOut) {
  TempDir dir;
  InProcessHub served(dir.path(), "[limits]\nrate_per_org = 0.5\nrate_burst = 1.0\n");
  DevHub hub(served.port(), served.pki());
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 429);
  served.advance(-std::chrono::hours(1));
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 429);
  served.advance(milliseconds(2000));  // 2 s after the step, as if the hour had not happened
  EXPECT_EQ(hub.call("clb", get("/v1/organisations")).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
