// The hub's transparency logs over its API, as a client, witness or monitor sees them: the
// checkpoint is a C2SP signed note by the hub key; a monitor that replays the directory log's
// entries gets the checkpoint's root; the development deployment's organisation keys and epoch
// certificates are in it with inclusion proofs that verify; the record log grows with the audit
// rows of a message, consistently with the checkpoint before; bad requests get problems.

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/log_view.hpp>

#include "in_process_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace merkle = protocol::merkle;
namespace note = protocol::note;

class HubTransparencyLog : public ::testing::Test {
 protected:
  TempDir dir;
  InProcessHub served{dir.path()};
  DevHub dev{served.port(), served.pki()};

  // The hub's public key as the hub writes it beside its key file, and the log's note key.
  note::VerifierKey log_key(std::string_view log) {
    std::ifstream in(dir.path() / "data" / "hub-signing.pub");
    std::string text;
    std::getline(in, text);
    protocol::SigningPublicKey key{};
    const auto bytes = protocol::base64_decode(text).value();
    std::copy(bytes.begin(), bytes.end(), key.begin());
    const protocol::KeyId id = protocol::key_id_of(key);
    return {
        "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" + std::string(log),
        note::kEd25519, key};
  }
  note::Checkpoint checkpoint(std::string_view log) {
    const auto answer = dev.call("school", get("/v1/log/" + std::string(log) + "/checkpoint"));
    EXPECT_EQ(answer.status, 200) << answer.body;
    const note::VerifierKey key = log_key(log);
    auto opened = note::open_checkpoint(answer.body, key, key.name);
    EXPECT_TRUE(opened) << opened.error().message() << "\n" << answer.body;
    return opened ? opened->checkpoint : note::Checkpoint{};
  }
  static std::vector<merkle::Hash> hashes(const boost::json::object& answer) {
    std::vector<merkle::Hash> out;
    for (const auto& item : answer.at("proof").as_array()) {
      const auto bytes = b64(item);
      EXPECT_EQ(bytes.size(), 32U);
      std::copy_n(bytes.begin(), std::min<std::size_t>(32, bytes.size()),
                  out.emplace_back().begin());
    }
    return out;
  }
  std::vector<std::uint8_t> entry(std::string_view log, std::uint64_t index) {
    return b64(
        dev.json("caw", get("/v1/log/" + std::string(log) + "/entries/" + std::to_string(index)))
            .at("entry"));
  }
};

TEST_F(HubTransparencyLog, AMonitorReplayingTheDirectoryLogGetsTheSignedRoot) {
  const note::Checkpoint head = checkpoint("directory");
  // Three organisations and at least one mailbox epoch each.
  ASSERT_GE(head.size, 6U);
  merkle::MemoryTree replay;
  std::vector<std::vector<std::uint8_t>> entries;
  for (std::uint64_t i = 0; i < head.size; ++i) {
    entries.push_back(entry("directory", i));
    replay.append(merkle::leaf_hash(entries.back()));
  }
  EXPECT_EQ(merkle::tree_head(replay, head.size).value(), head.root);
  // Every demo organisation's key is in it, as the organisation's own key file says.
  const std::pair<const char*, protocol::OrgType> orgs[] = {{"clb", protocol::OrgType::clb},
                                                            {"school", protocol::OrgType::school},
                                                            {"caw", protocol::OrgType::caw}};
  for (const auto& [slug, type] : orgs) {
    const auto want = protocol::organisation_key_entry(
        dev.org_id(slug), type, dev.organisation_key(slug).signing.public_key());
    EXPECT_NE(std::find(entries.begin(), entries.end(), want), entries.end()) << slug;
  }
  // And the current epoch certificate of the CLB's mailbox, as the directory serves it.
  const auto epoch =
      protocol::epoch_certificate_entry(protocol::encode(dev.epoch_of(dev.mailbox_of("clb"))));
  EXPECT_NE(std::find(entries.begin(), entries.end(), epoch), entries.end());
}

TEST_F(HubTransparencyLog, AnOrganisationKeyComesWithAnInclusionProofThatVerifies) {
  const note::Checkpoint head = checkpoint("directory");
  const auto want = protocol::organisation_key_entry(
      dev.org_id("caw"), protocol::OrgType::caw, dev.organisation_key("caw").signing.public_key());
  std::uint64_t index = head.size;
  for (std::uint64_t i = 0; i < head.size && index == head.size; ++i) {
    index = entry("directory", i) == want ? i : head.size;
  }
  ASSERT_LT(index, head.size);
  const auto proof = hashes(
      dev.json("school", get("/v1/log/directory/proof/inclusion?index=" + std::to_string(index) +
                             "&size=" + std::to_string(head.size))));
  EXPECT_TRUE(protocol::check_included(head, want, index, proof));
  // Another key for the CAW is not what the log holds.
  const auto other = protocol::organisation_key_entry(
      dev.org_id("caw"), protocol::OrgType::caw, protocol::SigningKey::generate().public_key());
  EXPECT_EQ(protocol::check_included(head, other, index, proof).error(),
            protocol::tlog_errc::proof_mismatch);
}

TEST_F(HubTransparencyLog, TheRecordLogGrowsWithAMessageConsistentlyWithTheCheckpointBefore) {
  const note::Checkpoint before = checkpoint("record");
  ASSERT_GE(before.size, 1U);  // the development deployment's own audit rows
  const auto onthaal = dev.mailbox_of("clb");
  const auto epoch = dev.epoch_of(onthaal);
  const auto school = dev.keys("school");
  const auto draft = DevHub::draft_under({}, "zorg om de leerling", protocol::MessageKind::signaal);
  const auto envelope = protocol::seal(draft, {dev.certificate_of("school"), school.signing, 1},
                                       std::vector<protocol::MailboxEpochCertificate>{epoch},
                                       static_cast<std::uint64_t>(protocol::unix_ms(served.now())));
  ASSERT_TRUE(envelope) << envelope.error().message();
  const auto sent = dev.call("school", post("/v1/envelopes", text_of(envelope.value())));
  ASSERT_EQ(sent.status, 201) << sent.body;
  const note::Checkpoint after = checkpoint("record");
  EXPECT_GT(after.size, before.size);
  const auto proof = hashes(dev.json(
      "school", get("/v1/log/record/proof/consistency?from=" + std::to_string(before.size) +
                    "&to=" + std::to_string(after.size))));
  EXPECT_TRUE(protocol::check_extends(before, after, proof));
  // The older checkpoint offered after the newer one is a rollback.
  EXPECT_EQ(protocol::check_extends(after, before, {}).error(), protocol::tlog_errc::log_rollback);
}

TEST_F(HubTransparencyLog, RequestsOutsideTheLogGetProblems) {
  const note::Checkpoint head = checkpoint("directory");
  EXPECT_EQ(dev.call("clb", get("/v1/log/other/checkpoint")).status, 404);
  const auto beyond = dev.call("clb", get("/v1/log/directory/proof/inclusion?index=0&size=" +
                                          std::to_string(head.size + 1)));
  EXPECT_EQ(beyond.status, 422);
  EXPECT_NE(beyond.body.find("urn:draaischijf:problem:invalid-field"), std::string::npos)
      << beyond.body;
  EXPECT_EQ(dev.call("clb", get("/v1/log/directory/proof/inclusion?index=x&size=1")).status, 422);
  EXPECT_EQ(dev.call("clb", get("/v1/log/directory/proof/consistency?from=0&to=1")).status, 422);
  EXPECT_EQ(dev.call("clb", get("/v1/log/directory/entries/" + std::to_string(head.size))).status,
            422);
}

}  // namespace
}  // namespace draaischijf::testing
