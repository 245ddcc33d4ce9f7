// The client against a hub that lies. A stand-in sits between the client library and the real
// hub process and rewrites the hub's answers: it swaps an organisation's key, re-keys a device,
// adds a member to an epoch, serves an unsigned or re-signed epoch, flips bits in certificates.
// Every tampering must be detected and refused before anything is sealed or used.

#include <algorithm>
#include <chrono>
#include <functional>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

TEST_F(TamperingTest, HonestHubPasses) {
  const auto sent = device->send(letter_to_intake(
      protocol::MessageKind::consultatie, protocol::DataCategory::contact, "graag overleg"));
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_TRUE(device->sync());
}

TEST_F(TamperingTest, ALongLivedClientFollowsARotationOfItsMailbox) {
  ASSERT_TRUE(device->sync());  // walks and caches the onthaal keys at epoch 0
  const auto pki = dir.path() / "data" / "dev-pki";
  client::ProfileSettings settings;
  settings.hub = {"localhost", hub.port()};
  ASSERT_TRUE(client::import_dev_device(pki / "clb/admin", dir.path() / "admin", settings, unlock));
  auto admin = Client::open(client::Profile::open(dir.path() / "admin").value(), unlock).value();
  ASSERT_EQ(admin.rotate(onthaal).value(), 1U);
  auto school = open_school();
  client::Composition signaal;
  signaal.recipients = {onthaal};
  signaal.pupil = "school-leerling-7";
  protocol::Fragment fragment;
  fragment.category = protocol::DataCategory::leren_en_studeren;
  fragment.media_type = "text/plain";
  fragment.body = protocol::SecretBytes::copy_of(view_of("na de rotatie"));
  signaal.fragments.push_back(std::move(fragment));
  ASSERT_TRUE(school.send(std::move(signaal)));
  const auto synced = device->sync();
  ASSERT_TRUE(synced) << synced.error().message();
  EXPECT_EQ(synced->new_messages, 1U);
  EXPECT_EQ(synced->refused, 0U) << "sealed to epoch 1, which the cached keys did not have";
}

// The hub serves a mailbox's older (genuinely signed) epoch after the device has seen a newer
// one: replaying an old key would let removed members read again, so it is refused, also by a
// client opened afresh on the same profile.
TEST_F(TamperingTest, AnEpochRolledBackToAnOlderSignedOneIsRefused) {
  std::string epoch_zero;
  const std::string mailbox_target = "/v1/mailboxes/" + protocol::to_hex(onthaal);
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == mailbox_target && epoch_zero.empty()) {
      epoch_zero = reply.body;
    }
  };
  ASSERT_EQ(device->mailbox_certificate(onthaal).value().epoch, 0U);
  const auto pki = dir.path() / "data" / "dev-pki";
  client::ProfileSettings settings;
  settings.hub = {"localhost", hub.port()};
  ASSERT_TRUE(client::import_dev_device(pki / "clb/admin", dir.path() / "admin", settings, unlock));
  auto admin = Client::open(client::Profile::open(dir.path() / "admin").value(), unlock).value();
  ASSERT_EQ(admin.rotate(onthaal).value(), 1U);
  ASSERT_EQ(device->mailbox_certificate(onthaal).value().epoch, 1U);

  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == mailbox_target) {
      reply.body = epoch_zero;  // signed by the organisation, but older than what was seen
    }
  };
  const auto rolled_back = device->mailbox_certificate(onthaal);
  ASSERT_FALSE(rolled_back) << "an older epoch was accepted again";
  EXPECT_EQ(rolled_back.error(), make_error_code(client_errc::directory_tampered));
  auto connection = client::HubConnection::open(settings.hub, profile->tls()).value();
  auto fresh =
      Client::open_with(*profile, client::open_key_store(profile->key_store(), unlock).value(),
                        std::make_unique<TamperingHub>(std::move(connection), tamper, posted));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->mailbox_certificate(onthaal).error(),
            make_error_code(client_errc::directory_tampered));
}

// A blob the hub changes, cuts short, extends or swaps never becomes a file: the signed
// descriptor's hash, size and the FINAL chunk all stand in the way.
TEST_F(TamperingTest, AnAlteredAttachmentBlobIsRefusedAndLeavesNoFile) {
  const auto scan = dir.path() / "scan.bin";
  std::string content;
  for (int i = 0; content.size() < 3 * protocol::kAttachmentChunk + 100; ++i) {
    content += "regel " + std::to_string(i) + "\n";
  }
  write_file(scan, view_of(content));
  // The school sends the CLB's onthaal mailbox a file twice (R34); the device receives them.
  auto school = open_school();
  for (int i = 0; i < 2; ++i) {  // same file, another key: another blob
    send_file_to_onthaal(school, scan, onthaal);
  }
  ASSERT_TRUE(device->sync());
  const auto inbox = device->inbox(false).value();
  ASSERT_EQ(inbox.size(), 2U);
  const auto& first = inbox[0];

  std::vector<std::uint8_t> other_blob;
  *blob_tamper = [&](std::vector<std::uint8_t>& bytes) { other_blob = bytes; };
  ASSERT_TRUE(
      device->save_attachment(inbox[1].mailbox_id, inbox[1].sequence, 0, dir.path() / "other.bin"));
  const auto target = dir.path() / "saved.bin";
  const std::vector<std::pair<std::string, std::function<void(std::vector<std::uint8_t>&)>>>
      changes = {
          {"a flipped bit", [](auto& b) { b[b.size() / 2] ^= 0x01U; }},
          {"the last chunk cut off",
           [](auto& b) {
             const auto tail = b.size() % protocol::kAttachmentCipherChunk;
             b.erase(b.end() - static_cast<std::ptrdiff_t>(tail), b.end());
           }},
          {"bytes appended", [](auto& b) { b.insert(b.end(), 17, 0); }},
          {"another blob served", [&](auto& b) { b = other_blob; }},
      };
  for (const auto& [what, change] : changes) {
    *blob_tamper = change;
    const auto saved = device->save_attachment(first.mailbox_id, first.sequence, 0, target);
    ASSERT_FALSE(saved) << what << " went unnoticed";
    EXPECT_EQ(saved.error(), make_error_code(client_errc::attachment_invalid)) << what;
    EXPECT_FALSE(fs::exists(target)) << what;
    EXPECT_FALSE(fs::exists(fs::path(target.string() + ".part"))) << what;
  }
  *blob_tamper = nullptr;
  ASSERT_EQ(device->save_attachment(first.mailbox_id, first.sequence, 0, target).value(),
            content.size());
  EXPECT_EQ(read_file(target), std::vector<std::uint8_t>(content.begin(), content.end()));
}

TEST_F(TamperingTest, ASwappedOrganisationKeyIsNotPinnedAndNotTrusted) {
  const auto attacker = protocol::SigningKey::generate();
  const auto real_fingerprint = client::fingerprint(device->trust().find(caw)->key);
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.rfind("/v1/organisations", 0) == 0 &&
        target.find("mailboxes") == std::string::npos) {
      rewrite(reply, [&](json::object& o) {
        auto swap = [&](json::object& org) {
          org["signing_key"] = protocol::base64_encode(attacker.public_key());
        };
        if (o.contains("organisations")) {
          for (auto& org : o["organisations"].as_array()) {
            swap(org.as_object());
          }
        } else {
          swap(o);
        }
      });
    }
  };
  const auto listed = device->organisations().value();
  EXPECT_TRUE(std::none_of(listed.begin(), listed.end(), [](const auto& o) { return o.trusted; }));
  const auto pinned = device->pin_organisation(caw, real_fingerprint);
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error(), make_error_code(client_errc::fingerprint_mismatch));
}

TEST_F(TamperingTest, EveryDeviceAndEpochTamperingIsRefused) {
  const auto attacker = protocol::SigningKey::generate();
  const auto attacker_box = protocol::age::X25519Identity::generate();
  struct Case {
    std::string name;
    std::function<void(std::string_view, HubReply&)> tamper;
  };
  const std::vector<Case> cases = {
      {"a device re-keyed and re-signed by another key",
       [&](std::string_view target, HubReply& reply) {
         if (target.rfind("/v1/devices/", 0) != 0) {
           return;
         }
         rewrite(reply, [&](json::object& o) {
           auto certificate = protocol::parse_device_certificate(b64(o, "certificate")).value();
           certificate.encryption_key = attacker_box.public_key();
           certificate = protocol::issue(certificate, attacker);
           o["certificate"] = protocol::base64_encode(protocol::encode(certificate));
           o["encryption_key"] = protocol::base64_encode(attacker_box.public_key());
         });
       }},
      {"a device served without its certificate",
       [&](std::string_view target, HubReply& reply) {
         if (target.rfind("/v1/devices/", 0) == 0) {
           rewrite(reply, [](json::object& o) { o.erase("certificate"); });
         }
       }},
      {"a device whose JSON keys differ from its certificate",
       [&](std::string_view target, HubReply& reply) {
         if (target.rfind("/v1/devices/", 0) == 0) {
           rewrite(reply, [&](json::object& o) {
             o["signing_key"] = protocol::base64_encode(attacker.public_key());
           });
         }
       }},
      {"an unsigned epoch certificate",
       [&](std::string_view target, HubReply& reply) {
         if (target.rfind("/v1/mailboxes/", 0) == 0 &&
             target.find("/messages") == std::string::npos) {
           rewrite(reply, [](json::object& o) {
             auto certificate = protocol::parse_epoch_certificate(b64(o, "certificate")).value();
             certificate.signature = {};
             o["certificate"] = protocol::base64_encode(protocol::encode(certificate));
           });
         }
       }},
      {"a mailbox key swapped and the epoch re-signed by another key",
       [&](std::string_view target, HubReply& reply) {
         if (target.rfind("/v1/mailboxes/", 0) == 0 &&
             target.find("/messages") == std::string::npos) {
           rewrite(reply, [&](json::object& o) {
             auto certificate = protocol::parse_epoch_certificate(b64(o, "certificate")).value();
             certificate.mailbox_key = attacker_box.public_key();
             certificate = protocol::issue(certificate, attacker);
             o["certificate"] = protocol::base64_encode(protocol::encode(certificate));
           });
         }
       }},
  };
  for (const auto& c : cases) {
    *tamper = c.tamper;
    expect_send_refused(c.name);
  }
}

TEST_F(TamperingTest, AnAddedMemberOrAMislabelledEpochIsRefused) {
  // An extra device in an epoch's member list: the members hash gives it away.
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.find("/epochs/") != std::string::npos) {
      rewrite(reply, [](json::object& o) {
        o["members"].as_array().push_back(json::value(protocol::to_hex(protocol::random_id())));
      });
    }
  };
  auto synced = device->sync();
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error(), make_error_code(client_errc::directory_tampered));

  // A mailbox answer whose epoch number its certificate does not carry.
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == "/v1/mailboxes/" + protocol::to_hex(onthaal)) {
      rewrite(reply, [](json::object& o) { o["epoch"] = 1; });
    }
  };
  const auto lying = device->mailbox_certificate(onthaal);
  ASSERT_FALSE(lying) << "an epoch number that its certificate does not carry";
  EXPECT_EQ(lying.error(), make_error_code(client_errc::directory_tampered));
}

TEST_F(TamperingTest, EveryBitFlipInAnEpochCertificateIsRefused) {
  std::size_t position = 0;
  std::size_t refused = 0;
  std::size_t tried = 0;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == "/v1/mailboxes/" + protocol::to_hex(intake)) {
      rewrite(reply, [&](json::object& o) {
        auto bytes = b64(o, "certificate");
        bytes[position / 8] ^= static_cast<std::uint8_t>(1U << (position % 8));
        o["certificate"] = protocol::base64_encode(bytes);
      });
    }
  };
  for (position = 0; position < protocol::kEpochCertificateSize * 8; position += 7) {
    ++tried;
    const auto answer = device->mailbox_certificate(intake);
    if (!answer && (answer.error() == client_errc::directory_tampered ||
                    answer.error() == client_errc::untrusted_organisation)) {
      ++refused;
    }
  }
  EXPECT_EQ(refused, tried) << "100% of the flipped certificates must be refused";
}

// Inbox::follow does not ask a busy hub again before its Retry-After (429 and 503), and does
// not let a hub silence it for longer than FollowOptions::longest_retry_after. The waits are
// recorded, not slept.
TEST_F(TamperingTest, FollowWaitsOutTheHubsRetryAfterWithinABound) {
  const std::vector<std::pair<unsigned, unsigned>> refusals = {{503, 7}, {429, 86'400}};
  std::size_t refused = 0;
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target.find("/messages?") == std::string_view::npos || refused >= refusals.size()) {
      return;
    }
    reply.status = refusals[refused].first;
    reply.retry_after_seconds = refusals[refused].second;
    reply.content_type = "application/problem+json";
    reply.body = R"({"type":"urn:draaischijf:problem:overloaded","title":"Busy"})";
    ++refused;
  };
  std::vector<std::chrono::milliseconds> waits;
  client::FollowOptions options;
  options.wait = std::chrono::milliseconds(50);
  options.pause = [&waits](std::chrono::milliseconds wait) { waits.push_back(wait); };
  options.keep_going = [&waits] { return waits.size() < 2; };
  const auto followed = device->inbox().follow([](const client::SyncReport&) {}, options);
  ASSERT_TRUE(followed) << followed.error().message();
  ASSERT_EQ(refused, 2U) << "the catch-up did not list the mailbox";
  ASSERT_EQ(waits.size(), 2U);
  // Not the first backoff step (200 ms): the 7 s the hub asked for.
  EXPECT_EQ(waits[0], std::chrono::milliseconds(7'000));
  // A day asked: five minutes waited (longest_retry_after), then asked again.
  EXPECT_EQ(waits[1], std::chrono::milliseconds(300'000));
}

// A catch-up of a page is three requests whatever its size (docs/PROTOCOL.md 7.21): the listing,
// the page's envelopes in one batch, their acknowledgements in one; each message still opens.
TEST_F(TamperingTest, ACatchUpFetchesAPageInOneBatchAndAcknowledgesItInOneRequest) {
  auto school = open_school();
  for (const char* text : {"Een.", "Twee.", "Drie."}) {
    ASSERT_TRUE(school.send(school_note(text)));
  }
  asked->clear();
  posted->clear();
  const auto report = device->sync();
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->arrived.size(), 3U);
  for (const auto& arrived : report->arrived) {
    EXPECT_TRUE(arrived.problem.empty()) << arrived.problem;
  }
  const std::string mailbox = "/v1/mailboxes/" + protocol::hex_encode(onthaal);
  const auto count = [](const std::vector<std::string>& targets, const std::string& prefix) {
    return std::count_if(targets.begin(), targets.end(),
                         [&](const std::string& t) { return t.rfind(prefix, 0) == 0; });
  };
  EXPECT_EQ(count(*asked, mailbox + "/envelopes?"), 1);
  EXPECT_EQ(count(*asked, mailbox + "/messages/"), 0) << "an envelope was fetched alone";
  EXPECT_EQ(count(*posted, mailbox + "/acks"), 1);
  EXPECT_EQ(count(*posted, mailbox + "/messages/"), 0) << "a delivery was acknowledged alone";
  // The hub has them delivered: another sync finds nothing new.
  const auto again = device->sync();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->new_messages, 0U);
}

}  // namespace
}  // namespace draaischijf::testing
