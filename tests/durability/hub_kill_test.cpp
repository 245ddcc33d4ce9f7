// Durability of the whole hub process (label `durability`): four clients submit envelopes over
// mutual TLS while the hub is killed with SIGKILL at random moments (each after it accepted a
// few) and started again, 50 times. Every envelope that got a 201 (or, resent after a lost answer,
// a 409 with its original receipt) must be in the database exactly once, with its queue entry and
// audit row, and the database must pass integrity_check.

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <draaischijf/server/store/sqlite.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;

TEST(HubDurabilityTest, EveryAcceptedEnvelopeSurvivesSigkillOfTheHubExactlyOnce) {
  TempDir dir;
  const std::string config =
      "[server]\nlisten_port = 0\ndata_dir = \"" + (dir / "data").string() + "\"\n";
  // The first start creates the development deployment; take the CLB's keys and the CAW intake.
  std::unique_ptr<DevHub> setup = std::make_unique<DevHub>(dir.path());
  const auto intake = setup->epoch_of(setup->mailbox_of("caw"));
  const auto certificate = setup->certificate_of("clb");
  const auto device = setup->keys("clb");
  const auto consent = setup->pupil_consent();
  const auto pki = setup->pki;
  setup.reset();

  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> done{false};
  std::mutex mutex;
  std::set<std::string> accepted;
  std::atomic<std::uint64_t> sequence{0};
  const auto submit_forever = [&] {
    while (!done) {
      Draft draft;
      draft.kind = MessageKind::signaal;
      draft.pupil = test_pupil_binding();
      draft.consent_reference = consent;
      draft.fragments.push_back({DataCategory::handelingsgericht_advies, GuidanceDomain::none,
                                 "text/plain", SecretBytes::copy_of(view_of("zorg"))});
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      const auto envelope = seal(draft, {certificate, device.signing, ++sequence}, {&intake, 1},
                                 static_cast<std::uint64_t>(now.count()))
                                .value();
      // An answer lost to a kill is resent once: the hub must not store it twice.
      for (int attempt = 0; attempt < 2 && !done; ++attempt) {
        TlsClient client(port, pki / "root.pem", pki / "clb" / "device.pem",
                         pki / "clb" / "device.key");
        const auto response = client.exchange(post("/v1/envelopes", text_of(envelope)));
        if (response && (response->status == 201 || response->status == 409)) {
          const auto body = boost::json::parse(response->body).as_object();
          const std::lock_guard lock(mutex);
          accepted.insert(std::string(body.at("message_id").as_string()));
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  };

  std::mt19937 random(20261123);
  std::unique_ptr<HubProcess> hub = std::make_unique<HubProcess>(dir.path(), config);
  port = hub->port();
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back(submit_forever);
  }
  const auto accepted_so_far = [&] {
    const std::lock_guard lock(mutex);
    return accepted.size();
  };
  // Each kill comes after the running hub has accepted one to three more envelopes, at a random
  // moment after that (other submissions are then under way): an event, not a fixed interval, so
  // on a loaded machine no hub is killed before it served anything and no run is vacuous.
  constexpr int kKills = 50;
  std::string stalled;  // the log of a hub that served nothing, when one did not
  for (int kill = 0; kill < kKills && stalled.empty(); ++kill) {
    const std::size_t target = accepted_so_far() + 1 + random() % 3;
    if (!eventually([&] { return accepted_so_far() >= target; })) {
      stalled = "hub " + std::to_string(kill) + ":\n" + hub->log_text();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
    hub.reset();  // SIGKILL, wherever it is
    hub = std::make_unique<HubProcess>(dir.path(), config);
    port = hub->port();
  }
  // And the last hub, which is not killed, serves some more before the check.
  const std::size_t before_last = accepted_so_far();
  EXPECT_TRUE(stalled.empty() && eventually([&] { return accepted_so_far() >= before_last + 10; }));
  done = true;
  for (auto& client : clients) {
    client.join();
  }
  hub.reset();
  ASSERT_TRUE(stalled.empty()) << "no submission got through to " << stalled;
  ASSERT_GE(accepted.size(), static_cast<std::size_t>(kKills) + 10U)
      << "every hub accepted at least one envelope before its kill";

  auto db = server::sqlite::Database::open((dir / "data" / "hub.db").string()).value();
  EXPECT_TRUE(db.integrity_check());
  std::multiset<std::string> stored;
  auto select = db.prepare("SELECT message_id FROM envelopes").value();
  while (select.step().value()) {
    stored.insert(hex(select.column_blob(0)));
  }
  for (const std::string& id : accepted) {
    EXPECT_EQ(stored.count(id), 1U) << id << " was accepted but is not stored exactly once";
  }
  const auto count = [&db](const char* sql) {
    auto statement = db.prepare(sql).value();
    EXPECT_TRUE(statement.step().value());
    return static_cast<std::size_t>(statement.column_int64(0));
  };
  EXPECT_EQ(count("SELECT count(*) FROM queue"), stored.size());
  EXPECT_EQ(count("SELECT count(*) FROM audit WHERE event = 'envelope.accepted'"), stored.size());
  EXPECT_EQ(count("SELECT count(DISTINCT message_id) FROM envelopes"), stored.size());
  std::printf("hub durability: %d kills, %zu envelopes accepted, %zu stored\n", kKills,
              accepted.size(), stored.size());
}

}  // namespace
}  // namespace draaischijf::testing
