// draaischijf-witness as a log meets it (c2sp.org/tlog-witness): the real process on 127.0.0.1
// over TLS 1.3, started from the folder its own `init` made. It cosigns a checkpoint that
// extends the last one it cosigned, with a cosignature that verifies under the vkey init
// printed; it refuses a rollback and a fork, also after it was killed and started again, and
// keeps the forked checkpoint as evidence; it answers a stale old size with 409 and the size it
// holds; a checkpoint not signed by the log's key is 403 and an unknown log 404. In process, its
// cosignature carries the time of the clock it is given.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/witness/witness.hpp>

#include "test_log.hpp"
#include "test_support.hpp"
#include "witness_process.hpp"

namespace draaischijf::testing {
namespace {

class Witness : public ::testing::Test {
 protected:
  TempDir temp;
  std::filesystem::path dir = temp.path() / "witness";
  TestLog log;
  note::VerifierKey witness_key =
      init_witness(dir, "witness.test/w1", {{log.origin, note::encode_vkey(log.vkey())}});
  std::optional<WitnessProcess> witness{std::in_place, dir};

  void restart() {
    witness.reset();  // SIGKILL, as a crash
    witness.emplace(dir);
  }
  // The cosignature's timestamp when the answer is a cosignature of the current checkpoint by
  // the witness's key, an error otherwise.
  protocol::Result<std::uint64_t> cosigned(const WitnessReply& reply) const {
    auto combined = note::parse(log.checkpoint() + reply.body);
    if (!combined) {
      return combined.error();
    }
    return note::verify_cosignature(*combined, witness_key);
  }
};

TEST_F(Witness, CosignsAGoodCheckpointAndEachOneThatExtendsIt) {
  log.grow(5);
  const auto first = witness->add_checkpoint(log.request(0));
  ASSERT_EQ(first.status, 200U) << first.body;
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  const auto timestamp = cosigned(first);
  ASSERT_TRUE(timestamp) << timestamp.error().message() << "\n" << first.body;
  EXPECT_NEAR(static_cast<double>(*timestamp), static_cast<double>(now), 120.0);
  // The answer is exactly one signature line by the witness.
  EXPECT_TRUE(first.body.starts_with("\xE2\x80\x94 witness.test/w1 ")) << first.body;
  EXPECT_EQ(std::count(first.body.begin(), first.body.end(), '\n'), 1);

  log.grow(8);
  const auto second = witness->add_checkpoint(log.request(5));
  ASSERT_EQ(second.status, 200U) << second.body;
  EXPECT_TRUE(cosigned(second));
  // The same checkpoint again is cosigned again (same size, same root).
  EXPECT_EQ(witness->add_checkpoint(log.request(13)).status, 200U);
}

TEST_F(Witness, AStaleOldSizeGets409WithTheSizeItHolds) {
  log.grow(7);
  ASSERT_EQ(witness->add_checkpoint(log.request(0)).status, 200U);
  log.grow(3);
  // A log that lost track of the witness asks from 0, as tlog-witness allows, and learns 7.
  const auto stale = witness->add_checkpoint(log.request(0));
  EXPECT_EQ(stale.status, 409U);
  EXPECT_EQ(stale.content_type, "text/x.tlog.size");
  EXPECT_EQ(stale.body, "7\n");
  EXPECT_EQ(witness->add_checkpoint(log.request(4)).body, "7\n");
  // With the size it learned, it gets its cosignature.
  EXPECT_EQ(witness->add_checkpoint(log.request(7)).status, 200U);
}

TEST_F(Witness, RefusesARollbackAlsoAfterARestart) {
  log.grow(4);
  TestLog smaller = log;  // the same log at size 4
  log.grow(6);
  ASSERT_EQ(witness->add_checkpoint(smaller.request(0)).status, 200U);
  ASSERT_EQ(witness->add_checkpoint(log.request(4)).status, 200U);
  restart();
  // The old checkpoint claimed from the size the witness holds: old size above the checkpoint.
  EXPECT_EQ(witness->add_checkpoint("old 10\n\n" + smaller.checkpoint()).status, 400U);
  // Claimed from its own size: not the size cosigned.
  const auto rollback = witness->add_checkpoint(smaller.request(4));
  EXPECT_EQ(rollback.status, 409U);
  EXPECT_EQ(rollback.body, "10\n");
}

TEST_F(Witness, RefusesAForkAlsoAfterARestartAndKeepsTheEvidence) {
  log.grow(6);
  ASSERT_EQ(witness->add_checkpoint(log.request(0)).status, 200U);
  restart();
  // Another history of the same size: the same size with another root.
  TestLog fork;
  fork.key = protocol::SigningKey::from_seed(log.key.expose_seed());
  fork.grow(6, "rewritten");
  const auto same_size = witness->add_checkpoint(fork.request(6));
  EXPECT_EQ(same_size.status, 409U) << same_size.body;
  EXPECT_FALSE(cosigned(same_size));
  // And grown on from there: its proof does not lead from the root the witness cosigned.
  fork.grow(5, "rewritten");
  const auto grown = witness->add_checkpoint(fork.request(6));
  EXPECT_EQ(grown.status, 422U) << grown.body;
  restart();
  EXPECT_EQ(witness->add_checkpoint(fork.request(6)).status, 422U);
  // The honest log goes on being cosigned.
  log.grow(5);
  EXPECT_EQ(witness->add_checkpoint(log.request(6)).status, 200U);
  witness.reset();
  // The refused checkpoints, signed by the log's key, are on record for its auditors.
  const protocol::ManualClock clock{protocol::from_unix_ms(0)};
  const witness::Witness state(dir / "witness.db", "witness.test/w1",
                               protocol::SigningKey::generate(), {}, clock);
  const auto evidence = state.evidence();
  ASSERT_EQ(evidence.size(), 3U);
  EXPECT_EQ(evidence[0].reason, "another root at the cosigned size");
  EXPECT_EQ(evidence[1].reason, "no consistency with the cosigned checkpoint");
  EXPECT_NE(evidence[1].request.find(fork.checkpoint()), std::string::npos);
  EXPECT_EQ(state.cosigned(log.origin)->size, 11U);
}

TEST_F(Witness, RefusesACheckpointNotSignedByTheLogAndAnUnknownLog) {
  log.grow(3);
  TestLog impostor;
  impostor.origin = log.origin;
  impostor.grow(3);
  const auto forged = witness->add_checkpoint(impostor.request(0));
  EXPECT_EQ(forged.status, 403U) << forged.body;
  TestLog other;
  other.origin = "draaischijf-hub/ffffffffffffffff/record";
  other.grow(3);
  EXPECT_EQ(witness->add_checkpoint(other.request(0)).status, 404U);
  EXPECT_EQ(witness->add_checkpoint("old 01\n\n" + log.checkpoint()).status, 400U);
  EXPECT_EQ(witness->add_checkpoint("old 0\nnot-base64\n\n" + log.checkpoint()).status, 400U);
  // Nothing refused moved the witness: the log's first checkpoint is still from 0.
  EXPECT_EQ(witness->add_checkpoint(log.request(0)).status, 200U);
}

// The witness's core in process: the timestamp is the injected clock's, in POSIX seconds.
TEST(WitnessCore, TheCosignatureCarriesTheClocksTime) {
  TempDir temp;
  TestLog log;
  log.grow(2);
  protocol::ManualClock clock{protocol::from_unix_ms(1'760'000'000'123)};
  witness::Witness core(temp.path() / "w.db", "witness.test/w2", protocol::SigningKey::generate(),
                        {{log.origin, log.vkey()}}, clock);
  const auto answer = core.add_checkpoint(log.request(0));
  ASSERT_EQ(answer.status, 200U) << answer.body;
  auto combined = note::parse(log.checkpoint() + answer.body);
  ASSERT_TRUE(combined);
  EXPECT_EQ(note::verify_cosignature(*combined, core.verifier_key()).value(), 1'760'000'000U);
}

}  // namespace
}  // namespace draaischijf::testing
