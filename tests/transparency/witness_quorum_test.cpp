// The client's witness quorum (client-lib witness_quorum.hpp): a checkpoint cosigned by the real
// draaischijf-witness passes a quorum of 1 of the witnesses the profile knows; the same
// checkpoint without the cosignature is refused, as is one cosigned only by a witness the
// profile does not know, or whose cosignature was tampered with; one witness counts once however
// often it is listed. The profile's witnesses.txt is read strictly.

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/witness_quorum.hpp>

#include "test_log.hpp"
#include "witness_process.hpp"

namespace draaischijf::testing {
namespace {

using client::check_witness_quorum;

class WitnessQuorum : public ::testing::Test {
 protected:
  TempDir temp;
  TestLog log;
  note::VerifierKey known = init_witness(temp.path() / "known", "witness.test/known",
                                         {{log.origin, note::encode_vkey(log.vkey())}});
  note::VerifierKey other = init_witness(temp.path() / "other", "witness.test/other",
                                         {{log.origin, note::encode_vkey(log.vkey())}});

  // The checkpoint with the cosignature line of the witness in `folder`.
  note::SignedNote cosigned_by(const std::string& folder) {
    const WitnessProcess witness(temp.path() / folder);
    const auto reply = witness.add_checkpoint(log.request(0));
    EXPECT_EQ(reply.status, 200U) << reply.body;
    return note::parse(log.checkpoint() + reply.body).value();
  }
};

TEST_F(WitnessQuorum, AQuorumOfOneRefusesACheckpointWithoutTheCosignature) {
  log.grow(4);
  const std::vector<note::VerifierKey> witnesses{known};
  const note::SignedNote bare = note::parse(log.checkpoint()).value();
  EXPECT_EQ(check_witness_quorum(bare, witnesses, 1).error(),
            protocol::tlog_errc::witness_quorum_not_met);
  EXPECT_TRUE(check_witness_quorum(bare, witnesses, 0));  // not configured: the hub's word
  const note::SignedNote cosigned = cosigned_by("known");
  EXPECT_TRUE(check_witness_quorum(cosigned, witnesses, 1));
  // The same witness listed twice is still one witness.
  const std::vector<note::VerifierKey> twice{known, known};
  EXPECT_EQ(check_witness_quorum(cosigned, twice, 2).error(),
            protocol::tlog_errc::witness_quorum_not_met);
  // A cosignature whose signature bytes were changed counts for nothing.
  note::SignedNote tampered = cosigned;
  auto& last = tampered.signatures.back().bytes.back();
  last = static_cast<std::uint8_t>(last ^ 0x01U);
  EXPECT_FALSE(check_witness_quorum(tampered, witnesses, 1));
}

TEST_F(WitnessQuorum, ACosignatureByAnUnknownWitnessDoesNotCount) {
  log.grow(2);
  const note::SignedNote by_other = cosigned_by("other");
  const std::vector<note::VerifierKey> witnesses{known};
  EXPECT_EQ(check_witness_quorum(by_other, witnesses, 1).error(),
            protocol::tlog_errc::witness_quorum_not_met);
  const std::vector<note::VerifierKey> both{known, other};
  EXPECT_TRUE(check_witness_quorum(by_other, both, 1));
  EXPECT_FALSE(check_witness_quorum(by_other, both, 2));
}

TEST_F(WitnessQuorum, TheProfilesWitnessFileIsReadStrictly) {
  const auto file = temp.path() / "witnesses.txt";
  EXPECT_EQ(client::read_witness_policy(file).value().quorum, 0U);  // none: quorum 0
  std::ofstream(file) << "# the CLB's and the regulator's witnesses\nwitness "
                      << note::encode_vkey(known) << "\nwitness " << note::encode_vkey(other)
                      << "\nquorum 2\n";
  const auto policy = client::read_witness_policy(file).value();
  EXPECT_EQ(policy.quorum, 2U);
  EXPECT_EQ(policy.witnesses, (std::vector<note::VerifierKey>{known, other}));
  for (const std::string& bad :
       {std::string("quorum 1\n"), "witness " + note::encode_vkey(log.vkey()) + "\n",
        "witness " + note::encode_vkey(known) + "\nquorum 01\n", std::string("witnes x\n")}) {
    std::ofstream(file) << bad;
    EXPECT_EQ(client::read_witness_policy(file).error(), client::client_errc::profile_invalid)
        << bad;
  }
}

}  // namespace
}  // namespace draaischijf::testing
