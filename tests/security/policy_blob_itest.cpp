// Attachment blobs through the real hub: a blob reaches only the mailboxes an admitted envelope
// that lists it was allowed to reach (docs/PROTOCOL.md 7.11, 11.1). The upload names no one; an
// envelope the policy refuses grants nothing; an envelope may list only blobs its own device
// uploaded, and one that lists another's, or one that does not exist, stores nothing.

#include <gtest/gtest.h>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

class PolicyBlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    intake = hub.mailbox_of("caw");
    onthaal = hub.mailbox_of("clb");
    intake_id = intake.at("mailbox_id").as_string();
  }

  // A blob uploaded by the staff device of `slug`; its id, hex.
  std::string upload(const std::string& slug) {
    const std::string blob = hex(random_id());
    const auto stored = hub.call(slug, put_blob("/v1/blobs/" + blob, kBytes));
    EXPECT_EQ(stored.status, 201) << stored.body;
    return blob;
  }
  // An envelope from the staff device of `sender` to `to`, under the test consent (none when
  // `consent` is false), listing `blobs`, as submitted; the hub's answer.
  HttpResponse send(const std::string& sender, const json::object& to,
                    const std::vector<std::string>& blobs, bool consent = true) {
    Draft draft = DevHub::draft_under(consent ? hub.pupil_consent() : Id{}, "zie bijlage");
    for (const std::string& blob : blobs) {
      attach_blob(draft, fixed_hex<16>(blob));
    }
    const auto envelope = hub.seal_draft(sender, draft, {hub.epoch_of(to)});
    return hub.call(sender, post("/v1/envelopes", text_of(envelope)));
  }
  HttpResponse download(const std::string& slug, const std::string& blob) {
    return hub.call(slug, get("/v1/blobs/" + blob));
  }
  bool intake_is_empty() {
    const auto listing = hub.json("caw", get("/v1/mailboxes/" + intake_id + "/messages"));
    return listing.at("messages").as_array().empty();
  }

  const std::string kBytes = std::string(300, 'c');  // ciphertext to the hub: any bytes are
  TempDir dir;
  DevHub hub{dir.path()};
  json::object intake;   // the CAW's intake mailbox
  json::object onthaal;  // the CLB's onthaal mailbox
  std::string intake_id;
};

// The hole the review found: an upload named any mailboxes, so a school could make its blob
// downloadable for a welfare partner no policy would let its envelope reach.
TEST_F(PolicyBlobTest, AnUploadCannotNameTheMailboxesThatMayDownloadIt) {
  const std::string blob = hex(random_id());
  const auto named =
      hub.call("school", put_blob("/v1/blobs/" + blob + "?mailbox=" + intake_id, kBytes));
  EXPECT_EQ(named.status, 400) << named.body;
  EXPECT_EQ(problem_slug(named), "malformed-request");
  EXPECT_NE(named.body.find("mailbox="), std::string::npos) << "the detail says why";
  EXPECT_EQ(download("caw", blob).status, 404);
  EXPECT_EQ(download("school", blob).status, 404) << "nothing was stored";
}

TEST_F(PolicyBlobTest, ABlobReachesOnlyTheMailboxesAnAdmittedEnvelopeReaches) {
  const std::string blob = upload("school");
  EXPECT_EQ(download("school", blob).status, 200) << "the uploading organisation reads it back";
  EXPECT_EQ(download("caw", blob).status, 404) << "an upload grants nobody anything";

  // A school may not send pupil data straight to a welfare partner (it goes through the CLB):
  // the envelope is refused, and the blob it lists stays out of the partner's reach.
  const auto refused = send("school", intake, {blob});
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_EQ(problem_slug(download("caw", blob)), "not-found") << "the 404 of a missing blob";

  // The same blob in an envelope to the CLB's onthaal, which the policy allows: the CLB reads
  // it; the CAW, a member of another mailbox, still cannot.
  const auto allowed = send("school", onthaal, {blob});
  ASSERT_EQ(allowed.status, 201) << allowed.body;
  const auto at_clb = download("clb", blob);
  EXPECT_EQ(at_clb.status, 200);
  EXPECT_EQ(at_clb.body, kBytes);
  EXPECT_EQ(download("caw", blob).status, 404);
}

TEST_F(PolicyBlobTest, AnEnvelopeRefusedForNeedingConsentGrantsNothing) {
  const std::string blob = upload("clb");
  const auto refused = send("clb", intake, {blob}, false);
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_EQ(download("caw", blob).status, 404);
  // With the parents' consent the referral is admitted, and with it the attachment.
  ASSERT_EQ(send("clb", intake, {blob}).status, 201);
  EXPECT_EQ(download("caw", blob).body, kBytes);
  EXPECT_EQ(download("school", blob).status, 404) << "a member of no recipient mailbox";
}

TEST_F(PolicyBlobTest, AnEnvelopeListingABlobItsDeviceDidNotUploadStoresNothing) {
  const std::string schools = upload("school");
  // Another organisation's blob, in an envelope the policy allows: refused, nothing stored.
  const auto foreign = send("clb", intake, {schools});
  EXPECT_EQ(foreign.status, 422) << foreign.body;
  EXPECT_EQ(problem_slug(foreign), "blob-unknown");
  EXPECT_EQ(download("caw", schools).status, 404);
  EXPECT_TRUE(intake_is_empty());

  // A colleague's device uploaded it: naming a blob id is not enough to hand it on.
  const auto colleague = enrol_device(hub, dir.path(), "clb", "clb_psycholoog");
  const std::string theirs = hex(random_id());
  ASSERT_EQ(call_as(hub, colleague, put_blob("/v1/blobs/" + theirs, kBytes)).status, 201);
  const auto not_own = send("clb", intake, {theirs});
  EXPECT_EQ(not_own.status, 422) << not_own.body;
  EXPECT_EQ(problem_slug(not_own), "blob-unknown");
  EXPECT_EQ(download("caw", theirs).status, 404);

  // A blob that does not exist, beside one that does: refused alike, and the real one is not
  // granted either (one transaction).
  const std::string own = upload("clb");
  const auto missing = send("clb", intake, {own, hex(random_id())});
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(problem_slug(missing), "blob-unknown");
  EXPECT_EQ(download("caw", own).status, 404);
  EXPECT_TRUE(intake_is_empty());
}

}  // namespace
}  // namespace draaischijf::testing
