// A hub that let a message through on one legal basis and later claims another is contradicted
// by the sender's receipt: signed with the hub key, it names the policy decision for every
// recipient mailbox. So the client takes no receipt that leaves a recipient out, names another
// mailbox, names one twice or names no rules, even one the hub signed with its real key
// (`receipt_invalid`); an honest one is kept with the send, with the record log's proof.

#include <functional>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/protocol/receipt.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

class ReceiptDecisionTest : public TamperingTest {
 protected:
  // The lying hub rewrites the decisions of each receipt it hands out and signs them again with
  // its own key, which the client pins, as a version 2 receipt (which a client still takes for
  // an envelope stored before receipts were logged): only the decisions can give it away.
  void resign_decisions(std::function<void(protocol::ReceiptDecisions&)> change) {
    resign_receipts(hub_signing_key(), [change](protocol::Receipt& r) {
      r.version = protocol::kSignedReceiptVersion;
      change(r.decided);
    });
  }

  // The school's team mailbox (R03 lets the CLB's actionable advice go there without consent).
  Id school_mailbox() {
    for (const auto& organisation : device->trust().organisations()) {
      if (organisation.name.find("Basisschool") != std::string::npos) {
        return device->mailboxes(organisation.org_id).value().at(0).mailbox_id;
      }
    }
    ADD_FAILURE() << "no school in the directory";
    return {};
  }

  // Advice about the test pupil to the CAW intake (R06, under the consent) and the school (R03).
  client::Composition advice_to_intake_and_school() {
    auto letter = letter_to_intake(protocol::MessageKind::consultatie,
                                   protocol::DataCategory::handelingsgericht_advies,
                                   "extra instructie bij het lezen");
    letter.recipients.push_back(school_mailbox());
    return letter;
  }

  // The receipts the local state keeps, read from its file as an auditor would.
  std::vector<std::vector<std::uint8_t>> kept_receipts() const {
    sqlite3* db = nullptr;
    std::vector<std::vector<std::uint8_t>> out;
    const auto file = dir.path() / "clb" / "state.sqlite";
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* select = nullptr;
      sqlite3_prepare_v2(db, "SELECT receipt FROM sent ORDER BY received_at_ms", -1, &select,
                         nullptr);
      while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
        const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(select, 0));
        out.emplace_back(bytes, bytes + sqlite3_column_bytes(select, 0));
      }
      sqlite3_finalize(select);
    }
    sqlite3_close(db);
    return out;
  }
};

TEST_F(ReceiptDecisionTest, AnHonestReceiptNamesEachRecipientsDecisionAndIsKept) {
  const auto sent = device->send(advice_to_intake_and_school());
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE(sent->rule_set_version.empty());
  ASSERT_EQ(sent->decisions.size(), 2U);
  EXPECT_EQ(sent->decisions[0].mailbox_id, intake);
  EXPECT_EQ(sent->decisions[0].rule_ids, "R06");
  EXPECT_EQ(sent->decisions[0].legal_basis, "consent:" + protocol::hex_encode(consent));
  EXPECT_EQ(sent->decisions[1].mailbox_id, school_mailbox());
  EXPECT_EQ(sent->decisions[1].rule_ids, "R03");
  EXPECT_EQ(sent->decisions[1].legal_basis, "rule:R03");

  const auto kept = kept_receipts();
  ASSERT_EQ(kept.size(), 1U);
  // Kept with its proof: the record log holds it under a checkpoint the hub key signed.
  const auto kept_receipt = check_kept_receipt(kept[0], *device->trust().hub_key());
  EXPECT_TRUE(kept_receipt.proved);
  const auto& receipt = kept_receipt.receipt;
  EXPECT_EQ(receipt.message_id, sent->message_id);
  EXPECT_EQ(receipt.decided.rule_set_version, sent->rule_set_version);
  EXPECT_EQ(receipt.decided.decisions, sent->decisions);
}

TEST_F(ReceiptDecisionTest, AReceiptThatDoesNotNameExactlyTheRecipientsIsRefused) {
  const std::vector<std::pair<std::string, std::function<void(protocol::ReceiptDecisions&)>>> lies =
      {
          {"a recipient left out", [](auto& d) { d.decisions.pop_back(); }},
          {"another mailbox named", [&](auto& d) { d.decisions[1].mailbox_id = onthaal; }},
          {"an extra mailbox named",
           [&](auto& d) {
             d.decisions.push_back({onthaal, "R02", "rule:R02", {}});
           }},
          {"a recipient named twice", [](auto& d) { d.decisions[1] = d.decisions[0]; }},
          {"no rules named", [](auto& d) { d.decisions[0].rule_ids.clear(); }},
          {"no legal basis named", [](auto& d) { d.decisions[1].legal_basis.clear(); }},
          {"no rule set named", [](auto& d) { d.rule_set_version.clear(); }},
      };
  for (const auto& [lie, change] : lies) {
    resign_decisions(change);
    const auto sent = device->send(advice_to_intake_and_school());
    ASSERT_FALSE(sent) << lie << " went unnoticed";
    EXPECT_EQ(sent.error(), make_error_code(client_errc::receipt_invalid)) << lie;
  }
  EXPECT_TRUE(kept_receipts().empty()) << "a refused receipt is not recorded as a send";
  *post_tamper = nullptr;
  EXPECT_TRUE(device->send(advice_to_intake_and_school())) << "the honest hub passes again";
}

}  // namespace
}  // namespace draaischijf::testing
