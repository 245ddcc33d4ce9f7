// The audit record's hash and entry (docs/PROTOCOL.md 13.4): every field is covered and none
// can be moved into its neighbour, and only an acceptance that names a receipt digest has the
// receipt's entry instead of the row hash.

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/receipt.hpp>

namespace draaischijf::protocol {
namespace {

AuditRecord decision_row() {
  return {42,
          1764979200000,
          "policy.decision",
          std::vector<std::uint8_t>(16, 1),
          std::vector<std::uint8_t>(16, 2),
          std::vector<std::uint8_t>(16, 3),
          "outcome=allow kind=doorverwijzing",
          std::vector<std::uint8_t>(32, 4),
          "staff",
          "",
          "clb_psycholoog",
          "consent:ab",
          "R06",
          "2026.12.1"};
}

TEST(AuditRecord, EveryFieldChangesTheHash) {
  const auto base = audit_row_hash(decision_row().view());
  const std::vector<std::pair<std::string, std::function<void(AuditRecord&)>>> changes = {
      {"id", [](AuditRecord& r) { ++r.id; }},
      {"time", [](AuditRecord& r) { ++r.at_ms; }},
      {"event", [](AuditRecord& r) { r.event = "policy.decisiom"; }},
      {"org", [](AuditRecord& r) { r.org[0] ^= 1; }},
      {"device", [](AuditRecord& r) { r.device.clear(); }},
      {"message", [](AuditRecord& r) { r.message[15] ^= 1; }},
      {"detail", [](AuditRecord& r) { r.detail += " "; }},
      {"pupil", [](AuditRecord& r) { r.pupil.clear(); }},
      {"user", [](AuditRecord& r) { r.user = "other"; }},
      {"on behalf of", [](AuditRecord& r) { r.on_behalf_of = "approver"; }},
      {"role", [](AuditRecord& r) { r.role = "clb_arts"; }},
      {"legal basis", [](AuditRecord& r) { r.legal_basis = "rule:R34"; }},
      {"rule ids", [](AuditRecord& r) { r.rule_ids = "R07"; }},
      {"rule-set version", [](AuditRecord& r) { r.policy_version = "2026.12.2"; }},
      // Length-prefixed fields: a character moved from one field into the next is another row.
      {"a shifted boundary",
       [](AuditRecord& r) {
         r.user = "staf";
         r.on_behalf_of = "f";
       }},
  };
  for (const auto& [what, change] : changes) {
    auto row = decision_row();
    change(row);
    EXPECT_NE(audit_row_hash(row.view()), base) << what;
  }
  EXPECT_EQ(audit_row_hash(decision_row().view()), base) << "the hash is not deterministic";
}

TEST(AuditRecord, OnlyAnAcceptanceNamingAReceiptHasTheReceiptsEntry) {
  auto row = decision_row();
  EXPECT_EQ(audit_record_entry(row.view()), audit_row_hash(row.view()));
  Hash256 digest{};
  digest.fill(7);
  row.detail = "size=120" + std::string(kReceiptDetailField) + hex_encode(digest);
  EXPECT_EQ(audit_record_entry(row.view()), audit_row_hash(row.view()))
      << "another event's detail is not searched for a receipt";
  row.event = std::string(kEnvelopeAcceptedEvent);
  EXPECT_EQ(named_receipt(row.event, row.detail), digest);
  EXPECT_EQ(audit_record_entry(row.view()),
            receipt_record_entry(digest, audit_row_hash(row.view())));
  for (const std::string& bad : std::vector<std::string>{
           "size=120 receipt=abc", "size=120 receipt=" + std::string(64, 'g'), "size=120"}) {
    row.detail = bad;
    EXPECT_FALSE(named_receipt(row.event, row.detail)) << bad;
    EXPECT_EQ(audit_record_entry(row.view()), audit_row_hash(row.view())) << bad;
  }
}

}  // namespace
}  // namespace draaischijf::protocol
