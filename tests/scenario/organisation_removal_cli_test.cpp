// Removing an organisation, played with both binaries against the real hub: the operator
// removes the CAW (`draaischijf-hub org remove`) and publishes a bundle; the CLB's device
// imports it, which unpins the CAW with its name and fingerprint on the terminal, and refuses
// to seal to it afterwards with a message that says why.

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

class OrganisationRemovalCli : public CliScenario {
 protected:
  ProcessResult hub_admin(std::vector<std::string> words) const {
    words.insert(words.begin(), DRAAISCHIJF_HUB_BINARY);
    words.insert(words.end(), {"--config", (dir.path() / "hub.toml").string()});
    return run_program(dir.path(), words);
  }
};

TEST_F(OrganisationRemovalCli, AnImportedRemovalUnpinsTheOrganisationAndNothingIsSealedToIt) {
  const auto removed = hub_admin({"org", "remove", orgs["caw"], "--reason", "left-network"});
  ASSERT_EQ(removed.exit, 0) << removed.err;
  const auto bundle = dir.path() / "directory-removal.bundle";
  const auto published =
      hub_admin({"directory", "bundle", "--key", (pki / "policy-signing.key").string(), "--out",
                 bundle.string()});
  ASSERT_EQ(published.exit, 0) << published.err;
  EXPECT_NE(published.out.find("2 organisations, 1 removed"), std::string::npos) << published.out;

  const auto imported = clb({"trust", "import", bundle.string()});
  ASSERT_EQ(imported.exit, 0) << imported.err;
  EXPECT_NE(imported.out.find("REMOVED    " + orgs["caw"] + "  CAW Oost-Vlaanderen"),
            std::string::npos)
      << imported.out;
  EXPECT_NE(imported.out.find("reason left-network"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("unpinned:"), std::string::npos) << imported.out;
  EXPECT_NE(imported.out.find("1 unpinned as removed"), std::string::npos) << imported.out;
  const auto pins = clb.json_of({"trust", "list"});
  EXPECT_EQ(boost::json::serialize(pins).find(orgs["caw"]), std::string::npos);

  // Sealing to the removed organisation's mailbox is refused on the device, with the reason.
  const auto sent = clb(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                                       "doorverwijzing", "--text", "psychisch_sociaal=Test."}));
  EXPECT_EQ(sent.exit, 1) << sent.out << sent.err;
  EXPECT_NE(sent.err.find("removed this organisation from the hub"), std::string::npos) << sent.err;
  // The removed organisation's own device is refused by the hub.
  const auto refused = caw({"inbox"});
  EXPECT_NE(refused.exit, 0);
  EXPECT_NE((refused.out + refused.err).find("Organisation removed (403)"), std::string::npos)
      << refused.out << refused.err;
}

}  // namespace
}  // namespace draaischijf::testing
