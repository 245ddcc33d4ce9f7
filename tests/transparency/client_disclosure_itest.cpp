// The disclosure register proved by the record log (docs/PROTOCOL.md 13.7), through the client
// against the real hub behind the lying stand-in: every line of GET /v1/disclosures comes with
// the audit row of its decision and that row's inclusion proof under a signed checkpoint, and
// the client hands a line on only when the row states exactly that line and the log holds the
// row where the hub says. A line with other categories or another recipient, a row edited to
// match it, the proof of another entry and a checkpoint not signed by the hub are refused; a
// line without its row (retention deleted it) is handed on as unproved.

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/note.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace note = protocol::note;

class DisclosureProofTest : public TamperingTest {
 protected:
  void SetUp() override {
    TamperingTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    pupil = device->consent_registry().pseudonym_of(kTestPupilReference).value();
    const auto sent = device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                                    protocol::DataCategory::psychisch_sociaal,
                                                    "verwijzing naar het CAW"));
    ASSERT_TRUE(sent) << sent.error().message();
    message = sent->message_id;
  }

  // From now on the answer to GET /v1/disclosures is changed by `change` (its first line).
  void rewrite_first_line(std::function<void(json::object& line, json::object& answer)> change) {
    *tamper = [change](std::string_view target, HubReply& reply) {
      if (!target.starts_with("/v1/disclosures?") || !reply.ok()) {
        return;
      }
      rewrite(reply, [&](json::object& answer) {
        auto& lines = answer.at("disclosures").as_array();
        ASSERT_FALSE(lines.empty());
        change(lines[0].as_object(), answer);
      });
    };
  }

  void expect_refused(const std::string& lie, client_errc expected) {
    const auto read = device->consent_registry().disclosures(pupil);
    if (read) {
      ADD_FAILURE() << lie << " went unnoticed";
      return;
    }
    EXPECT_EQ(read.error(), make_error_code(expected)) << lie << ": " << read.error().message();
  }

  protocol::Hash256 pupil{};
  Id message{};
};

TEST_F(DisclosureProofTest, EveryLineIsProvedByItsDecisionInTheRecordLog) {
  std::string answered;
  *tamper = [&answered](std::string_view target, HubReply& reply) {
    if (target.starts_with("/v1/disclosures?")) {
      answered = reply.body;
    }
  };
  const auto lines = device->consent_registry().disclosures(pupil);
  ASSERT_TRUE(lines) << lines.error().message();
  ASSERT_EQ(lines->size(), 1U);
  const auto& line = lines->front();
  EXPECT_EQ(line.line.message_id, message);
  EXPECT_EQ(line.line.recipient_org, caw);
  EXPECT_EQ(line.line.categories, "psychisch_sociaal");
  ASSERT_TRUE(line.decision) << "the line came without the row that proves it: " << answered;
  EXPECT_EQ(line.decision->event, policies::kPolicyDecisionEvent);
  EXPECT_TRUE(policies::records_disclosure(line.decision->view(), line.line,
                                           device->device().org_id, pupil));
  // The hub's own log holds the row's entry at that index.
  const auto answer = json::parse(answered).as_object();
  const std::string note_text(answer.at("checkpoint").as_string());
  const auto checkpoint =
      note::parse_checkpoint_text(note_text.substr(0, note_text.find("\n\n") + 1)).value();
  EXPECT_LT(line.record_index, checkpoint.size);
  const auto& record = answer.at("disclosures").as_array()[0].as_object().at("record").as_object();
  EXPECT_EQ(record.at("index").to_number<std::uint64_t>(), line.record_index);
}

TEST_F(DisclosureProofTest, ALineTheRowDoesNotStateIsRefused) {
  const std::vector<std::pair<std::string, std::function<void(json::object&)>>> lies = {
      {"other categories", [](json::object& l) { l["categories"] = "contact"; }},
      {"another recipient organisation",
       [](json::object& l) { l["recipient_org"] = std::string(32, 'a'); }},
      {"another legal basis", [](json::object& l) { l["legal_basis"] = "rule:R34"; }},
      {"a second approver added", [](json::object& l) { l["approved_by"] = std::string(32, 'b'); }},
      {"another time", [](json::object& l) { l["at_ms"] = l.at("at_ms").as_int64() - 1; }},
  };
  for (const auto& [lie, change] : lies) {
    rewrite_first_line([change](json::object& line, json::object&) { change(line); });
    expect_refused(lie, client_errc::register_unproved);
  }
}

// The hub edits the line and its row alike: the row no longer hashes to the log's entry.
TEST_F(DisclosureProofTest, ARowEditedToMatchAnEditedLineIsNotInTheLog) {
  rewrite_first_line([](json::object& line, json::object&) {
    line["categories"] = "contact";
    auto& row = line.at("record").as_object().at("row").as_object();
    const std::string detail(row.at("detail").as_string());
    row["detail"] = detail.substr(0, detail.rfind("categories=")) + "categories=contact";
  });
  expect_refused("an edited row", client_errc::register_unproved);
}

TEST_F(DisclosureProofTest, TheProofOfAnotherEntryIsRefused) {
  rewrite_first_line([](json::object& line, json::object&) {
    auto& record = line.at("record").as_object();
    record["index"] = record.at("index").as_int64() - 1;
  });
  expect_refused("another index", client_errc::register_unproved);
}

TEST_F(DisclosureProofTest, ACheckpointNotSignedByTheHubIsRefused) {
  const auto other = std::make_shared<const protocol::SigningKey>(protocol::SigningKey::generate());
  rewrite_first_line([other](json::object&, json::object& answer) {
    const std::string text(answer.at("checkpoint").as_string());
    const auto body = note::parse_checkpoint_text(text.substr(0, text.find("\n\n") + 1)).value();
    answer["checkpoint"] = note::sign_checkpoint(*other, body);
  });
  expect_refused("a checkpoint of another key", client_errc::log_checkpoint_invalid);
}

// Audit rows and register lines have retention periods of their own: a line whose row is gone
// is still shown, marked unproved, never passed off as proved.
TEST_F(DisclosureProofTest, ALineWithoutItsRowIsHandedOnUnproved) {
  rewrite_first_line([](json::object& line, json::object&) { line.erase("record"); });
  const auto lines = device->consent_registry().disclosures(pupil);
  ASSERT_TRUE(lines) << lines.error().message();
  ASSERT_EQ(lines->size(), 1U);
  EXPECT_FALSE(lines->front().decision);
  EXPECT_EQ(lines->front().line.message_id, message);
}

}  // namespace
}  // namespace draaischijf::testing
