// The client against a hub that lies in its answers to changes, not only to reads: a receipt
// signed by a key other than the pinned hub key, or one the hub signed for another envelope or
// another message id, is `receipt_invalid` and no send is recorded; an upload answer that names
// other bytes than the client sent is `hub_answer_invalid` and no envelope is submitted. And on
// reads: a message held back shows in the next one of its sender's device as a sequence gap
// (`gap:N`), and an envelope served again at another sequence of the mailbox is kept with the
// `replay` flag.

#include <functional>

#include <gtest/gtest.h>

#include <draaischijf/protocol/receipt.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

bool has_flag(const client::InboxEntry& entry, std::string_view flag) {
  return std::find(entry.flags.begin(), entry.flags.end(), flag) != entry.flags.end();
}

class HubLiesTest : public TamperingTest {
 protected:
  // A short consultation to the CAW intake under the test consent.
  client::Composition consultation() const {
    return letter_to_intake(protocol::MessageKind::consultatie, protocol::DataCategory::contact,
                            "graag overleg");
  }

  [[nodiscard]] std::string onthaal_messages() const {
    return "/v1/mailboxes/" + protocol::hex_encode(onthaal) + "/messages";
  }
};

TEST_F(HubLiesTest, AReceiptForOtherBytesOrByAnotherKeyIsRefused) {
  // Handed out as a version 2 receipt signed by the real key and changed in nothing: taken (the
  // re-signing is sound, and a client still takes version 2 for what was stored before).
  const auto as_signed = [](protocol::Receipt& r) { r.version = protocol::kSignedReceiptVersion; };
  resign_receipts(hub_signing_key(), as_signed);
  const auto honest = device->send(consultation());
  ASSERT_TRUE(honest) << honest.error().message();

  const auto other_key =
      std::make_shared<const protocol::SigningKey>(protocol::SigningKey::generate());
  const std::vector<std::tuple<std::string, std::shared_ptr<const protocol::SigningKey>,
                               std::function<void(protocol::Receipt&)>>>
      lies = {
          {"signed by another key", other_key, as_signed},
          {"for another envelope", hub_signing_key(),
           [](protocol::Receipt& r) { r.envelope_hash[0] ^= 0x01; }},
          {"for another message id", hub_signing_key(),
           [](protocol::Receipt& r) { r.message_id = protocol::random_id(); }},
      };
  for (const auto& [lie, key, change] : lies) {
    resign_receipts(key, change);
    const auto sent = device->send(consultation());
    if (sent) {
      ADD_FAILURE() << "a receipt " << lie << " went unnoticed";
      continue;
    }
    EXPECT_EQ(sent.error(), make_error_code(client_errc::receipt_invalid)) << lie;
  }
  *post_tamper = nullptr;
  EXPECT_TRUE(device->send(consultation())) << "the honest hub passes again";
}

TEST_F(HubLiesTest, AnUploadAnswerNamingOtherBytesIsRefusedAndNothingIsSubmitted) {
  const auto report = dir.path() / "verslag.pdf";
  write_file(report, view_of("het verslag\n"));
  auto letter = [&] {
    auto composition = consultation();
    composition.attachments.push_back(
        {protocol::DataCategory::contact, report, "application/pdf", "verslag.pdf"});
    return composition;
  };
  const std::vector<std::pair<std::string, std::function<void(json::object&)>>> lies = {
      {"another hash",
       [](json::object& o) {
         std::string hash(o.at("hash").as_string());
         hash[0] = hash[0] == '0' ? '1' : '0';
         o["hash"] = hash;
       }},
      {"another size",
       [](json::object& o) { o["size"] = o.at("size").to_number<std::int64_t>() + 1; }},
  };
  for (const auto& [lie, change] : lies) {
    *put_tamper = [change](std::string_view target, HubReply& reply) {
      if (target.rfind("/v1/blobs/", 0) == 0 && reply.ok()) {
        rewrite(reply, change);
      }
    };
    posted->clear();
    const auto sent = device->send(letter());
    if (sent) {
      ADD_FAILURE() << "an upload answer with " << lie << " went unnoticed";
      continue;
    }
    EXPECT_EQ(sent.error(), make_error_code(client_errc::hub_answer_invalid)) << lie;
    EXPECT_TRUE(std::none_of(posted->begin(), posted->end(),
                             [](const std::string& t) { return is_envelope_submission(t); }))
        << lie << ": an envelope reached the hub";
  }
  *put_tamper = nullptr;
  const auto sent = device->send(letter());
  EXPECT_TRUE(sent) << "the honest hub passes again: " << sent.error().message();
}

TEST_F(HubLiesTest, AMessageHeldBackShowsAsASequenceGapInTheNextOne) {
  auto school = open_school();
  for (const std::string text : {"Eerste.", "Tweede, achtergehouden.", "Derde."}) {
    const auto sent = school.send(school_note(text));
    ASSERT_TRUE(sent) << sent.error().message();
  }
  // The hub leaves the second queued message out of the listing.
  const std::string listing = onthaal_messages() + "?";
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind(listing, 0) == 0) {
      rewrite(reply, [](json::object& o) {
        auto& listed = o["messages"].as_array();
        ASSERT_EQ(listed.size(), 3U);
        listed.erase(listed.begin() + 1);
      });
    }
  };
  const auto report = device->sync();
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->arrived.size(), 2U);
  EXPECT_TRUE(report->arrived[0].flags.empty()) << report->arrived[0].flags.front();
  EXPECT_TRUE(has_flag(report->arrived[1], "gap:1")) << "the held-back message went unnoticed";
}

TEST_F(HubLiesTest, AnEnvelopeServedAgainIsKeptWithTheReplayFlag) {
  auto school = open_school();
  ASSERT_TRUE(school.send(school_note("Eenmaal verstuurd.")));
  // The first sync keeps the listing entry and the envelope as the hub served them.
  const std::string messages = onthaal_messages();
  json::object entry;
  HubReply served;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind(messages + "?", 0) == 0) {
      const auto listed = json::parse(reply.body).as_object().at("messages").as_array();
      ASSERT_EQ(listed.size(), 1U);
      entry = listed[0].as_object();
    } else if (target.rfind(messages + "/", 0) == 0) {
      served = reply;
    }
  };
  const auto first = device->sync();
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(first->arrived.size(), 1U);
  EXPECT_TRUE(first->arrived[0].flags.empty());
  ASSERT_FALSE(served.body.empty());

  // Then the hub lists the same envelope again under a new sequence, serves it and takes the
  // acknowledgement.
  const auto again = entry.at("sequence").to_number<std::int64_t>() + 1;
  const std::string again_target = messages + "/" + std::to_string(again);
  entry["sequence"] = again;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind(messages + "?", 0) == 0) {
      rewrite(reply, [&](json::object& o) { o["messages"].as_array().push_back(entry); });
    } else if (target == again_target) {
      reply = served;
    }
  };
  *post_tamper = [&](std::string_view target, HubReply& reply) {
    if (target == again_target + "/ack") {
      reply.status = 200;
      reply.body = "{}";
      reply.content_type = "application/json";
    }
  };
  const auto second = device->sync();
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_EQ(second->arrived.size(), 1U) << "the copy served again was dropped silently";
  EXPECT_EQ(second->arrived[0].sequence, again);
  EXPECT_EQ(second->arrived[0].message_id, first->arrived[0].message_id);
  EXPECT_TRUE(has_flag(second->arrived[0], "replay")) << "the copy served again is not flagged";
  EXPECT_TRUE(second->arrived[0].problem.empty()) << second->arrived[0].problem;
}

}  // namespace
}  // namespace draaischijf::testing
