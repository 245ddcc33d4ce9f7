#pragma once

// A hub that lies, for the tests: a stand-in between the client library and the real hub
// process that lets a test rewrite each answer and records what reached the hub, and the
// fixture every tampering test starts from (a CLB device with a consent registered, the CAW
// intake mailbox and the CLB's own onthaal mailbox read before any tampering).

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/consent_registry.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope_batch.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "hub_process.hpp"
#include "test_consent.hpp"

namespace draaischijf::testing {

namespace json = boost::json;
using client::Client;
using client::client_errc;
using client::DownloadSink;
using client::HubReply;
using client::UploadSource;
using protocol::Id;
namespace fs = std::filesystem;

// Forwards to the real hub and lets the test rewrite each answer (GETs through `tamper`, POSTs
// through `post_tamper`, blob uploads through `put_tamper`); records what passed.
class TamperingHub final : public client::HubTransport {
 public:
  using Tamper = std::function<void(std::string_view target, HubReply& reply)>;
  TamperingHub(client::HubConnection real, std::shared_ptr<Tamper> tamper,
               std::shared_ptr<std::vector<std::string>> posted)
      : real_(std::move(real)), tamper_(std::move(tamper)), posted_(std::move(posted)) {}

  protocol::Result<HubReply> get(std::string_view target) override {
    if (asked) {
      asked->emplace_back(target);
    }
    if (*tamper_ && target.find("/envelopes?") != std::string_view::npos) {
      return batch_from_single_fetches(target);
    }
    auto reply = real_.get(target);
    if (reply && *tamper_) {
      (*tamper_)(target, *reply);
    }
    return reply;
  }
  protocol::Result<HubReply> post(std::string_view target, std::span<const std::uint8_t> body,
                                  std::string_view content_type) override {
    if (post_tamper && *post_tamper && target.ends_with("/acks")) {
      return acks_from_single_acknowledgements(target, body);
    }
    posted_->emplace_back(target);
    auto reply = real_.post(target, body, content_type);
    if (reply && post_tamper && *post_tamper) {
      (*post_tamper)(target, *reply);
    }
    return reply;
  }
  protocol::Result<HubReply> put(std::string_view target, UploadSource& body,
                                 std::string_view content_type) override {
    posted_->emplace_back(target);
    auto reply = real_.put(target, body, content_type);
    if (reply && put_tamper && *put_tamper) {
      (*put_tamper)(target, *reply);
    }
    return reply;
  }
  // A blob comes down whole into memory (test blobs are small), is changed, then handed on.
  protocol::Result<HubReply> get_into(std::string_view target, DownloadSink& sink) override {
    if (!blob_tamper || !*blob_tamper) {
      return real_.get_into(target, sink);
    }
    struct Memory final : DownloadSink {
      std::vector<std::uint8_t> bytes;
      protocol::Result<void> rewind() override {
        bytes.clear();
        return {};
      }
      protocol::Result<void> write(std::span<const std::uint8_t> more) override {
        bytes.insert(bytes.end(), more.begin(), more.end());
        return {};
      }
    } memory;
    auto reply = real_.get_into(target, memory);
    if (reply && reply->ok()) {
      (*blob_tamper)(memory.bytes);
      if (auto written = sink.write(memory.bytes); !written) {
        return written.error();
      }
    }
    return reply;
  }

  protocol::Result<std::unique_ptr<client::HubNotifications>> listen() override {
    return real_.listen();
  }

  std::shared_ptr<std::function<void(std::vector<std::uint8_t>&)>> blob_tamper;
  std::shared_ptr<std::vector<std::string>> asked;  // every GET's target, when set
  std::shared_ptr<Tamper> post_tamper;              // the answers to submissions and other changes
  std::shared_ptr<Tamper> put_tamper;               // the answers to blob uploads

 private:
  // A test writes its lies against the single routes (a fetch, an acknowledgement). While it
  // does, a page's batch (docs/PROTOCOL.md 7.21) is made here from the listing and the
  // envelopes fetched one by one through those lies, and a batch acknowledgement is sent as
  // single ones: the lies reach the client's batch path as they would have reached it alone.
  static std::string query_value(std::string_view target, std::string_view key) {
    const auto at = target.find(std::string(key) + "=");
    if (at == std::string_view::npos) {
      return {};
    }
    const auto value = target.substr(at + key.size() + 1);
    return std::string(value.substr(0, value.find('&')));
  }
  protocol::Result<HubReply> batch_from_single_fetches(std::string_view target) {
    const std::string mailbox(target.substr(0, target.find("/envelopes?")));
    auto listing = get(mailbox + "/messages?after=" + query_value(target, "after") + "&limit=1000");
    if (!listing || !listing->ok()) {
      return listing;
    }
    const auto limit = std::stoul(query_value(target, "limit"));
    std::vector<std::uint8_t> batch;
    std::size_t framed = 0;
    const auto listed = json::parse(listing->body);
    for (const auto& entry : listed.at("messages").as_array()) {
      const auto state = entry.at("state").as_string();
      if (framed == limit || state == "withdrawn" || state == "expired") {
        continue;
      }
      const auto sequence = entry.at("sequence").to_number<std::int64_t>();
      auto one = get(mailbox + "/messages/" + std::to_string(sequence));
      if (!one || !one->ok()) {
        return one;
      }
      protocol::append_envelope_frame(
          batch, sequence,
          {reinterpret_cast<const std::uint8_t*>(one->body.data()), one->body.size()});
      ++framed;
    }
    return HubReply{200, std::string(protocol::kEnvelopeBatchType),
                    std::string(batch.begin(), batch.end()), 0};
  }
  protocol::Result<HubReply> acks_from_single_acknowledgements(std::string_view target,
                                                               std::span<const std::uint8_t> body) {
    const std::string mailbox(target.substr(0, target.size() - std::string_view("/acks").size()));
    const auto sequences =
        json::parse(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()))
            .at("sequences")
            .as_array();
    json::array acknowledged;
    json::array refused;
    for (const auto& sequence : sequences) {
      const auto one = post(mailbox + "/messages/" + std::to_string(sequence.as_int64()) + "/ack",
                            {}, "application/json");
      if (!one) {
        return one;
      }
      if (one->ok()) {
        acknowledged.push_back({{"sequence", sequence}, {"state", "delivered"}});
      } else {
        boost::system::error_code ec;
        const auto problem = json::parse(one->body, ec);
        const auto* type =
            !ec && problem.is_object() ? problem.as_object().if_contains("type") : nullptr;
        refused.push_back({{"sequence", sequence},
                           {"type", type != nullptr ? *type : json::value("")},
                           {"status", one->status}});
      }
    }
    return HubReply{200, "application/json",
                    json::serialize(json::object{{"acknowledged", std::move(acknowledged)},
                                                 {"refused", std::move(refused)}}),
                    0};
  }

  client::HubConnection real_;
  std::shared_ptr<Tamper> tamper_;
  std::shared_ptr<std::vector<std::string>> posted_;
};

// A text the school's device sends a CLB's onthaal mailbox: a consultation about learning,
// which needs no consent (R34).
inline client::Composition school_note_to(const Id& onthaal, std::string_view text) {
  client::Composition letter;
  letter.kind = protocol::MessageKind::consultatie;
  letter.recipients = {onthaal};
  letter.pupil = "leerling-van-de-school";
  protocol::Fragment fragment;
  fragment.category = protocol::DataCategory::leren_en_studeren;
  fragment.media_type = "text/plain";
  fragment.body = protocol::SecretBytes::copy_of(view_of(text));
  letter.fragments.push_back(std::move(fragment));
  return letter;
}

// Whether `target` submits an envelope (the client asks for a version 3 receipt with a query,
// docs/PROTOCOL.md 8.4).
inline bool is_envelope_submission(std::string_view target) {
  return target == "/v1/envelopes" || target.starts_with("/v1/envelopes?");
}

// Rewrites one JSON field of an answer.
inline void rewrite(HubReply& reply, const std::function<void(json::object&)>& change) {
  auto value = json::parse(reply.body);
  change(value.as_object());
  reply.body = json::serialize(value);
}

inline std::vector<std::uint8_t> b64(const json::object& o, std::string_view key) {
  return protocol::base64_decode(std::string(o.at(key).as_string())).value();
}

// A version 3 receipt as the local state keeps it with a send (the JSON object of the hub's
// answer: receipt, record_index, record_row_hash, checkpoint, proof), checked as an auditor would
// with the hub key alone: the checkpoint is the hub's and the receipt's entry is in its tree.
struct KeptReceipt {
  protocol::Receipt receipt;
  std::uint64_t record_index = 0;
  protocol::note::Checkpoint checkpoint;
  bool proved = false;
};
inline KeptReceipt check_kept_receipt(std::span<const std::uint8_t> kept,
                                      const protocol::SigningPublicKey& hub_key) {
  KeptReceipt out;
  const auto o =
      json::parse(std::string_view(reinterpret_cast<const char*>(kept.data()), kept.size()))
          .as_object();
  out.receipt = protocol::parse_receipt(b64(o, "receipt")).value();
  out.record_index = o.at("record_index").to_number<std::uint64_t>();
  const protocol::KeyId id = protocol::key_id_of(hub_key);
  const std::string origin =
      "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/record";
  const protocol::note::VerifierKey log_key{origin, protocol::note::kEd25519, hub_key};
  const auto opened =
      protocol::note::open_checkpoint(std::string(o.at("checkpoint").as_string()), log_key, origin);
  if (!opened) {
    return out;
  }
  out.checkpoint = opened->checkpoint;
  std::vector<protocol::merkle::Hash> proof;
  for (const auto& item : o.at("proof").as_array()) {
    const auto bytes = protocol::base64_decode(std::string(item.as_string())).value();
    std::copy_n(bytes.begin(), std::min<std::size_t>(bytes.size(), 32),
                proof.emplace_back().begin());
  }
  protocol::Hash256 row_hash{};
  const auto row = protocol::hex_decode(std::string(o.at("record_row_hash").as_string())).value();
  std::copy_n(row.begin(), std::min<std::size_t>(row.size(), 32), row_hash.begin());
  out.proved =
      protocol::check_logged(out.receipt, row_hash, out.record_index, out.checkpoint, proof)
          .has_value();
  return out;
}

// The organisation key the development deployment keeps for `slug` ("clb", "caw", ...), as a
// thief of the key, or a rogue admin, would hold it.
inline protocol::SigningKey dev_organisation_key(const std::filesystem::path& pki,
                                                 const std::string& slug) {
  std::ifstream in(pki / slug / "organisation.keys");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("signing_seed ")) {
      const auto seed = protocol::hex_decode(line.substr(13)).value();
      return protocol::SigningKey::from_seed(
          protocol::SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed.data(), 32)));
    }
  }
  ADD_FAILURE() << "no signing_seed in " << slug << "'s organisation.keys";
  return protocol::SigningKey::generate();
}
// A directory log as a hub that splits its view shows one client: the real log's first entries,
// then entries of its own, each checkpoint signed with the hub's key and every proof that view
// needs (consistency, inclusion by hash or index, entries) computed from it. Targets beyond the
// view are left to the real hub, as a lying hub that cannot do better would.
class SplitView {
 public:
  // The first `size` entries of the real directory log, read through `real`.
  SplitView(client::HubConnection& real, std::uint64_t size,
            std::shared_ptr<const protocol::SigningKey> key)
      : key_(std::move(key)) {
    for (std::uint64_t i = 0; i < size; ++i) {
      const auto reply = real.get("/v1/log/directory/entries/" + std::to_string(i));
      EXPECT_TRUE(reply && reply->ok()) << "entry " << i;
      append(b64(json::parse(reply.value().body).as_object(), "entry"));
    }
    const auto served = real.get("/v1/log/directory/checkpoint");
    const auto text = protocol::note::parse(served.value().body).value().text;
    origin_ = protocol::note::parse_checkpoint_text(text).value().origin;
  }

  void append(std::vector<std::uint8_t> entry) {
    tree_.append(protocol::merkle::leaf_hash(entry));
    entries_.push_back(std::move(entry));
  }
  [[nodiscard]] std::uint64_t size() const { return tree_.size(); }
  [[nodiscard]] std::string checkpoint() const {
    const auto root = protocol::merkle::tree_head(tree_, size()).value();
    return protocol::note::sign_checkpoint(*key_, {origin_, size(), root, {}});
  }

  // Answers `target` from this view; false for what the view does not cover.
  bool answer(std::string_view target, HubReply& reply) const {
    const std::string_view prefix = "/v1/log/directory/";
    if (!target.starts_with(prefix)) {
      return false;
    }
    const std::string_view route = target.substr(prefix.size());
    if (route == "checkpoint") {
      reply = {200, "text/plain; charset=utf-8", checkpoint(), 0};
      return true;
    }
    if (route.starts_with("entries/")) {
      const auto index = std::stoull(std::string(route.substr(8)));
      if (index >= size()) {
        return false;
      }
      json_answer(reply, {{"index", index}, {"entry", protocol::base64_encode(entries_[index])}});
      return true;
    }
    const auto size_asked = query(route, "size");
    if (route.starts_with("proof/consistency?")) {
      const auto from = query(route, "from");
      const auto to = query(route, "to");
      if (to != size() || from == 0 || from > to) {
        return false;
      }
      json_answer(reply, {{"proof", hashes(protocol::merkle::consistency_proof(tree_, from, to))}});
      return true;
    }
    if (size_asked == 0 || size_asked > size()) {
      return false;
    }
    if (route.starts_with("proof/inclusion?")) {
      const auto index = query(route, "index");
      json_answer(reply,
                  {{"proof", hashes(protocol::merkle::inclusion_proof(tree_, index, size_asked))}});
      return true;
    }
    if (route.starts_with("proof/by-hash?")) {
      const auto leaf = protocol::hex_decode(query_text(route, "hash")).value();
      for (std::uint64_t i = 0; i < size_asked; ++i) {
        if (std::ranges::equal(protocol::merkle::leaf_hash(entries_[i]), leaf)) {
          json_answer(reply,
                      {{"index", i},
                       {"size", size_asked},
                       {"proof", hashes(protocol::merkle::inclusion_proof(tree_, i, size_asked))}});
          return true;
        }
      }
      reply = {404, "application/problem+json", R"({"status":404,"title":"not found"})", 0};
      return true;
    }
    return false;
  }

 private:
  static std::string query_text(std::string_view route, std::string_view key) {
    const std::string needle = std::string(key) + "=";
    for (std::size_t at = route.find('?'); at != std::string_view::npos;
         at = route.find('&', at + 1)) {
      if (route.substr(at + 1).starts_with(needle)) {
        const auto value = route.substr(at + 1 + needle.size());
        return std::string(value.substr(0, value.find('&')));
      }
    }
    return {};
  }
  static std::uint64_t query(std::string_view route, std::string_view key) {
    const auto text = query_text(route, key);
    return text.empty() ? 0 : std::stoull(text);
  }
  static json::array hashes(const protocol::Result<std::vector<protocol::merkle::Hash>>& proof) {
    json::array out;
    for (const auto& h : proof.value()) {
      out.emplace_back(protocol::base64_encode(h));
    }
    return out;
  }
  static void json_answer(HubReply& reply, const json::object& body) {
    reply = {200, "application/json", json::serialize(body), 0};
  }

  std::shared_ptr<const protocol::SigningKey> key_;
  std::string origin_;
  protocol::merkle::MemoryTree tree_;
  std::vector<std::vector<std::uint8_t>> entries_;
};

class TamperingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pki = dir.path() / "data" / "dev-pki";
    const auto key_file = dir.path() / "clb.key";
    ASSERT_TRUE(client::create_key_file(key_file));
    unlock = client::Unlock::with_key_file(key_file).value();
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    ASSERT_TRUE(client::import_dev_device(pki / "clb", dir.path() / "clb", settings, unlock));
    TlsClient clb(hub.port(), pki / "root.pem", pki / "clb" / "device.pem",
                  pki / "clb" / "device.key");
    profile = client::Profile::open(dir.path() / "clb").value();
    auto connection = client::HubConnection::open(settings.hub, profile->tls());
    ASSERT_TRUE(connection) << connection.error().message();
    auto secrets = client::open_key_store(profile->key_store(), unlock).value();
    auto stand_in = std::make_unique<TamperingHub>(std::move(*connection), tamper, posted);
    stand_in->asked = asked;
    stand_in->blob_tamper = blob_tamper;
    stand_in->post_tamper = post_tamper;
    stand_in->put_tamper = put_tamper;
    auto opened = Client::open_with(*profile, std::move(secrets), std::move(stand_in));
    ASSERT_TRUE(opened) << opened.error().message();
    device.emplace(std::move(*opened));
    // Under the pseudonym the CLB's client derives with its organisation's pupil key.
    consent = register_pupil_consent(
        clb, device->consent_registry().pseudonym_of(kTestPupilReference).value());
    // The CAW intake mailbox and the CLB's own onthaal mailbox, read before any tampering.
    for (const auto& organisation : device->trust().organisations()) {
      auto mailboxes = device->mailboxes(organisation.org_id).value();
      if (organisation.name.find("CAW") != std::string::npos) {
        intake = mailboxes.at(0).mailbox_id;
        caw = organisation.org_id;
      }
      if (organisation.org_id == device->device().org_id) {
        onthaal = mailboxes.at(0).mailbox_id;
      }
    }
  }

  // A text the school's device sends the CLB's onthaal mailbox (R34 without consent).
  client::Composition school_note(std::string_view text) const {
    return school_note_to(onthaal, text);
  }

  // A one-fragment letter to the CAW intake.
  client::Composition letter_to_intake(protocol::MessageKind kind, protocol::DataCategory category,
                                       std::string_view text) const {
    client::Composition letter;
    letter.kind = kind;
    letter.recipients = {intake};
    letter.consent_reference = consent;
    letter.pupil = std::string(kTestPupilReference);
    protocol::Fragment fragment;
    fragment.category = category;
    fragment.media_type = "text/plain";
    fragment.body = protocol::SecretBytes::copy_of(view_of(text));
    letter.fragments.push_back(std::move(fragment));
    return letter;
  }

  // The hub's own signing key, as a lying hub holds it (the key the client pins).
  [[nodiscard]] std::shared_ptr<const protocol::SigningKey> hub_signing_key() const {
    const auto seed = read_file(dir.path() / "data" / "hub-signing.key");
    if (seed.size() != 32) {
      ADD_FAILURE() << "the hub's signing key is not a 32-byte seed";
      return std::make_shared<const protocol::SigningKey>(protocol::SigningKey::generate());
    }
    return std::make_shared<const protocol::SigningKey>(protocol::SigningKey::from_seed(
        protocol::SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(seed.data(), 32))));
  }

  // From now on every receipt the hub hands out for a submission is changed by `change` and
  // signed again with `key` (a version 2 one), or handed out changed with the proof of the
  // original (a version 3 one: a receipt that is not in the log).
  void resign_receipts(std::shared_ptr<const protocol::SigningKey> key,
                       std::function<void(protocol::Receipt&)> change) {
    *post_tamper = [key, change](std::string_view target, HubReply& reply) {
      if (!is_envelope_submission(target) || !reply.ok()) {
        return;
      }
      rewrite(reply, [&](json::object& o) {
        auto r = protocol::parse_receipt(b64(o, "receipt")).value();
        change(r);
        if (r.version == protocol::kLoggedReceiptVersion) {
          o["receipt"] = protocol::base64_encode(protocol::encode(r));
          return;
        }
        const auto forged = protocol::sign_receipt(r.message_id, r.envelope_hash, r.received_at_ms,
                                                   r.sequence, r.decided, *key);
        ASSERT_TRUE(forged) << forged.error().message();
        o["receipt"] = protocol::base64_encode(protocol::encode(*forged));
      });
    };
  }

  // From now on every version 3 answer to a submission is changed by `change` (its index, row
  // hash, checkpoint or proof).
  void rewrite_receipt_proofs(std::function<void(json::object&)> change) {
    *post_tamper = [change](std::string_view target, HubReply& reply) {
      if (!is_envelope_submission(target) || !reply.ok()) {
        return;
      }
      rewrite(reply, [&](json::object& o) {
        ASSERT_TRUE(o.contains("record_index")) << "not a version 3 answer";
        change(o);
      });
    };
  }

  // Sending must be refused as tampering, with nothing submitted to the hub.
  void expect_send_refused(const std::string& what) {
    posted->clear();
    const auto sent =
        device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                      protocol::DataCategory::psychisch_sociaal, "vertrouwelijk"));
    ASSERT_FALSE(sent) << what << " went unnoticed";
    EXPECT_EQ(sent.error(), make_error_code(client_errc::directory_tampered)) << what;
    EXPECT_TRUE(std::none_of(posted->begin(), posted->end(),
                             [](const std::string& t) { return is_envelope_submission(t); }))
        << what << ": an envelope reached the hub";
  }

  TempDir dir;
  HubProcess hub{dir.path(), "[server]\nlisten_port = 0\ndata_dir = \"" +
                                 (dir.path() / "data").string() + "\"\n"};
  client::Unlock unlock;
  std::optional<client::Profile> profile;
  std::shared_ptr<TamperingHub::Tamper> tamper = std::make_shared<TamperingHub::Tamper>();
  std::shared_ptr<std::vector<std::string>> posted = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::vector<std::string>> asked = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::function<void(std::vector<std::uint8_t>&)>> blob_tamper =
      std::make_shared<std::function<void(std::vector<std::uint8_t>&)>>();
  std::shared_ptr<TamperingHub::Tamper> post_tamper = std::make_shared<TamperingHub::Tamper>();
  std::shared_ptr<TamperingHub::Tamper> put_tamper = std::make_shared<TamperingHub::Tamper>();
  std::optional<Client> device;
  Id intake{};
  Id onthaal{};
  Id caw{};
  Id consent{};

  // The school's staff device, as a client of the real hub (no tampering in between).
  Client open_school() { return open_direct("school"); }

  // The staff device of the development deployment's `organisation` ("school", "caw"), as a
  // client of the real hub; its profile is made on the first call.
  Client open_direct(const std::string& organisation) {
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    if (!fs::exists(dir.path() / organisation)) {
      EXPECT_TRUE(client::import_dev_device(dir.path() / "data" / "dev-pki" / organisation,
                                            dir.path() / organisation, settings, unlock));
    }
    return Client::open(client::Profile::open(dir.path() / organisation).value(), unlock).value();
  }

  // The organisation's admin (it holds the organisation key) rotates a mailbox: one more entry
  // in the directory log. By default the CLB's admin, its onthaal.
  void grow_the_log(const std::string& organisation = "clb", std::optional<Id> mailbox = {}) {
    const auto pki = dir.path() / "data" / "dev-pki";
    const auto admin_profile = dir.path() / (organisation + "-admin");
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    if (!fs::exists(admin_profile)) {
      ASSERT_TRUE(
          client::import_dev_device(pki / organisation / "admin", admin_profile, settings, unlock));
    }
    auto admin = Client::open(client::Profile::open(admin_profile).value(), unlock).value();
    const auto rotated = admin.rotate(mailbox.value_or(onthaal));
    ASSERT_TRUE(rotated) << rotated.error().message();
  }

  // The school sends the CLB's onthaal mailbox `file` as an attachment (R34: a consultation
  // about learning, which needs no consent).
  static client::Composition file_to_onthaal(const fs::path& file, const Id& onthaal_mailbox,
                                             std::string file_name = {}) {
    client::Composition letter;
    letter.kind = protocol::MessageKind::consultatie;
    letter.recipients = {onthaal_mailbox};
    letter.pupil = "leerling-van-de-school";
    letter.attachments.push_back(
        {protocol::DataCategory::leren_en_studeren, file, "application/pdf", std::move(file_name)});
    return letter;
  }
  static client::SendResult send_file_to_onthaal(Client& school, const fs::path& file,
                                                 const Id& onthaal_mailbox) {
    auto sent = school.send(file_to_onthaal(file, onthaal_mailbox));
    EXPECT_TRUE(sent) << sent.error().message();
    return sent ? *sent : client::SendResult{};
  }
};

}  // namespace draaischijf::testing
