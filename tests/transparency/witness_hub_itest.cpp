// The hub gathers witness cosignatures (docs/TRANSPARENCY.md): an in-process hub configured with
// the real draaischijf-witness process submits each log's checkpoint on its timer, and
// GET /v1/log/{log}/checkpoint carries the witness's cosignature, which verifies under the vkey
// the witness's init printed; when the log grows, the next checkpoint is cosigned from the size
// before (the hub's consistency proof satisfied the witness). A witness that is down does not
// stop the hub: the checkpoint is served with the hub's signature alone, and the failure is
// counted in /metrics and logged.

#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include <draaischijf/protocol/note.hpp>

#include "in_process_hub.hpp"
#include "witness_process.hpp"

namespace draaischijf::testing {
namespace {

namespace note = protocol::note;

// The hub's key made before the hub starts (the hub takes an existing key file as its own), so
// the witness can be configured with the logs' vkeys first.
protocol::SigningKey hub_key_in(const std::filesystem::path& data) {
  std::filesystem::create_directories(data);
  auto key = protocol::SigningKey::generate();
  const auto seed = key.expose_seed();
  const int fd = ::open((data / "hub-signing.key").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  EXPECT_EQ(::write(fd, seed.expose().data(), seed.kSize), static_cast<ssize_t>(seed.kSize));
  ::close(fd);
  return key;
}

note::VerifierKey log_key(const protocol::SigningKey& hub, std::string_view log) {
  const protocol::KeyId id = protocol::key_id_of(hub.public_key());
  return {
      "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" + std::string(log),
      note::kEd25519, hub.public_key()};
}

class HubWitnesses : public ::testing::Test {
 protected:
  TempDir dir;
  protocol::SigningKey hub_key = hub_key_in(dir.path() / "data");
  note::VerifierKey witness_key = init_witness(
      dir.path() / "witness", "witness.test/hub",
      {{log_key(hub_key, "directory").name, note::encode_vkey(log_key(hub_key, "directory"))},
       {log_key(hub_key, "record").name, note::encode_vkey(log_key(hub_key, "record"))}});
  WitnessProcess witness{dir.path() / "witness"};

  [[nodiscard]] std::string witness_config(const std::string& url) const {
    return "[transparency]\nwitness_interval_seconds = 1\n[[witness]]\nurl = \"" + url +
           "\"\nvkey = \"" + note::encode_vkey(witness_key) + "\"\ncertificate = \"" +
           (dir.path() / "witness" / "tls.pem").string() + "\"\n";
  }
  // The log's checkpoint as the API serves it, opened with the hub's key.
  static note::OpenedCheckpoint served(DevHub& dev, const note::VerifierKey& key,
                                       std::string_view log) {
    const auto answer = dev.call("caw", get("/v1/log/" + std::string(log) + "/checkpoint"));
    EXPECT_EQ(answer.status, 200) << answer.body;
    auto opened = note::open_checkpoint(answer.body, key, key.name);
    EXPECT_TRUE(opened) << answer.body;
    return opened ? *opened : note::OpenedCheckpoint{};
  }
};

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
