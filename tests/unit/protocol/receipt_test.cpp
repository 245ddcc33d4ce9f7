#include <algorithm>
#include <functional>

#include <gtest/gtest.h>

#include <draaischijf/protocol/receipt.hpp>

namespace draaischijf::protocol {
namespace {

// Where the decisions start in an encoded receipt: magic, version, message id, envelope hash,
// received at, sequence.
constexpr std::size_t kDecisionsOffset = 4 + 1 + 16 + 32 + 8 + 8;

Id id_of(std::uint8_t b) {
  Id id{};
  id.fill(b);
  return id;
}

// A referral to two mailboxes: one allowed under a consent with a colleague's approval, one on
// the rules alone.
ReceiptDecisions two_decisions() {
  ReceiptDecisions decided;
  decided.rule_set_version = "2026.12.1";
  decided.decisions.push_back({id_of(1), "R06", "consent:" + std::string(32, 'a'), {id_of(9)}});
  decided.decisions.push_back({id_of(2), "R03,R05", "rule:R03,R05", {}});
  return decided;
}

Receipt signed_receipt(const SigningKey& hub, ReceiptDecisions decided = two_decisions()) {
  Hash256 hash{};
  hash[0] = 7;
  return sign_receipt(random_id(), hash, 1'800'000'000'000, 42, std::move(decided), hub).value();
}

// The offset of the first occurrence of `text` in `bytes`.
std::size_t offset_of(const std::vector<std::uint8_t>& bytes, std::string_view text) {
  const auto at = std::search(bytes.begin(), bytes.end(), text.begin(), text.end());
  EXPECT_NE(at, bytes.end()) << text;
  return static_cast<std::size_t>(at - bytes.begin());
}

TEST(ReceiptTest, SignedReceiptWithDecisionsVerifiesAndRoundTrips) {
  const auto hub = SigningKey::generate();
  const auto receipt = signed_receipt(hub);
  EXPECT_TRUE(verify(receipt, hub.public_key()));
  const auto bytes = encode(receipt);
  EXPECT_GE(bytes.size(), kReceiptMinSize);
  EXPECT_LE(bytes.size(), kReceiptMaxSize);
  const auto parsed = parse_receipt(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_EQ(parsed->sequence, 42U);
  EXPECT_EQ(parsed->decided, two_decisions());
  EXPECT_TRUE(verify(*parsed, hub.public_key()));
}

TEST(ReceiptTest, TheStoredDecisionsAreTheBytesTheReceiptSigns) {
  const auto stored = encode_decisions(two_decisions()).value();
  const auto receipt = encode(signed_receipt(SigningKey::generate()));
  ASSERT_GE(receipt.size(), kDecisionsOffset + stored.size());
  EXPECT_TRUE(std::equal(stored.begin(), stored.end(),
                         receipt.begin() + static_cast<std::ptrdiff_t>(kDecisionsOffset)));
  EXPECT_EQ(parse_decisions(stored).value(), two_decisions());
  auto longer = stored;
  longer.push_back(0);
  EXPECT_EQ(parse_decisions(longer).error(), errc::trailing_data);
}

TEST(ReceiptTest, AlteringAnyDecisionFieldBreaksTheSignature) {
  const auto hub = SigningKey::generate();
  const auto original = signed_receipt(hub);
  const std::vector<std::pair<std::string, std::function<void(ReceiptDecisions&)>>> changes = {
      {"rule set version", [](auto& d) { d.rule_set_version = "2026.12.2"; }},
      {"mailbox", [](auto& d) { d.decisions[0].mailbox_id = id_of(3); }},
      {"rule ids", [](auto& d) { d.decisions[1].rule_ids = "R03"; }},
      {"legal basis", [](auto& d) { d.decisions[0].legal_basis = "rule:R06"; }},
      {"approver changed", [](auto& d) { d.decisions[0].approvers[0] = id_of(8); }},
      {"approver dropped", [](auto& d) { d.decisions[0].approvers.clear(); }},
      {"approver added", [](auto& d) { d.decisions[1].approvers.push_back(id_of(9)); }},
      {"decision dropped", [](auto& d) { d.decisions.pop_back(); }},
      {"decisions swapped", [](auto& d) { std::swap(d.decisions[0], d.decisions[1]); }},
  };
  for (const auto& [what, change] : changes) {
    auto receipt = original;
    change(receipt.decided);
    EXPECT_EQ(verify(receipt, hub.public_key()).error(), errc::signature_invalid) << what;
    // The altered receipt is well formed: only the signature gives it away.
    const auto reparsed = parse_receipt(encode(receipt));
    ASSERT_TRUE(reparsed) << what;
    EXPECT_EQ(verify(*reparsed, hub.public_key()).error(), errc::signature_invalid) << what;
  }
}

TEST(ReceiptTest, AlteredFieldsOrAnotherHubKeyAreRefused) {
  const auto hub = SigningKey::generate();
  auto receipt = signed_receipt(hub);
  EXPECT_EQ(verify(receipt, SigningKey::generate().public_key()).error(),
            errc::certificate_untrusted);
  receipt.sequence = 2;
  EXPECT_EQ(verify(receipt, hub.public_key()).error(), errc::signature_invalid);
}

TEST(ReceiptTest, VersionOneIsRefused) {
  // The 165-byte version 1 layout: magic, version 1, then fields without decisions.
  std::vector<std::uint8_t> v1 = {'D', 'R', 'R', 'C', 1};
  v1.resize(165);
  EXPECT_EQ(parse_receipt(v1).error(), errc::unsupported_version);
  auto v2 = encode(signed_receipt(SigningKey::generate()));
  v2[4] = 1;
  EXPECT_EQ(parse_receipt(v2).error(), errc::unsupported_version);
  v2[0] = 'X';
  EXPECT_EQ(parse_receipt(v2).error(), errc::bad_magic);
}

TEST(ReceiptTest, NonPrintableDecisionTextIsRefused) {
  const auto bytes = encode(signed_receipt(SigningKey::generate()));
  for (const std::string_view field : {"2026.12.1", "R03,R05", "rule:R03,R05"}) {
    for (const std::uint8_t bad : {std::uint8_t{0x1b}, std::uint8_t{0x0a}, std::uint8_t{0x7f},
                                   std::uint8_t{0x9b}, std::uint8_t{0xc3}}) {
      auto altered = bytes;
      altered[offset_of(bytes, field) + 1] = bad;
      EXPECT_EQ(parse_receipt(altered).error(), errc::non_canonical)
          << field << " " << static_cast<int>(bad);
    }
  }
  // Nor does the hub sign any.
  for (const auto& change : std::vector<std::function<void(ReceiptDecisions&)>>{
           [](auto& d) { d.rule_set_version = "2026\x1b[2J"; },
           [](auto& d) { d.decisions[0].rule_ids = "R06\n"; },
           [](auto& d) { d.decisions[1].legal_basis = "rule:\xe2\x80\xae"; }}) {
    auto decided = two_decisions();
    change(decided);
    EXPECT_EQ(sign_receipt({}, {}, 0, 0, decided, SigningKey::generate()).error(),
              errc::non_canonical);
    EXPECT_EQ(encode_decisions(decided).error(), errc::non_canonical);
  }
}

TEST(ReceiptTest, CountsAndLengthsOutsideTheirBoundsAreRefused) {
  const auto hub = SigningKey::generate();
  const std::vector<std::pair<std::string, std::function<void(ReceiptDecisions&)>>> changes = {
      {"no decision", [](auto& d) { d.decisions.clear(); }},
      {"more decisions than recipients",
       [](auto& d) { d.decisions.resize(kMaxRecipients + 1, d.decisions[1]); }},
      {"more approvers than approvals",
       [](auto& d) { d.decisions[0].approvers.resize(kMaxApprovals + 1); }},
      {"long version", [](auto& d) { d.rule_set_version.assign(kRuleSetVersionMax + 1, '1'); }},
      {"long rule ids", [](auto& d) { d.decisions[0].rule_ids.assign(kRuleIdsMax + 1, 'R'); }},
  };
  for (const auto& [what, change] : changes) {
    auto decided = two_decisions();
    change(decided);
    EXPECT_EQ(sign_receipt({}, {}, 0, 0, decided, hub).error(), errc::field_out_of_range) << what;
  }
  auto at_most = two_decisions();
  at_most.decisions.resize(kMaxRecipients, at_most.decisions[0]);
  at_most.decisions[0].approvers.resize(kMaxApprovals);
  at_most.rule_set_version.assign(kRuleSetVersionMax, 'v');
  at_most.decisions[1].rule_ids.assign(kRuleIdsMax, 'R');
  at_most.decisions[1].legal_basis.assign(kLegalBasisMax, 'b');
  const auto largest = encode(sign_receipt({}, {}, 0, 0, at_most, hub).value());
  EXPECT_TRUE(parse_receipt(largest));

  // On the wire: the decision count, then an approver count, made too large.
  const auto bytes = encode(signed_receipt(hub));
  const std::size_t count_at = kDecisionsOffset + 1 + std::string_view("2026.12.1").size();
  for (const std::uint8_t count : {std::uint8_t{0}, std::uint8_t{kMaxRecipients + 1}}) {
    auto altered = bytes;
    altered[count_at] = count;
    EXPECT_EQ(parse_receipt(altered).error(), errc::field_out_of_range) << static_cast<int>(count);
  }
  auto altered = bytes;
  const std::size_t approvers_at = offset_of(bytes, "rule:R03,R05") + 12;
  ASSERT_EQ(altered[approvers_at], 0);
  altered[approvers_at] = kMaxApprovals + 1;
  EXPECT_EQ(parse_receipt(altered).error(), errc::field_out_of_range);
  // A length byte over the bound (the text itself printable).
  auto decided = two_decisions();
  decided.decisions[0].rule_ids.assign(kRuleIdsMax, 'R');
  auto long_ids = encode(sign_receipt({}, {}, 0, 0, decided, hub).value());
  const std::size_t length_at = offset_of(long_ids, std::string(kRuleIdsMax, 'R')) - 1;
  long_ids[length_at] = kRuleIdsMax + 1;
  long_ids.insert(long_ids.begin() + static_cast<std::ptrdiff_t>(length_at) + 1, 'R');
  EXPECT_EQ(parse_receipt(long_ids).error(), errc::field_out_of_range);
}

TEST(ReceiptTest, EveryTruncationAndTrailingDataAreRefused) {
  auto bytes = encode(signed_receipt(SigningKey::generate()));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(parse_receipt(std::span(bytes).first(n)).error(), errc::truncated) << n;
  }
  bytes.push_back(0);
  EXPECT_EQ(parse_receipt(bytes).error(), errc::trailing_data);
}

}  // namespace
}  // namespace draaischijf::protocol
