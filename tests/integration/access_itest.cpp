// Cross-organisation access through the real hub: every endpoint that names an object, called
// with the caller's own object, another organisation's and one that does not exist. Own objects
// are served; the other two get the same answer (status, type and detail), and nothing of the
// other organisation's changes.

#include <gtest/gtest.h>

#include <draaischijf/protocol/envelope_batch.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

void expect_same_answer(const HttpResponse& other, const HttpResponse& missing,
                        const std::string& what) {
  EXPECT_EQ(other.status, 404) << what << ": " << other.body;
  EXPECT_EQ(missing.status, 404) << what << ": " << missing.body;
  const auto a = json::parse(other.body).as_object();
  const auto b = json::parse(missing.body).as_object();
  for (const char* field : {"type", "status", "title", "title_nl", "detail"}) {
    EXPECT_EQ(a.at(field), b.at(field)) << what << ": " << field << " differs";
  }
  EXPECT_EQ(a.size(), b.size()) << what;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    intake = hub.mailbox_of("caw");
    onthaal = hub.mailbox_of("clb");
    intake_id = intake.at("mailbox_id").as_string();
    onthaal_id = onthaal.at("mailbox_id").as_string();
    // CLB -> CAW intake, and school -> CLB onthaal: one message in each organisation's mailbox.
    const auto to_caw = json::parse(
        hub.call("clb",
                 post("/v1/envelopes", text_of(hub.seal_from("clb", {hub.epoch_of(intake)}, "a"))))
            .body);
    const auto to_clb = json::parse(
        hub.call("school", post("/v1/envelopes",
                                text_of(hub.seal_from("school", {hub.epoch_of(onthaal)}, "b"))))
            .body);
    caw_sequence = std::to_string(to_caw.at("sequence").as_int64());
    clb_sequence = std::to_string(to_clb.at("sequence").as_int64());
    clb_message = to_caw.at("message_id").as_string();
    school_message = to_clb.at("message_id").as_string();
  }

  TempDir dir;
  DevHub hub{dir.path()};
  json::object intake, onthaal;
  std::string intake_id, onthaal_id, caw_sequence, clb_sequence, clb_message, school_message;
  const std::string missing_id = hex(random_id());
};

TEST_F(AccessTest, MailboxContentsAreForMembersOnly) {
  // Listing.
  EXPECT_EQ(hub.call("caw", get("/v1/mailboxes/" + intake_id + "/messages")).status, 200);
  expect_same_answer(hub.call("caw", get("/v1/mailboxes/" + onthaal_id + "/messages")),
                     hub.call("caw", get("/v1/mailboxes/" + missing_id + "/messages")), "list");
  // Fetching.
  const std::string own = "/v1/mailboxes/" + intake_id + "/messages/" + caw_sequence;
  EXPECT_EQ(hub.call("caw", get(own)).status, 200);
  expect_same_answer(
      hub.call("caw", get("/v1/mailboxes/" + onthaal_id + "/messages/" + clb_sequence)),
      hub.call("caw", get("/v1/mailboxes/" + missing_id + "/messages/" + clb_sequence)), "fetch");
  expect_same_answer(
      hub.call("caw", get("/v1/mailboxes/" + onthaal_id + "/messages/" + clb_sequence)),
      hub.call("caw", get("/v1/mailboxes/" + intake_id + "/messages/999999")), "fetch sequence");
  // Acknowledging.
  EXPECT_EQ(hub.call("caw", post(own + "/ack", "")).status, 200);
  expect_same_answer(
      hub.call("caw",
               post("/v1/mailboxes/" + onthaal_id + "/messages/" + clb_sequence + "/ack", "")),
      hub.call("caw",
               post("/v1/mailboxes/" + missing_id + "/messages/" + clb_sequence + "/ack", "")),
      "ack");
  // Epoch keys.
  EXPECT_EQ(hub.call("caw", get("/v1/mailboxes/" + intake_id + "/epochs/0")).status, 200);
  expect_same_answer(hub.call("caw", get("/v1/mailboxes/" + onthaal_id + "/epochs/0")),
                     hub.call("caw", get("/v1/mailboxes/" + missing_id + "/epochs/0")), "epoch");
  // A catch-up's batch of envelopes, and many acknowledgements at once.
  expect_same_answer(hub.call("caw", get("/v1/mailboxes/" + onthaal_id + "/envelopes")),
                     hub.call("caw", get("/v1/mailboxes/" + missing_id + "/envelopes")), "batch");
  const std::string acks = R"({"sequences":[)" + clb_sequence + "]}";
  expect_same_answer(hub.call("caw", post("/v1/mailboxes/" + onthaal_id + "/acks", acks)),
                     hub.call("caw", post("/v1/mailboxes/" + missing_id + "/acks", acks)),
                     "acknowledgements");
  // The CLB's message was not touched by the CAW's attempt.
  const auto listing = hub.json("clb", get("/v1/mailboxes/" + onthaal_id + "/messages"));
  EXPECT_EQ(listing.at("messages").as_array()[0].at("state").as_string(), "queued");
}

// GET .../envelopes answers the envelopes of a page of the queue in one body, byte for byte
// what fetching each gives; POST .../acks acknowledges many and says what each came to.
TEST_F(AccessTest, ABatchCarriesThePagesEnvelopesAndOneRequestAcknowledgesThem) {
  std::vector<std::string> sequences = {caw_sequence};
  for (const char* text : {"b", "c"}) {
    const auto sent = json::parse(
        hub.call("clb",
                 post("/v1/envelopes", text_of(hub.seal_from("clb", {hub.epoch_of(intake)}, text))))
            .body);
    sequences.push_back(std::to_string(sent.at("sequence").as_int64()));
  }
  const std::string mailbox = "/v1/mailboxes/" + intake_id;
  const auto batch = hub.call("caw", get(mailbox + "/envelopes"));
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_NE(batch.head.find("Content-Type: application/vnd.draaischijf.envelopes"),
            std::string::npos)
      << batch.head;
  const auto frames = protocol::parse_envelope_batch(
      {reinterpret_cast<const std::uint8_t*>(batch.body.data()), batch.body.size()});
  ASSERT_TRUE(frames) << frames.error().message();
  ASSERT_EQ(frames->size(), 3U);
  for (std::size_t i = 0; i < frames->size(); ++i) {
    EXPECT_EQ(std::to_string((*frames)[i].sequence), sequences[i]);
    const auto alone = hub.call("caw", get(mailbox + "/messages/" + sequences[i]));
    EXPECT_EQ(std::string((*frames)[i].envelope.begin(), (*frames)[i].envelope.end()), alone.body)
        << "frame " << i << " differs from the envelope fetched alone";
  }
  // A page: after the first, at most one.
  const auto page = hub.call("caw", get(mailbox + "/envelopes?after=" + sequences[0] + "&limit=1"));
  const auto paged = protocol::parse_envelope_batch(
      {reinterpret_cast<const std::uint8_t*>(page.body.data()), page.body.size()});
  ASSERT_TRUE(paged);
  ASSERT_EQ(paged->size(), 1U);
  EXPECT_EQ(std::to_string(paged->front().sequence), sequences[1]);
  // Two of the three acknowledged in one request, with a sequence the mailbox does not hold.
  const auto answer =
      hub.json("caw", post(mailbox + "/acks",
                           R"({"sequences":[)" + sequences[0] + "," + sequences[1] + ",999999]}"));
  ASSERT_EQ(answer.at("acknowledged").as_array().size(), 2U) << json::serialize(answer);
  const auto& refused = answer.at("refused").as_array();
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].at("sequence").as_int64(), 999999);
  EXPECT_EQ(refused[0].at("status").as_int64(), 404);
  const auto listing = hub.json("caw", get(mailbox + "/messages"));
  std::vector<std::string> states;
  for (const auto& entry : listing.at("messages").as_array()) {
    states.emplace_back(entry.at("state").as_string());
  }
  EXPECT_EQ(states, (std::vector<std::string>{"delivered", "delivered", "queued"}));
  // Bodies and pages the hub does not take, each with 400 and nothing acknowledged.
  for (const std::string& body : std::vector<std::string>{
           R"({"sequences":[]})", "{\"sequences\":[" + sequences[2] + "," + sequences[2] + "]}",
           R"({"sequences":["1"]})", R"({"sequences":[0]})", "not json"}) {
    EXPECT_EQ(hub.call("caw", post(mailbox + "/acks", body)).status, 400) << body;
  }
  EXPECT_EQ(hub.call("caw", get(mailbox + "/envelopes?limit=0")).status, 400);
  EXPECT_EQ(hub.json("caw", get(mailbox + "/messages")).at("messages").as_array()[2].at("state"),
            "queued");
}

TEST_F(AccessTest, DeliveryStatusIsForTheSenderOnly) {
  EXPECT_EQ(hub.call("clb", get("/v1/envelopes/" + clb_message + "/status")).status, 200);
  // The CLB received the school's message but did not send it.
  expect_same_answer(hub.call("clb", get("/v1/envelopes/" + school_message + "/status")),
                     hub.call("clb", get("/v1/envelopes/" + missing_id + "/status")), "status");
}

TEST_F(AccessTest, AdministratorsActOnTheirOwnOrganisationOnly) {
  const std::string clb_device = hex(hub.keys("clb").device_id);
  expect_same_answer(hub.call("caw", post("/v1/enrolments/" + clb_device + "/approve", "x"), true),
                     hub.call("caw", post("/v1/enrolments/" + missing_id + "/approve", "x"), true),
                     "approve");
  expect_same_answer(hub.remove_device("caw", fixed_hex<16>(clb_device)),
                     hub.remove_device("caw", fixed_hex<16>(missing_id)), "remove");
  // An epoch for another organisation's mailbox, signed by the caller's organisation.
  const auto caw_key = hub.organisation_key("caw");
  const auto staff = hub.keys("caw");
  const auto epoch_for = [&](const std::string& mailbox) {
    MailboxEpochCertificate next;
    next.mailbox_id = fixed_hex<16>(mailbox);
    next.org_id = caw_key.org_id;
    next.epoch = 1;
    next.mailbox_key = mailbox_identity(EpochSeed::random()).public_key();
    const std::vector<Id> members = {staff.device_id};
    next.members_hash = members_hash(members);
    next.previous_certificate = certificate_hash(hub.epoch_of(onthaal));
    set_default_window(next, static_cast<std::uint64_t>(std::time(nullptr)));
    next = issue(next, caw_key.signing);
    return json::serialize(json::object{
        {"certificate", base64_encode(encode(next))},
        {"previous_seed_box", base64_encode(std::vector<std::uint8_t>(kPreviousSeedBoxSize))},
        {"members",
         json::array{{{"device_id", hex(staff.device_id)},
                      {"seed_box", base64_encode(std::vector<std::uint8_t>(kSeedBoxSize))}}}}});
  };
  expect_same_answer(hub.rotate_mailbox("caw", onthaal_id, epoch_for(onthaal_id)),
                     hub.rotate_mailbox("caw", missing_id, epoch_for(missing_id)), "rotate");
  // Nothing of the CLB changed.
  EXPECT_EQ(hub.json("clb", get("/v1/devices/" + clb_device)).at("state").as_string(), "enrolled");
  EXPECT_EQ(hub.mailbox_of("clb").at("epoch").as_int64(), 0);
  // And staff devices are not administrators, whatever the id.
  EXPECT_EQ(hub.call("caw", post("/v1/devices/" + hex(staff.device_id) + "/remove", "")).status,
            403);
}

TEST_F(AccessTest, PublicDirectoryDataIsReadableByEveryParticipant) {
  // Senders need other organisations' keys and mailboxes to seal; recipients need device
  // certificates to verify.
  const std::string caw = hex(hub.org_id("caw"));
  EXPECT_EQ(hub.call("school", get("/v1/organisations/" + caw)).status, 200);
  EXPECT_EQ(hub.call("school", get("/v1/mailboxes/" + intake_id)).status, 200);
  EXPECT_EQ(hub.call("school", get("/v1/devices/" + hex(hub.keys("caw").device_id))).status, 200);
  EXPECT_EQ(hub.call("school", get("/v1/organisations/" + missing_id)).status, 404);
  EXPECT_EQ(hub.call("school", get("/v1/organisations/not-an-id")).status, 404);
}

// Attachment blobs: readable by the uploading organisation and by current members of the
// mailboxes an admitted envelope listing them was addressed to; to everyone else a blob does not
// exist. (Who may list which blob is in tests/security/policy_blob_itest.cpp.)
TEST_F(AccessTest, BlobsAreForTheSenderAndTheAdmittedRecipientsOnly) {
  const std::string blob = hex(random_id());
  const std::string bytes(100, 'x');  // the hub never looks inside: any bytes are a blob to it
  const auto stored = hub.call("clb", put_blob("/v1/blobs/" + blob, bytes));
  ASSERT_EQ(stored.status, 201) << stored.body;
  const auto answer = json::parse(stored.body).as_object();
  EXPECT_EQ(answer.at("size").as_int64(), 100);
  std::array<std::uint8_t, 32> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  EXPECT_EQ(answer.at("hash").as_string(), hex(hash));
  EXPECT_FALSE(answer.contains("mailboxes")) << "an upload is addressed to no one";
  expect_same_answer(hub.call("caw", get("/v1/blobs/" + blob)),
                     hub.call("caw", get("/v1/blobs/" + missing_id)), "blob before its envelope");

  auto draft = DevHub::draft_under(hub.pupil_consent(), "zie bijlage");
  attach_blob(draft, fixed_hex<16>(blob));
  const auto sent = hub.call(
      "clb", post("/v1/envelopes", text_of(hub.seal_draft("clb", draft, {hub.epoch_of(intake)}))));
  ASSERT_EQ(sent.status, 201) << sent.body;
  const auto at_caw = hub.call("caw", get("/v1/blobs/" + blob));
  EXPECT_EQ(at_caw.status, 200);
  EXPECT_EQ(at_caw.body, bytes);
  EXPECT_EQ(hub.call("clb", get("/v1/blobs/" + blob)).status, 200);
  expect_same_answer(hub.call("school", get("/v1/blobs/" + blob)),
                     hub.call("school", get("/v1/blobs/" + missing_id)), "blob of others");

  // The same bytes again (a retry) are answered alike; other bytes under the id are refused.
  EXPECT_EQ(hub.call("clb", put_blob("/v1/blobs/" + blob, bytes)).status, 200);
  const auto taken = hub.call("school", put_blob("/v1/blobs/" + blob, "other"));
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_NE(taken.body.find("blob-id-taken"), std::string::npos);
  EXPECT_EQ(hub.call("caw", get("/v1/blobs/" + blob)).body, bytes);

  // Refusals name what is wrong.
  const auto addressed =
      hub.call("clb", put_blob("/v1/blobs/" + hex(random_id()) + "?mailbox=" + intake_id, bytes));
  EXPECT_EQ(addressed.status, 400) << addressed.body;
  EXPECT_NE(addressed.body.find("takes no query"), std::string::npos) << addressed.body;
  const auto too_large =
      hub.call("clb", "PUT /v1/blobs/" + hex(random_id()) +
                          " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1099511627776\r\n\r\n");
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  EXPECT_NE(too_large.body.find("blob-too-large"), std::string::npos);
  const auto chunked = hub.call(
      "clb", "PUT /v1/blobs/" + hex(random_id()) +
                 " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.status, 411) << chunked.body;
  const auto wrong_method = hub.call("clb", post("/v1/blobs/" + blob, ""));
  EXPECT_EQ(wrong_method.status, 405);
}

// Another organisation reusing a message id learns nothing about the original: not its
// sequence, time or receipt, only that the id is taken.
TEST_F(AccessTest, AnotherOrganisationsMessageIdIsTakenAndTellsNothing) {
  auto draft = DevHub::draft_under(Id{}, "zelfde id");
  draft.message_id = fixed_hex<16>(clb_message);
  const auto answer = hub.call(
      "school",
      post("/v1/envelopes", text_of(hub.seal_draft("school", draft, {hub.epoch_of(onthaal)}))));
  EXPECT_EQ(answer.status, 409) << answer.body;
  EXPECT_NE(answer.body.find("urn:draaischijf:problem:message-id-taken"), std::string::npos)
      << answer.body;
  for (const char* leak : {"sequence", "receipt", "received_at_ms", "envelope_hash"}) {
    EXPECT_EQ(answer.body.find(leak), std::string::npos) << leak << " in " << answer.body;
  }
  EXPECT_EQ(answer.body.find(caw_sequence), std::string::npos) << answer.body;
}

}  // namespace
}  // namespace draaischijf::testing
