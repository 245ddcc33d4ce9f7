// Version 3 receipts (docs/PROTOCOL.md 8.4): no signature, proved by the record log. A receipt
// whose entry is in a checkpoint's tree verifies; an edited receipt, another row hash, another
// index, a proof for another leaf or another tree's checkpoint does not.

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>

namespace draaischijf::protocol {
namespace {

namespace merkle = protocol::merkle;

ReceiptDecisions one_decision() {
  ReceiptDecisions decided;
  decided.rule_set_version = "2026.12.1";
  decided.decisions.push_back({random_id(), "R06", "rule:R06", {}});
  return decided;
}

Receipt a_receipt(std::uint64_t sequence) {
  Hash256 hash{};
  hash[0] = static_cast<std::uint8_t>(sequence);
  return logged_receipt(random_id(), hash, 1'800'000'000'000, sequence, one_decision()).value();
}

Hash256 row_hash_of(std::uint64_t i) {
  Hash256 h{};
  h[31] = static_cast<std::uint8_t>(i + 1);
  return h;
}

// A record log of `size` entries where the receipts sit at the indexes the test names; every
// other entry is an audit row's hash.
struct Log {
  merkle::MemoryTree tree;
  std::vector<Receipt> receipts;  // receipts[i] is at index i
  explicit Log(std::uint64_t size) {
    for (std::uint64_t i = 0; i < size; ++i) {
      receipts.push_back(a_receipt(i));
      const auto entry = receipt_record_entry(receipt_digest(receipts.back()), row_hash_of(i));
      tree.append(merkle::leaf_hash(entry));
    }
  }
  note::Checkpoint checkpoint() const {
    return {"draaischijf-hub/0011223344556677/record",
            tree.size(),
            merkle::tree_head(tree, tree.size()).value(),
            {}};
  }
  std::vector<merkle::Hash> proof(std::uint64_t index) const {
    return merkle::inclusion_proof(tree, index, tree.size()).value();
  }
};

TEST(LoggedReceiptTest, RoundTripsWithoutKeyOrSignature) {
  const auto receipt = a_receipt(42);
  const auto bytes = encode(receipt);
  EXPECT_EQ(bytes[4], kLoggedReceiptVersion);
  EXPECT_GE(bytes.size(), kLoggedReceiptMinSize);
  EXPECT_LE(bytes.size(), kLoggedReceiptMaxSize);
  const auto parsed = parse_receipt(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->version, kLoggedReceiptVersion);
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_EQ(receipt_digest(*parsed), receipt_digest(receipt));
  // Nothing after the decisions: a version 2 tail is trailing data.
  auto longer = bytes;
  longer.resize(bytes.size() + 96);
  EXPECT_EQ(parse_receipt(longer).error(), errc::trailing_data);
  // It carries no signature to verify: only the log proves it.
  EXPECT_EQ(verify(receipt, SigningKey::generate().public_key()).error(),
            errc::unsupported_version);
}

TEST(LoggedReceiptTest, AReceiptInTheLogVerifies) {
  const Log log(11);
  for (std::uint64_t i = 0; i < 11; ++i) {
    EXPECT_TRUE(check_logged(log.receipts[i], row_hash_of(i), i, log.checkpoint(), log.proof(i)))
        << i;
  }
}

TEST(LoggedReceiptTest, AnEditedReceiptIsRefused) {
  const Log log(7);
  auto edited = log.receipts[3];
  edited.decided.decisions[0].legal_basis = "rule:R07";
  EXPECT_EQ(check_logged(edited, row_hash_of(3), 3, log.checkpoint(), log.proof(3)).error(),
            tlog_errc::proof_mismatch);
  edited = log.receipts[3];
  edited.received_at_ms += 1;
  EXPECT_EQ(check_logged(edited, row_hash_of(3), 3, log.checkpoint(), log.proof(3)).error(),
            tlog_errc::proof_mismatch);
  // The row hash is half of the entry: another one is another leaf.
  EXPECT_EQ(
      check_logged(log.receipts[3], row_hash_of(4), 3, log.checkpoint(), log.proof(3)).error(),
      tlog_errc::proof_mismatch);
}

TEST(LoggedReceiptTest, AnotherIndexOrAnotherLeafsProofIsRefused) {
  const Log log(7);
  // The right proof at the wrong index, and the index's own proof for another leaf.
  EXPECT_FALSE(check_logged(log.receipts[3], row_hash_of(3), 2, log.checkpoint(), log.proof(3)));
  EXPECT_FALSE(check_logged(log.receipts[3], row_hash_of(3), 3, log.checkpoint(), log.proof(2)));
  EXPECT_FALSE(check_logged(log.receipts[3], row_hash_of(3), 7, log.checkpoint(), log.proof(3)));
  // A receipt the log does not hold, with any of its proofs.
  const auto absent = a_receipt(3);
  EXPECT_FALSE(check_logged(absent, row_hash_of(3), 3, log.checkpoint(), log.proof(3)));
}

TEST(LoggedReceiptTest, AnotherTreesCheckpointIsRefused) {
  const Log log(7);
  Log other(7);
  EXPECT_FALSE(check_logged(log.receipts[3], row_hash_of(3), 3, other.checkpoint(), log.proof(3)));
}

TEST(LoggedReceiptTest, ASignedReceiptIsNotProvedByTheLog) {
  const Log log(2);
  const auto& r = log.receipts[1];
  const auto hub = SigningKey::generate();
  const auto signed_one =
      sign_receipt(r.message_id, r.envelope_hash, r.received_at_ms, r.sequence, r.decided, hub)
          .value();
  EXPECT_EQ(check_logged(signed_one, row_hash_of(1), 1, log.checkpoint(), log.proof(1)).error(),
            errc::unsupported_version);
  EXPECT_TRUE(verify(signed_one, hub.public_key()));
}

}  // namespace
}  // namespace draaischijf::protocol
