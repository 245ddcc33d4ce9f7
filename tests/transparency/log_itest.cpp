// The hub's transparency logs over its API, as a client, witness or monitor sees them: the
// checkpoint is a C2SP signed note by the hub key; a monitor that replays the directory log's
// entries gets the checkpoint's root; the development deployment's organisation keys and epoch
// certificates are in it with inclusion proofs that verify; the record log grows with the audit
// rows of a message, consistently with the checkpoint before; bad requests get problems; answers
// to concurrent submissions carry version 3 receipts proved under checkpoints signed once.

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/receipt.hpp>

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
  // draaischijf_checkpoint_signatures_total, read by the CLB's device (the metrics device).
  std::uint64_t checkpoint_signatures() {
    const auto answer = dev.call("clb", get("/metrics"));
    EXPECT_EQ(answer.status, 200) << answer.body;
    const std::string name = "\ndraaischijf_checkpoint_signatures_total ";
    const auto at = answer.body.find(name);
    EXPECT_NE(at, std::string::npos) << answer.body;
    return at == std::string::npos ? 0 : std::stoull(answer.body.substr(at + name.size()));
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

// Concurrent submissions asking for version 3 receipts (docs/PROTOCOL.md 8.4): every answer's
// receipt is proved by the checkpoint and proof it carries, and each checkpoint the answers carry
// was signed once, however many answers share it (draaischijf_checkpoint_signatures_total).
TEST_F(HubTransparencyLog, ConcurrentSubmissionsGetReceiptsProvedUnderCheckpointsSignedOnce) {
  constexpr std::size_t kSenders = 8;
  std::vector<std::vector<std::uint8_t>> envelopes;
  for (std::size_t i = 0; i < kSenders; ++i) {
    envelopes.push_back(dev.seal_from("clb", {dev.epoch_of(dev.mailbox_of("caw"))},
                                      "bericht " + std::to_string(i),
                                      protocol::MessageKind::doorverwijzing));
  }
  const std::uint64_t signed_before = checkpoint_signatures();
  std::vector<HttpResponse> answers(kSenders);
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < kSenders; ++i) {
    senders.emplace_back([&, i] {
      answers[i] = dev.call("clb", post("/v1/envelopes?receipt=3", text_of(envelopes[i])));
    });
  }
  for (auto& sender : senders) {
    sender.join();
  }
  const std::uint64_t signed_after = checkpoint_signatures();

  const note::VerifierKey key = log_key("record");
  std::set<std::string> notes;
  for (std::size_t i = 0; i < kSenders; ++i) {
    ASSERT_EQ(answers[i].status, 201) << answers[i].body;
    const auto body = boost::json::parse(answers[i].body).as_object();
    const auto receipt = protocol::parse_receipt(b64(body.at("receipt"))).value();
    EXPECT_EQ(receipt.version, protocol::kLoggedReceiptVersion);
    EXPECT_EQ(receipt.envelope_hash, protocol::envelope_hash(envelopes[i]));
    const std::string note_text(body.at("checkpoint").as_string());
    notes.insert(note_text);
    const auto opened = note::open_checkpoint(note_text, key, key.name);
    ASSERT_TRUE(opened) << opened.error().message();
    protocol::Hash256 row_hash{};
    const auto row = protocol::hex_decode(std::string(body.at("record_row_hash").as_string()));
    ASSERT_TRUE(row && row->size() == row_hash.size());
    std::copy(row->begin(), row->end(), row_hash.begin());
    EXPECT_TRUE(protocol::check_logged(receipt, row_hash,
                                       body.at("record_index").to_number<std::uint64_t>(),
                                       opened->checkpoint, hashes(body)))
        << i;
  }
  EXPECT_EQ(signed_after - signed_before, notes.size())
      << "a checkpoint was signed more than once, or per answer";

  // A replay is answered with the same receipt, index and row hash; one that does not ask for
  // version 3 gets a version 2 receipt, as a client that has not adopted 3 verifies it.
  const auto replay = dev.call("clb", post("/v1/envelopes?receipt=3", text_of(envelopes[0])));
  ASSERT_EQ(replay.status, 409) << replay.body;
  const auto first = boost::json::parse(answers[0].body).as_object();
  const auto again = boost::json::parse(replay.body).as_object();
  EXPECT_EQ(again.at("receipt"), first.at("receipt"));
  EXPECT_EQ(again.at("record_index"), first.at("record_index"));
  EXPECT_EQ(again.at("record_row_hash"), first.at("record_row_hash"));
  const auto unasked = dev.call("clb", post("/v1/envelopes", text_of(envelopes[0])));
  ASSERT_EQ(unasked.status, 409) << unasked.body;
  const auto v2 = boost::json::parse(unasked.body).as_object();
  EXPECT_FALSE(v2.contains("record_index"));
  EXPECT_EQ(protocol::parse_receipt(b64(v2.at("receipt"))).value().version,
            protocol::kSignedReceiptVersion);
}

}  // namespace
}  // namespace draaischijf::testing
