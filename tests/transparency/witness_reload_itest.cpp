// A reload (SIGHUP: the hub's configuration file read again and handed to Hub::reload) applies
// [[witness]] and [transparency] without a restart: a witness added is submitted to and its
// cosignatures are served; a witness section that cannot be used (its certificate unreadable)
// keeps the witnesses in force and says why in the log; witnesses removed are no longer asked.

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "hub_witnesses.hpp"

namespace draaischijf::testing {
namespace {

class WitnessReload : public HubWitnesses {
 protected:
  // The configuration as the hub's SIGHUP handler reads it again, with `extra` appended.
  [[nodiscard]] server::ReloadedSettings reread(const std::string& extra) const {
    auto parsed = server::parse_config("[server]\nlisten_port = 0\ndata_dir = \"" +
                                       (dir.path() / "data").string() + "\"\n" + extra);
    EXPECT_TRUE(parsed.ok());
    return {parsed.config, std::nullopt};
  }
  [[nodiscard]] std::size_t hub_events(std::string_view event) const {
    const auto bytes = read_file(dir.path() / "hub.log");
    const std::string text(bytes.begin(), bytes.end());
    const std::string needle = "\"" + std::string(event) + "\"";
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }
  static std::uint64_t cosignatures(DevHub& dev) {
    const std::string body = dev.call("clb", get("/metrics")).body;
    constexpr std::string_view kName = "\ndraaischijf_witness_cosignatures_total ";
    const auto at = body.find(kName);
    EXPECT_NE(at, std::string::npos) << body;
    return at == std::string::npos ? 0 : std::stoull(body.substr(at + kName.size()));
  }
  [[nodiscard]] bool cosigned(DevHub& dev) const {
    const auto key = log_key(hub_key, "directory");
    return static_cast<bool>(
        note::verify_cosignature(served(dev, key, "directory").note, witness_key));
  }
};

TEST_F(WitnessReload, AWitnessAddedByAReloadCosignsTheServedCheckpoint) {
  InProcessHub hub{dir.path()};
  DevHub dev{hub.port(), hub.pki()};
  EXPECT_FALSE(cosigned(dev));
  hub.hub().reload(reread(witness_config(witness.url())));
  ASSERT_TRUE(eventually([&] { return cosigned(dev); })) << "the reloaded witness was not asked";
  EXPECT_EQ(hub_events("witness.reloaded"), 1U);
}

TEST_F(WitnessReload, AnUnusableWitnessSectionKeepsTheWitnessesInForceAndARemovalStopsThem) {
  InProcessHub hub{dir.path(), witness_config(witness.url())};
  DevHub dev{hub.port(), hub.pki()};
  ASSERT_TRUE(eventually([&] { return cosigned(dev); }));

  // The certificate named is not there: refused, the witness in force goes on being asked.
  std::string broken = witness_config(witness.url());
  const std::string certificate = (dir.path() / "witness" / "tls.pem").string();
  broken.replace(broken.find(certificate), certificate.size(), certificate + ".missing");
  hub.hub().reload(reread(broken));
  ASSERT_TRUE(eventually([&] { return hub_events("witness.reload_failed") == 1; }));
  const auto before = cosignatures(dev);
  ASSERT_TRUE(eventually([&] { return cosignatures(dev) > before; }))
      << "the witness in force was dropped by a refused reload";

  // Without [[witness]]: no round asks it any more (one under way may still finish).
  hub.hub().reload(reread(""));
  ASSERT_TRUE(eventually([&] { return hub_events("witness.reloaded") == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto stopped = cosignatures(dev);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(cosignatures(dev), stopped) << "a removed witness is still asked";
}

}  // namespace
}  // namespace draaischijf::testing
