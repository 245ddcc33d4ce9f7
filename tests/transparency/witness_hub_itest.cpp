// The hub gathers witness cosignatures (docs/TRANSPARENCY.md): an in-process hub configured with
// the real draaischijf-witness process submits each log's checkpoint on its timer, and
// GET /v1/log/{log}/checkpoint carries the witness's cosignature, which verifies under the vkey
// the witness's init printed; when the log grows, the next checkpoint is cosigned from the size
// before (the hub's consistency proof satisfied the witness). A witness that is down does not
// stop the hub: the checkpoint is served with the hub's signature alone, and the failure is
// counted in /metrics and logged.

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <draaischijf/protocol/note.hpp>

#include "hub_witnesses.hpp"

namespace draaischijf::testing {
namespace {

TEST_F(HubWitnesses, TheCheckpointRouteCarriesACosignatureThatVerifies) {
  InProcessHub hub{dir.path(), witness_config(witness.url())};
  DevHub dev{hub.port(), hub.pki()};
  for (const std::string_view log : {"directory", "record"}) {
    const auto key = log_key(hub_key, log);
    ASSERT_TRUE(eventually([&] {
      return static_cast<bool>(note::verify_cosignature(served(dev, key, log).note, witness_key));
    })) << log;
    // A cosignature by another key is not what it carries.
    const note::VerifierKey stranger{witness_key.name, note::kCosignatureV1,
                                     protocol::SigningKey::generate().public_key()};
    EXPECT_FALSE(note::verify_cosignature(served(dev, key, log).note, stranger));
  }
}

TEST_F(HubWitnesses, AGrownLogIsCosignedFromTheSizeTheWitnessHeld) {
  InProcessHub hub{dir.path(), witness_config(witness.url())};
  DevHub dev{hub.port(), hub.pki()};
  const auto key = log_key(hub_key, "record");
  ASSERT_TRUE(eventually([&] {
    return static_cast<bool>(
        note::verify_cosignature(served(dev, key, "record").note, witness_key));
  }));
  const std::uint64_t before = served(dev, key, "record").checkpoint.size;
  // A message's audit rows grow the record log.
  const auto draft = DevHub::draft_under({}, "zorg om de leerling", protocol::MessageKind::signaal);
  const auto envelope = protocol::seal(
      draft, {dev.certificate_of("school"), dev.keys("school").signing, 1},
      std::vector<protocol::MailboxEpochCertificate>{dev.epoch_of(dev.mailbox_of("clb"))},
      static_cast<std::uint64_t>(protocol::unix_ms(hub.now())));
  ASSERT_TRUE(envelope) << envelope.error().message();
  ASSERT_EQ(dev.call("school", post("/v1/envelopes", text_of(envelope.value()))).status, 201);
  ASSERT_TRUE(eventually([&] {
    const auto now = served(dev, key, "record");
    return now.checkpoint.size > before && note::verify_cosignature(now.note, witness_key);
  }));
  // Every submission was cosigned: none was refused as not extending the one before.
  EXPECT_NE(dev.call("clb", get("/metrics")).body.find("draaischijf_witness_failures_total 0\n"),
            std::string::npos);
}

TEST_F(HubWitnesses, AWitnessThatIsDownDoesNotStopTheHub) {
  const std::string url = witness.url();
  witness.kill_now();
  InProcessHub hub{dir.path(), witness_config(url)};
  DevHub dev{hub.port(), hub.pki()};
  const auto key = log_key(hub_key, "record");
  ASSERT_TRUE(eventually([&] {
    const auto metrics = dev.call("clb", get("/metrics")).body;
    return metrics.find("draaischijf_witness_failures_total ") != std::string::npos &&
           metrics.find("draaischijf_witness_failures_total 0\n") == std::string::npos;
  }));
  const auto checkpoint = served(dev, key, "record");
  EXPECT_GE(checkpoint.checkpoint.size, 1U);
  EXPECT_EQ(note::verify_cosignature(checkpoint.note, witness_key).error(),
            protocol::tlog_errc::note_not_signed);
  EXPECT_EQ(dev.call("clb", get("/v1/organisations")).status, 200);
  EXPECT_NE(slurp(dir.path() / "hub.log").find("\"event\":\"witness.failed\""), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing
