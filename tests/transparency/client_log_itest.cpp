// The client's checks on the hub's transparency logs (docs/TRANSPARENCY.md), against the real hub
// process behind the lying stand-in (integration/tampering_hub.hpp): the latest checkpoint kept
// in the local state and moved on only by a consistency proof (a rollback, a fork or a foreign
// signature refused, the stored checkpoint unchanged), organisation keys and epoch certificates
// used only when the directory log holds them, and verified inclusions remembered so that a
// steady-state send adds no request.

#include <algorithm>
#include <fstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/transparency.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>

#include "held_checkpoint.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using client::LogCheckpoint;
using client::Transparency;

constexpr std::string_view kCheckpoint = "/v1/log/directory/checkpoint";

class ClientLogTest : public TamperingTest {
 protected:
  // The directory log's checkpoint as the device's local state holds it.
  [[nodiscard]] std::optional<HeldCheckpoint> stored_checkpoint() const {
    return held_checkpoint(profile->state_file());
  }

  Transparency logs() { return Transparency(device->session()); }

  // Every GET target from now on, and the checkpoint notes served, in order.
  void record_requests() {
    *tamper = [this](std::string_view target, HubReply& reply) {
      requested.emplace_back(target);
      if (target == kCheckpoint) {
        notes.push_back(reply.body);
      }
    };
  }

  // From now on the hub serves `note` as the directory log's checkpoint.
  void serve_checkpoint(std::string note) {
    *tamper = [this, note](std::string_view target, HubReply& reply) {
      requested.emplace_back(target);
      if (target == kCheckpoint) {
        reply.body = note;
      }
    };
  }

  // A checkpoint of the directory log signed with the hub's own key (a hub that lies holds it).
  std::string signed_by_hub(std::uint64_t size, const protocol::merkle::Hash& root) const {
    const auto current = protocol::note::parse(notes.back()).value();
    const auto origin = protocol::note::parse_checkpoint_text(current.text).value().origin;
    return protocol::note::sign_checkpoint(*hub_signing_key(), {origin, size, root, {}});
  }

  [[nodiscard]] std::size_t log_requests() const {
    return static_cast<std::size_t>(
        std::count_if(requested.begin(), requested.end(),
                      [](const std::string& t) { return t.starts_with("/v1/log/"); }));
  }
  // The requests a version 3 receipt makes (docs/PROTOCOL.md 8.4): the consistency proof from
  // the record-log checkpoint held to the one the receipt's answer carries.
  [[nodiscard]] std::size_t receipt_requests() const {
    return static_cast<std::size_t>(std::count_if(
        requested.begin(), requested.end(),
        [](const std::string& t) { return t.starts_with("/v1/log/record/proof/consistency?"); }));
  }

  std::vector<std::string> requested;
  std::vector<std::string> notes;
};

TEST_F(ClientLogTest, TheFirstCheckpointIsKeptAndANewerOneIsTakenOnlyWithItsConsistencyProof) {
  // The fixture's directory reads already took the first checkpoint (trust on first use).
  const auto first = stored_checkpoint();
  ASSERT_TRUE(first);
  EXPECT_GT(first->size, 0U);

  grow_the_log();
  record_requests();
  const auto refreshed = logs().refresh("directory");
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_EQ(refreshed->size, first->size + 1);
  EXPECT_NE(std::find(requested.begin(), requested.end(),
                      "/v1/log/directory/proof/consistency?from=" + std::to_string(first->size) +
                          "&to=" + std::to_string(first->size + 1)),
            requested.end())
      << "a newer checkpoint was taken without its consistency proof";
  const auto now = stored_checkpoint();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->size, first->size + 1);
  EXPECT_EQ(now->root, std::vector<std::uint8_t>(refreshed->root.begin(), refreshed->root.end()));
}

TEST_F(ClientLogTest, ARolledBackCheckpointIsRefusedAndTheStoredOneStays) {
  record_requests();
  ASSERT_TRUE(logs().refresh("directory"));
  const std::string older = notes.back();  // genuine, signed by the hub, smaller
  grow_the_log();
  ASSERT_TRUE(logs().refresh("directory"));
  const auto kept = stored_checkpoint();

  serve_checkpoint(older);
  const auto refreshed = logs().refresh("directory");
  ASSERT_FALSE(refreshed) << "a rolled-back log was accepted";
  EXPECT_EQ(refreshed.error(), make_error_code(client_errc::log_rollback));
  EXPECT_EQ(stored_checkpoint(), kept);

  // Asked again, it refuses again: the stored checkpoint decides, not what the session saw.
  ASSERT_TRUE(kept);
  EXPECT_EQ(logs().refresh("directory").error(), make_error_code(client_errc::log_rollback));
}

TEST_F(ClientLogTest, AForkedCheckpointIsRefusedAndTheStoredOneStays) {
  record_requests();
  const auto held = logs().refresh("directory");
  ASSERT_TRUE(held);
  const auto kept = stored_checkpoint();
  protocol::merkle::Hash other = held->root;
  other[0] ^= 1U;

  // The same size with another root, signed with the real hub key.
  serve_checkpoint(signed_by_hub(held->size, other));
  auto refreshed = logs().refresh("directory");
  ASSERT_FALSE(refreshed) << "a fork at the same size was accepted";
  EXPECT_EQ(refreshed.error(), make_error_code(client_errc::log_fork));
  EXPECT_EQ(stored_checkpoint(), kept);

  // A larger tree that does not extend the one held: the hub's own consistency proof (of its
  // real tree) does not lead to the forked root.
  grow_the_log();
  serve_checkpoint(signed_by_hub(held->size + 1, other));
  refreshed = logs().refresh("directory");
  ASSERT_FALSE(refreshed) << "a forked larger tree was accepted";
  EXPECT_EQ(refreshed.error(), make_error_code(client_errc::log_fork));
  EXPECT_EQ(stored_checkpoint(), kept);
}

TEST_F(ClientLogTest, ACheckpointNotSignedByThePinnedHubKeyIsRefused) {
  record_requests();
  const auto held = logs().refresh("directory");
  ASSERT_TRUE(held);
  const auto kept = stored_checkpoint();
  grow_the_log();
  const auto other_key = protocol::SigningKey::generate();
  serve_checkpoint(
      protocol::note::sign_checkpoint(other_key, {held->origin, held->size + 1, held->root, {}}));
  const auto refreshed = logs().refresh("directory");
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error(), make_error_code(client_errc::log_checkpoint_invalid));
  EXPECT_EQ(stored_checkpoint(), kept);
}

// An epoch certificate the CAW's organisation key really signed (a stolen key, a rogue admin)
// but that the hub never logged: it verifies against the pinned key, so only the log stops the
// school's letter being sealed to a mailbox key someone else chose.
// A device whose profile lists a witness and a quorum of 1 takes no checkpoint the witness did not
// cosign and keeps the one it had; with the witness's cosignature on the very checkpoint the hub
// serves, it does. (What counts as a valid cosignature is tested in witness_quorum_test.cpp.)
TEST_F(ClientLogTest, ADeviceThatDemandsAWitnessTakesNoCheckpointWithoutItsCosignature) {
  namespace note = protocol::note;
  const auto witness_key = protocol::SigningKey::generate();
  const note::VerifierKey witness{"witness.test/w1", note::kCosignatureV1,
                                  witness_key.public_key()};
  const auto kept = stored_checkpoint();
  grow_the_log();
  std::ofstream(profile->witnesses_file())
      << "witness " << note::encode_vkey(witness) << "\nquorum 1\n";
  const auto bare = logs().refresh("directory");
  ASSERT_FALSE(bare) << "an uncosigned checkpoint was accepted";
  EXPECT_EQ(bare.error(), make_error_code(protocol::tlog_errc::witness_quorum_not_met));
  EXPECT_EQ(stored_checkpoint(), kept);

  // The stand-in adds the witness's cosignature to what the hub really serves.
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target != kCheckpoint) {
      return;
    }
    auto served = note::parse(reply.body).value();
    constexpr std::uint64_t kAt = 1796601600;  // any time: the client does not judge it
    const auto signature = note::cosign(witness_key, witness.name, served.text, kAt);
    served.signatures.push_back(signature);
    reply.body = note::encode(served);
  };
  const auto cosigned = logs().refresh("directory");
  ASSERT_TRUE(cosigned) << cosigned.error().message();
  ASSERT_TRUE(stored_checkpoint().has_value());
  EXPECT_EQ(stored_checkpoint()->size, cosigned->size);
  EXPECT_NE(stored_checkpoint(), kept);
}

TEST_F(ClientLogTest, AnEpochSignedByTheOrganisationButNotInTheLogIsNotSealedTo) {
  const auto key = dev_organisation_key(dir.path() / "data" / "dev-pki", "caw");
  const std::string target = "/v1/mailboxes/" + protocol::to_hex(intake);
  const auto attacker = protocol::age::X25519Identity::generate();
  *tamper = [&](std::string_view t, HubReply& reply) {
    requested.emplace_back(t);
    if (t != target) {
      return;
    }
    rewrite(reply, [&](json::object& o) {
      auto certificate = protocol::parse_epoch_certificate(b64(o, "certificate")).value();
      certificate.mailbox_key = attacker.public_key();
      o["certificate"] =
          protocol::base64_encode(protocol::encode(protocol::issue(certificate, key)));
    });
  };
  posted->clear();
  const auto sent = device->send(letter_to_intake(
      protocol::MessageKind::doorverwijzing, protocol::DataCategory::psychisch_sociaal, "geheim"));
  ASSERT_FALSE(sent) << "sealed to an epoch the directory log does not hold";
  EXPECT_EQ(sent.error(), make_error_code(client_errc::not_in_log)) << sent.error().message();
  EXPECT_TRUE(std::none_of(posted->begin(), posted->end(),
                           [](const std::string& t) { return is_envelope_submission(t); }));
  EXPECT_NE(std::find_if(requested.begin(), requested.end(),
                         [](const std::string& t) {
                           return t.starts_with("/v1/log/directory/proof/by-hash");
                         }),
            requested.end());
}

// The hub swaps the CAW's key and a person, told the new fingerprint by whoever set this up,
// asks to pin it: a key the directory log does not hold is not pinned.
TEST_F(ClientLogTest, AnOrganisationKeyTheLogDoesNotHoldIsNotPinned) {
  const auto swapped = protocol::SigningKey::generate();
  const std::string target = "/v1/organisations/" + protocol::to_hex(caw);
  *tamper = [&](std::string_view t, HubReply& reply) {
    if (t == target) {
      rewrite(reply, [&](json::object& o) {
        o["signing_key"] = protocol::base64_encode(swapped.public_key());
      });
    }
  };
  const auto before = device->trust().find(caw)->key;
  const auto pinned = device->directory().pin_organisation(
      caw, client::fingerprint(swapped.public_key()), client::PinMode::replace_existing);
  ASSERT_FALSE(pinned) << "a key the log does not hold was pinned";
  EXPECT_EQ(pinned.error(), make_error_code(client_errc::not_in_log));
  EXPECT_EQ(device->trust().find(caw)->key, before);
  const auto file = read_file(profile->trust_file());
  const auto on_disk = client::TrustFile::parse(std::string(file.begin(), file.end())).value();
  EXPECT_EQ(on_disk.find(caw)->key, before);
}

// A new epoch (the onthaal rotated) whose inclusion proof the hub alters, or whose index it
// misstates: the proof does not lead to the accepted checkpoint's root, so it is not used.
TEST_F(ClientLogTest, AnInclusionProofThatDoesNotVerifyIsRefused) {
  grow_the_log();
  for (const bool flip_hash : {true, false}) {
    *tamper = [flip_hash](std::string_view t, HubReply& reply) {
      if (!t.starts_with("/v1/log/directory/proof/by-hash") || !reply.ok()) {
        return;
      }
      rewrite(reply, [&](json::object& o) {
        if (flip_hash) {
          auto proof = o.at("proof").as_array();
          auto first = protocol::base64_decode(std::string(proof.at(0).as_string())).value();
          first[5] ^= 0x40U;
          proof.at(0) = protocol::base64_encode(first);
          o["proof"] = proof;
        } else {
          o["index"] = o.at("index").to_number<std::uint64_t>() ^ 1U;
        }
      });
    };
    const auto mailboxes = device->mailboxes(device->device().org_id);
    ASSERT_FALSE(mailboxes) << (flip_hash ? "an altered proof" : "another index") << " passed";
    EXPECT_EQ(mailboxes.error(), make_error_code(client_errc::not_in_log));
  }
  *tamper = nullptr;
  EXPECT_TRUE(device->mailboxes(device->device().org_id)) << "the honest proof must pass";
}

// What was proved once is remembered (in the local state): the second send, and a send by a
// client opened afresh on the same profile (the next CLI run), make no request to the logs but
// the one its version 3 receipt needs (the record log's consistency proof to the receipt's
// checkpoint).
TEST_F(ClientLogTest, ASteadyStateSendAsksTheLogsOnlyForItsReceiptsConsistency) {
  // The CAW rotated its intake since the device last looked: the first send proves the new
  // epoch (a fresh checkpoint, its consistency proof, the epoch's inclusion proof).
  grow_the_log("caw", intake);
  record_requests();
  auto first = device->send(
      letter_to_intake(protocol::MessageKind::consultatie, protocol::DataCategory::contact, "een"));
  ASSERT_TRUE(first) << first.error().message();
  const auto first_requests = requested.size();
  const auto first_log = log_requests();
  EXPECT_GT(first_log, 0U) << "the new epoch was used without its inclusion proof";
  requested.clear();
  auto second = device->send(letter_to_intake(protocol::MessageKind::consultatie,
                                              protocol::DataCategory::contact, "twee"));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(receipt_requests(), 1U) << "the receipt's checkpoint was taken without its proof";
  EXPECT_EQ(log_requests(), receipt_requests()) << "the steady-state send asked the logs again";
  std::cout << "GET requests per send: " << first_requests << " (" << first_log
            << " to the logs) for the first after opening, " << requested.size()
            << " (1 to the logs, for the receipt) in steady state\n";

  // The next process: a fresh session on the same profile.
  device.reset();
  requested.clear();
  auto secrets = client::open_key_store(profile->key_store(), unlock).value();
  auto connection = client::HubConnection::open({"localhost", hub.port()}, profile->tls());
  ASSERT_TRUE(connection);
  device.emplace(
      Client::open_with(*profile, std::move(secrets),
                        std::make_unique<TamperingHub>(std::move(*connection), tamper, posted))
          .value());
  ASSERT_TRUE(device->send(letter_to_intake(protocol::MessageKind::consultatie,
                                            protocol::DataCategory::contact, "drie")));
  EXPECT_EQ(log_requests(), receipt_requests())
      << "a new session proved again what the profile had proved";
}

// The organisation admin's monitor (`draaischijf admin monitor`): every directory-log entry
// about its organisation, each proved in an accepted checkpoint; an epoch certificate that this
// profile did not make (here: made by a second copy of the organisation key, as a stolen key
// would be used) alerts until the admins acknowledge it; the position is kept between runs.
TEST_F(ClientLogTest, TheMonitorListsItsOrganisationsEntriesAndAlertsOnWhatItDidNotMake) {
  grow_the_log();  // makes the CLB admin's profile, and a first epoch of its own making
  auto admin =
      Client::open(client::Profile::open(dir.path() / "clb-admin").value(), unlock).value();
  Transparency monitor(admin.session());

  auto first = monitor.monitor();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->from, 0U);
  const auto org = admin.device().org_id;
  std::vector<std::uint64_t> alerting;
  bool own_key = false;
  bool own_rotation = false;
  for (const auto& e : first->entries) {
    if (e.kind == "organisation_key") {
      own_key = e.subject == org && !e.alert;
    } else if (e.alert) {
      alerting.push_back(e.index);  // the deployment's first epochs, made before this profile
    } else {
      own_rotation = e.subject == onthaal && e.epoch == 1;
    }
  }
  EXPECT_TRUE(own_key) << "the organisation's own key entry is listed and does not alert";
  EXPECT_TRUE(own_rotation) << "the rotation this profile signed is its own";
  ASSERT_FALSE(alerting.empty());
  EXPECT_EQ(first->alerts(), alerting.size());

  // Acknowledged, they no longer alert; nothing new: the next run replays nothing.
  ASSERT_TRUE(monitor.acknowledge(alerting));
  auto quiet = monitor.monitor();
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->from, first->checkpoint.size);
  EXPECT_TRUE(quiet->entries.empty());

  // The same key used elsewhere (a second device holding a copy of it) publishes an epoch.
  const auto pki = dir.path() / "data" / "dev-pki";
  client::ProfileSettings settings;
  settings.hub = {"localhost", hub.port()};
  ASSERT_TRUE(
      client::import_dev_device(pki / "clb" / "admin", dir.path() / "elsewhere", settings, unlock));
  auto elsewhere =
      Client::open(client::Profile::open(dir.path() / "elsewhere").value(), unlock).value();
  ASSERT_TRUE(elsewhere.rotate(onthaal));

  auto alert = monitor.monitor();
  ASSERT_TRUE(alert) << alert.error().message();
  ASSERT_EQ(alert->entries.size(), 1U);
  EXPECT_TRUE(alert->entries[0].alert) << "an epoch this profile did not make went unflagged";
  EXPECT_EQ(alert->entries[0].subject, onthaal);
  EXPECT_EQ(alert->entries[0].epoch, 2U);
  EXPECT_NE(alert->entries[0].reason.find("not made on this device"), std::string::npos);

  // The CAW's admin, monitoring its own organisation, sees none of the CLB's entries.
  grow_the_log("caw", intake);
  auto caw_admin =
      Client::open(client::Profile::open(dir.path() / "caw-admin").value(), unlock).value();
  auto caw_report = Transparency(caw_admin.session()).monitor();
  ASSERT_TRUE(caw_report);
  for (const auto& e : caw_report->entries) {
    EXPECT_NE(e.subject, onthaal);
    EXPECT_NE(e.subject, org);
  }
}

// The monitor proves every entry it replays: an entry the hub alters on the way (here an epoch
// certificate's bytes) is refused, and the position does not move.
TEST_F(ClientLogTest, TheMonitorRefusesAnEntryThatIsNotInTheCheckpoint) {
  grow_the_log();
  const auto admin_profile = client::Profile::open(dir.path() / "clb-admin").value();
  auto connection = client::HubConnection::open({"localhost", hub.port()}, admin_profile.tls());
  ASSERT_TRUE(connection);
  auto lying = std::make_shared<TamperingHub::Tamper>([](std::string_view target, HubReply& reply) {
    if (target.starts_with("/v1/log/directory/entries/") && reply.ok()) {
      rewrite(reply, [](json::object& o) {
        auto entry = b64(o, "entry");
        entry.back() ^= 1U;
        o["entry"] = protocol::base64_encode(entry);
      });
    }
  });
  auto admin = Client::open_with(
                   admin_profile, client::open_key_store(admin_profile.key_store(), unlock).value(),
                   std::make_unique<TamperingHub>(std::move(*connection), lying, posted))
                   .value();
  Transparency monitor(admin.session());
  const auto refused = monitor.monitor();
  ASSERT_FALSE(refused) << "an altered entry was replayed";
  EXPECT_EQ(refused.error(), make_error_code(client_errc::not_in_log));
  *lying = nullptr;
  const auto honest = monitor.monitor();
  ASSERT_TRUE(honest) << honest.error().message();
  EXPECT_EQ(honest->from, 0U) << "the refused replay moved the position";
}

}  // namespace
}  // namespace draaischijf::testing
