// Version 3 receipts (docs/PROTOCOL.md 8.4) through the client, against the real hub behind the
// lying stand-in: the hub's answer carries the receipt unsigned, its record-log index, a
// checkpoint and the inclusion proof, and the client keeps all of it once it verified. A receipt
// that is not in the log (an edited body or row hash), another index, the proof of another
// leaf, a checkpoint signed by another key and one that forks from or rolls back the checkpoint
// the client holds are each refused, and no send is recorded.

#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace note = protocol::note;

class LoggedReceiptTest : public TamperingTest {
 protected:
  client::Composition consultation() const {
    return letter_to_intake(protocol::MessageKind::consultatie, protocol::DataCategory::contact,
                            "graag overleg");
  }

  // The hub's record log as a device of the CLB reads it, past the stand-in.
  boost::json::object real_hub_json(const std::string& target) const {
    const auto pki = dir.path() / "data" / "dev-pki";
    TlsClient clb(hub.port(), pki / "root.pem", pki / "clb" / "device.pem",
                  pki / "clb" / "device.key");
    const auto answer = clb.exchange(get(target));
    EXPECT_TRUE(answer && answer->status == 200) << target;
    return answer ? json::parse(answer->body).as_object() : boost::json::object{};
  }

  // The answer's checkpoint with its size, root or key changed, signed again (by the hub's own
  // key unless `key` is given).
  void resign_checkpoint(std::function<void(note::Checkpoint&)> change,
                         std::shared_ptr<const protocol::SigningKey> key = nullptr) {
    const auto signer = key ? key : hub_signing_key();
    rewrite_receipt_proofs([change, signer](json::object& o) {
      const std::string text(o.at("checkpoint").as_string());
      auto body = note::parse_checkpoint_text(text.substr(0, text.find("\n\n") + 1));
      ASSERT_TRUE(body) << text;
      change(*body);
      o["checkpoint"] = note::sign_checkpoint(*signer, *body);
    });
  }

  // The kept record-log checkpoint's size as the client holds it (accepted with each receipt).
  std::uint64_t held_record_size() {
    const auto sent = device->send(consultation());
    EXPECT_TRUE(sent) << sent.error().message();
    return check_kept_receipt(kept_receipt_bytes(), *device->trust().hub_key()).checkpoint.size;
  }

  // The last send's kept receipt, read from the local state's file as an auditor would.
  std::vector<std::uint8_t> kept_receipt_bytes() const {
    sqlite3* db = nullptr;
    std::vector<std::uint8_t> out;
    const auto file = dir.path() / "clb" / "state.sqlite";
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* select = nullptr;
      sqlite3_prepare_v2(db, "SELECT receipt FROM sent ORDER BY rowid DESC LIMIT 1", -1, &select,
                         nullptr);
      if (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
        const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(select, 0));
        out.assign(bytes, bytes + sqlite3_column_bytes(select, 0));
      }
      sqlite3_finalize(select);
    }
    sqlite3_close(db);
    return out;
  }

  std::size_t sends_kept() const {
    sqlite3* db = nullptr;
    std::size_t count = 0;
    const auto file = dir.path() / "clb" / "state.sqlite";
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* select = nullptr;
      sqlite3_prepare_v2(db, "SELECT count(*) FROM sent", -1, &select, nullptr);
      if (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
        count = static_cast<std::size_t>(sqlite3_column_int64(select, 0));
      }
      sqlite3_finalize(select);
    }
    sqlite3_close(db);
    return count;
  }

  // The send is refused with `expected` and recorded nowhere.
  void expect_refused(const std::string& lie, client_errc expected) {
    const std::size_t before = sends_kept();
    const auto sent = device->send(consultation());
    if (sent) {
      ADD_FAILURE() << lie << " went unnoticed";
      return;
    }
    EXPECT_EQ(sent.error(), make_error_code(expected)) << lie << ": " << sent.error().message();
    EXPECT_EQ(sends_kept(), before) << lie << ": a refused receipt was recorded as a send";
  }
};

TEST_F(LoggedReceiptTest, TheHubAnswersAVersionThreeReceiptAndTheClientKeepsItsProof) {
  std::string answered;
  *post_tamper = [&answered](std::string_view target, HubReply& reply) {
    if (is_envelope_submission(target)) {
      answered = std::string(target);
      EXPECT_EQ(reply.status, 201) << reply.body;
      const auto o = json::parse(reply.body).as_object();
      EXPECT_TRUE(o.contains("record_index") && o.contains("checkpoint") && o.contains("proof"))
          << reply.body;
    }
  };
  const auto sent = device->send(consultation());
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(answered, "/v1/envelopes?receipt=3");
  const auto kept = check_kept_receipt(kept_receipt_bytes(), *device->trust().hub_key());
  EXPECT_EQ(kept.receipt.version, protocol::kLoggedReceiptVersion);
  EXPECT_EQ(kept.receipt.message_id, sent->message_id);
  EXPECT_EQ(kept.receipt.sequence, static_cast<std::uint64_t>(sent->hub_sequence));
  EXPECT_TRUE(kept.proved) << "the kept receipt is not proved by its kept checkpoint";
  // The hub's own log holds that entry under the index the receipt names.
  const auto entry = real_hub_json("/v1/log/record/entries/" + std::to_string(kept.record_index));
  EXPECT_EQ(entry.at("index").to_number<std::uint64_t>(), kept.record_index);
}

TEST_F(LoggedReceiptTest, AReceiptThatIsNotInTheLogIsRefused) {
  const std::vector<std::pair<std::string, std::function<void(protocol::Receipt&)>>> lies = {
      {"with another legal basis",
       [](protocol::Receipt& r) { r.decided.decisions[0].legal_basis = "rule:R99"; }},
      {"with another receipt time", [](protocol::Receipt& r) { r.received_at_ms -= 1000; }},
      {"with another sequence", [](protocol::Receipt& r) { r.sequence += 1; }},
  };
  for (const auto& [lie, change] : lies) {
    resign_receipts(hub_signing_key(), change);
    expect_refused("a receipt " + lie, client_errc::receipt_invalid);
  }
  rewrite_receipt_proofs([](json::object& o) {
    std::string row(o.at("record_row_hash").as_string());
    row[0] = row[0] == '0' ? '1' : '0';
    o["record_row_hash"] = row;
  });
  expect_refused("another row hash", client_errc::receipt_invalid);
  *post_tamper = nullptr;
  EXPECT_TRUE(device->send(consultation())) << "the honest hub passes again";
}

TEST_F(LoggedReceiptTest, AnotherIndexOrTheProofOfAnotherLeafIsRefused) {
  rewrite_receipt_proofs([](json::object& o) {
    o["record_index"] = o.at("record_index").to_number<std::uint64_t>() - 1;
  });
  expect_refused("the index before", client_errc::receipt_invalid);
  // The hub's genuine proof, but of the entry before, under the same checkpoint.
  rewrite_receipt_proofs([this](json::object& o) {
    const auto index = o.at("record_index").to_number<std::uint64_t>();
    const std::string text(o.at("checkpoint").as_string());
    const auto size = note::parse_checkpoint_text(text.substr(0, text.find("\n\n") + 1))->size;
    o["proof"] = real_hub_json("/v1/log/record/proof/inclusion?index=" + std::to_string(index - 1) +
                               "&size=" + std::to_string(size))
                     .at("proof");
  });
  expect_refused("the proof of another leaf", client_errc::receipt_invalid);
  rewrite_receipt_proofs([](json::object& o) { o["proof"] = json::array{}; });
  expect_refused("no proof", client_errc::receipt_invalid);
}

TEST_F(LoggedReceiptTest, ACheckpointByAnotherKeyIsRefused) {
  resign_checkpoint([](note::Checkpoint&) {},
                    std::make_shared<const protocol::SigningKey>(protocol::SigningKey::generate()));
  expect_refused("a checkpoint signed by another key", client_errc::log_checkpoint_invalid);
}

TEST_F(LoggedReceiptTest, ACheckpointThatForksOrRollsBackTheHeldOneIsRefused) {
  const std::uint64_t held = held_record_size();
  ASSERT_GT(held, 2U);
  // Signed by the real key, for a tree the hub cannot show to extend the held one.
  resign_checkpoint([](note::Checkpoint& c) { c.root[0] ^= 0x01; });
  expect_refused("a checkpoint with another root", client_errc::log_fork);
  resign_checkpoint([held](note::Checkpoint& c) { c.size = held - 1; });
  expect_refused("a checkpoint smaller than the held one", client_errc::log_rollback);
  *post_tamper = nullptr;
  EXPECT_TRUE(device->send(consultation())) << "the honest hub passes again";
  EXPECT_GT(check_kept_receipt(kept_receipt_bytes(), *device->trust().hub_key()).checkpoint.size,
            held);
}

}  // namespace
}  // namespace draaischijf::testing
