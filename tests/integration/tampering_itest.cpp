// The client against a hub that lies. A stand-in sits between the client library and the real
// hub process and rewrites the hub's answers: it swaps an organisation's key, re-keys a device,
// adds a member to an epoch, serves an unsigned or re-signed epoch, flips bits in certificates.
// Every tampering must be detected and refused before anything is sealed or used.

#include <functional>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;
using client::Client;
using client::client_errc;
using client::HubReply;
using protocol::Id;

// Forwards to the real hub and lets the test rewrite each answer; records what passed.
class TamperingHub final : public client::HubTransport {
 public:
  using Tamper = std::function<void(std::string_view target, HubReply& reply)>;
  TamperingHub(client::HubConnection real, std::shared_ptr<Tamper> tamper,
               std::shared_ptr<std::vector<std::string>> posted)
      : real_(std::move(real)), tamper_(std::move(tamper)), posted_(std::move(posted)) {}

  protocol::Result<HubReply> get(std::string_view target) override {
    auto reply = real_.get(target);
    if (reply && *tamper_) {
      (*tamper_)(target, *reply);
    }
    return reply;
  }
  protocol::Result<HubReply> post(std::string_view target, std::span<const std::uint8_t> body,
                                  std::string_view content_type) override {
    posted_->emplace_back(target);
    return real_.post(target, body, content_type);
  }

 private:
  client::HubConnection real_;
  std::shared_ptr<Tamper> tamper_;
  std::shared_ptr<std::vector<std::string>> posted_;
};

// Rewrites one JSON field of an answer.
void rewrite(HubReply& reply, const std::function<void(json::object&)>& change) {
  auto value = json::parse(reply.body);
  change(value.as_object());
  reply.body = json::serialize(value);
}

std::vector<std::uint8_t> b64(const json::object& o, std::string_view key) {
  return protocol::base64_decode(std::string(o.at(key).as_string())).value();
}

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
    profile = client::Profile::open(dir.path() / "clb").value();
    auto connection = client::HubConnection::open(settings.hub, profile->tls());
    ASSERT_TRUE(connection) << connection.error().message();
    auto secrets = client::open_key_store(profile->key_store(), unlock).value();
    auto opened =
        Client::open_with(*profile, std::move(secrets),
                          std::make_unique<TamperingHub>(std::move(*connection), tamper, posted));
    ASSERT_TRUE(opened) << opened.error().message();
    device.emplace(std::move(*opened));
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

  // A one-fragment letter to the CAW intake.
  client::Composition letter_to_intake(protocol::MessageKind kind, protocol::DataCategory category,
                                       std::string_view text) const {
    client::Composition letter;
    letter.kind = kind;
    letter.recipients = {intake};
    protocol::Fragment fragment;
    fragment.category = category;
    fragment.media_type = "text/plain";
    fragment.body = protocol::SecretBytes::copy_of(view_of(text));
    letter.fragments.push_back(std::move(fragment));
    return letter;
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
                             [](const std::string& t) { return t == "/v1/envelopes"; }))
        << what << ": an envelope reached the hub";
  }

  TempDir dir;
  HubProcess hub{dir.path(), "[server]\nlisten_port = 0\ndata_dir = \"" +
                                 (dir.path() / "data").string() + "\"\n"};
  client::Unlock unlock;
  std::optional<client::Profile> profile;
  std::shared_ptr<TamperingHub::Tamper> tamper = std::make_shared<TamperingHub::Tamper>();
  std::shared_ptr<std::vector<std::string>> posted = std::make_shared<std::vector<std::string>>();
  std::optional<Client> device;
  Id intake{};
  Id onthaal{};
  Id caw{};
};

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
  for (const auto& [slug, folder] :
       {std::pair{"admin", "clb/admin"}, std::pair{"school", "school"}}) {
    ASSERT_TRUE(client::import_dev_device(pki / folder, dir.path() / slug, settings, unlock));
  }
  auto admin = Client::open(client::Profile::open(dir.path() / "admin").value(), unlock).value();
  ASSERT_EQ(admin.rotate(onthaal).value(), 1U);
  auto school = Client::open(client::Profile::open(dir.path() / "school").value(), unlock).value();
  client::Composition signaal;
  signaal.recipients = {onthaal};
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

}  // namespace
}  // namespace draaischijf::testing
