// The directory beyond keys, played with both binaries against the real hub: the operator
// records where organisations work, what partners offer and a school's own CLB
// (`draaischijf-hub org set`); people find partners by type, region and offer
// (`draaischijf directory --type caw --region ...`); a school's signaal goes to its CLB's onthaal
// when it names no mailbox.

#include <draaischijf/protocol/directory_bundle.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

class DirectoryScenario : public CliScenario {
 protected:
  /// `draaischijf-hub org set ...` beside the running hub, with its configuration file.
  ProcessResult org_set(std::vector<std::string> options) const {
    std::vector<std::string> argv = {DRAAISCHIJF_HUB_BINARY, "org", "set", "--config",
                                     (dir.path() / "hub.toml").string()};
    argv.insert(argv.end(), options.begin(), options.end());
    return run_program(dir.path(), argv);
  }
  /// The organisation ids a directory search finds, as the school's CLI prints them.
  std::vector<std::string> found(std::vector<std::string> filter) const {
    filter.insert(filter.begin(), "directory");
    std::vector<std::string> ids;
    const auto listed = school.json_of(filter);
    for (const auto& org : listed.as_array()) {
      ids.push_back(text_of(org, "org_id"));
    }
    return ids;
  }
  /// A raw directory request, as the CAW's device.
  HttpResponse hub_get(const std::string& target) const {
    TlsClient client(hub->port(), pki / "root.pem", pki / "caw" / "device.pem",
                     pki / "caw" / "device.key");
    return client.exchange(get(target)).value_or(HttpResponse{});
  }
};

TEST_F(DirectoryScenario, TheDevelopmentDeploymentShowsRegionOffersAndTheSchoolsClb) {
  const auto listed = school.json_of({"directory"});
  std::map<std::string, json::object> by_type;
  for (const auto& org : listed.as_array()) {
    by_type[text_of(org, "type")] = org.as_object();
  }
  EXPECT_EQ(text_of(by_type["caw"], "province"), "oost_vlaanderen");
  EXPECT_EQ(text_of(by_type["caw"], "municipality"), "Gent");
  EXPECT_EQ(by_type["caw"].at("offers").as_array().size(), 4U);
  EXPECT_EQ(text_of(by_type["school"], "clb_org_id"), orgs["clb"]);
  // And a person reads it on one line per organisation.
  const auto printed = school({"directory", "--type", "caw"});
  EXPECT_NE(printed.out.find("[oost_vlaanderen, Gent; caw_onthaal, caw_intake"), std::string::npos)
      << printed.out;
}

TEST_F(DirectoryScenario, PartnersAreFoundByTypeRegionMunicipalityAndOffer) {
  using V = std::vector<std::string>;
  EXPECT_EQ(found({"--type", "caw", "--region", "oost_vlaanderen", "--offer", "caw_intake"}),
            V{orgs["caw"]});
  EXPECT_EQ(found({"--type", "caw", "--region", "oost_vlaanderen", "--municipality", "gent"}),
            V{orgs["caw"]});
  EXPECT_EQ(found({"--region", "limburg"}), V{});
  EXPECT_EQ(found({"--offer", "cgg_jongeren"}), V{});
  EXPECT_EQ(found({"--municipality", "Sint-Niklaas"}), V{orgs["clb"]});

  // The operator moves the CAW to Limburg: the search follows.
  const auto moved =
      org_set({"--org-id", orgs["caw"], "--province", "limburg", "--municipality", "Hasselt"});
  ASSERT_EQ(moved.exit, 0) << moved.err;
  EXPECT_NE(moved.out.find("limburg"), std::string::npos);
  EXPECT_EQ(found({"--type", "caw", "--region", "limburg"}), V{orgs["caw"]});
  EXPECT_EQ(found({"--type", "caw", "--region", "oost_vlaanderen"}), V{});
  // Offers survive a move (only the fields given change).
  EXPECT_EQ(found({"--region", "limburg", "--offer", "caw_jac"}), V{orgs["caw"]});

  // A name outside the vocabulary is a usage error that lists the names.
  const auto typo = school({"directory", "--type", "caw", "--region", "oost-vlaanderen"});
  EXPECT_EQ(typo.exit, 2);
  EXPECT_NE(typo.err.find("west_vlaanderen"), std::string::npos) << typo.err;
}

TEST_F(DirectoryScenario, TheHubFiltersAndRefusesAFilterOutsideTheVocabulary) {
  const auto by_town = hub_get("/v1/organisations?municipality=Sint%2dniklaas");
  ASSERT_EQ(by_town.status, 200) << by_town.body;
  const auto listed = json::parse(by_town.body).as_object().at("organisations").as_array();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(text_of(listed.at(0), "org_id"), orgs["clb"]);
  const auto bad = hub_get("/v1/organisations?type=caw&province=narnia");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("malformed-request"), std::string::npos);
  EXPECT_NE(bad.body.find("oost_vlaanderen"), std::string::npos) << bad.body;
  EXPECT_EQ(hub_get("/v1/organisations?offer=caw%").status, 400);
}

TEST_F(DirectoryScenario, TheOperatorRefusesAnOfferOrClbThatDoesNotFit) {
  const auto cgg_offer = org_set({"--org-id", orgs["caw"], "--offer", "cgg_jongeren"});
  EXPECT_EQ(cgg_offer.exit, 1);
  EXPECT_NE(cgg_offer.err.find("cgg_jongeren is offered by: cgg"), std::string::npos)
      << cgg_offer.err;
  const auto caw_as_clb = org_set({"--org-id", orgs["school"], "--clb", orgs["caw"]});
  EXPECT_EQ(caw_as_clb.exit, 1);
  EXPECT_NE(caw_as_clb.err.find("only an organisation of type clb"), std::string::npos);
  const auto narnia = org_set({"--org-id", orgs["caw"], "--province", "narnia"});
  EXPECT_EQ(narnia.exit, 2);
  EXPECT_NE(narnia.err.find("error: --province takes one of: "), std::string::npos) << narnia.err;
  EXPECT_NE(narnia.err.find("oost_vlaanderen"), std::string::npos) << narnia.err;
  const auto nothing = org_set({"--org-id", orgs["caw"]});
  EXPECT_EQ(nothing.exit, 2);
  EXPECT_NE(nothing.err.find("error: org set changes nothing without --province"),
            std::string::npos)
      << nothing.err;
  const auto none_and_more =
      org_set({"--org-id", orgs["caw"], "--offer", "caw_intake", "--offer", "none"});
  EXPECT_EQ(none_and_more.exit, 2);
  EXPECT_NE(none_and_more.err.find("error: --offer takes one of: "), std::string::npos)
      << none_and_more.err;
  EXPECT_NE(none_and_more.err.find("--offer none clears them"), std::string::npos)
      << none_and_more.err;
  // Nothing changed.
  EXPECT_EQ(found({"--type", "caw", "--offer", "caw_intake"}), std::vector{orgs["caw"]});
}

TEST_F(DirectoryScenario, ASchoolsSignaalGoesToItsClbsOnthaalByDefault) {
  const auto sent = school({"send", "signaal", "--pupil", "school-2016-07", "--text",
                            "leren_en_studeren=Leest traag, vraagt hulp."});
  ASSERT_EQ(sent.exit, 0) << sent.err;
  EXPECT_NE(sent.err.find("mailbox " + onthaal), std::string::npos) << sent.err;
  const auto received = inbox(clb);
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(text_of(received.at(0), "kind"), "signaal");
  EXPECT_EQ(text_of(received.at(0), "mailbox_id"), onthaal);

  // Without a recorded CLB there is no default: refused with what to do.
  ASSERT_EQ(org_set({"--org-id", orgs["school"], "--clb", "none"}).exit, 0);
  const auto refused = school(
      {"send", "signaal", "--pupil", "school-2016-07", "--text", "leren_en_studeren=Opnieuw."});
  EXPECT_EQ(refused.exit, 1);
  EXPECT_NE(refused.err.find("names no CLB for this school"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--to MAILBOX"), std::string::npos);
  // Other kinds never guess a recipient.
  const auto no_recipient = school({"send", "consultatie", "--text", "leren_en_studeren=x"});
  EXPECT_EQ(no_recipient.exit, 2);
  EXPECT_NE(no_recipient.err.find("error: at least one --to MAILBOX is needed"), std::string::npos)
      << no_recipient.err;
}

TEST_F(DirectoryScenario, ADefaultClbWhoseKeyTheSchoolDidNotPinIsNotUsed) {
  // The operator (or a hub that lies) names a CLB the school never verified.
  const std::string stranger = "0123456789abcdef0123456789abcdef";
  register_organisation(dir.path() / "hub.toml", stranger, "clb", "CLB Elders",
                        protocol::SigningKey::generate());
  ASSERT_EQ(org_set({"--org-id", orgs["school"], "--clb", stranger}).exit, 0);
  const auto refused = school(
      {"send", "signaal", "--pupil", "school-2016-07", "--text", "leren_en_studeren=Leest traag."});
  EXPECT_EQ(refused.exit, 4) << refused.err;  // a security check, not a missing mailbox
  EXPECT_NE(refused.err.find("not pinned"), std::string::npos) << refused.err;
  EXPECT_TRUE(inbox(clb).empty());
}

// --- the operator's signed directory bundle ---------------------------------------------------

class BundleScenario : public DirectoryScenario {
 protected:
  /// `draaischijf-hub directory bundle` with the development deployment's operator key (the
  /// policy key), or `key`; the bundle's path.
  std::filesystem::path publish(const std::string& name, const std::filesystem::path& key = {}) {
    const auto out = dir.path() / name;
    const auto r =
        run_program(dir.path(), {DRAAISCHIJF_HUB_BINARY, "directory", "bundle", "--config",
                                 (dir.path() / "hub.toml").string(), "--key",
                                 (key.empty() ? pki / "policy-signing.key" : key).string(), "--out",
                                 out.string()});
    EXPECT_EQ(r.exit, 0) << r.err;
    return out;
  }
  /// The device's trust file with every organisation pin removed: it trusts the hub and the
  /// operator key only, as a device does before its first import.
  static void forget_organisations(const Cli& device) {
    const auto path = device.profile() / "trust.txt";
    std::istringstream lines(slurp(path));
    std::string kept;
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("org ")) {
        kept += line + "\n";
      }
    }
    write_file(path, view_of(kept));
  }
};

TEST_F(BundleScenario, AnImportedBundlePinsEveryKeyAndMessagesVerifyWithoutAFingerprint) {
  const auto sent = school(
      {"send", "signaal", "--pupil", "school-2016-07", "--text", "leren_en_studeren=Leest traag."});
  ASSERT_EQ(sent.exit, 0) << sent.err;
  forget_organisations(clb);
  // Nothing of the directory is trusted now, not even the CLB's own mailbox.
  EXPECT_EQ(clb({"inbox"}).exit, 4);

  const auto bundle = publish("directory-1.bundle");
  const auto imported = clb({"trust", "import", bundle.string()});
  ASSERT_EQ(imported.exit, 0) << imported.err;
  EXPECT_NE(imported.out.find("pinned 3 new, 0 unchanged, 0 changed"), std::string::npos)
      << imported.out;
  const auto received = inbox(clb);
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(text_of(received.at(0), "sender_org"), orgs["school"]);
  EXPECT_EQ(text_of(received.at(0), "problem"), "");
  const auto opened =
      clb({"read",
           std::to_string(received.at(0).as_object().at("sequence").to_number<std::int64_t>())});
  EXPECT_EQ(opened.exit, 0) << opened.err;
  EXPECT_NE(opened.out.find("Leest traag."), std::string::npos) << opened.out;

  // A second publication is newer; the first can no longer replace it.
  const auto newer = publish("directory-2.bundle");
  ASSERT_EQ(clb({"trust", "import", newer.string()}).exit, 0);
  const auto rollback = clb({"trust", "import", bundle.string()});
  EXPECT_EQ(rollback.exit, 4);
  EXPECT_NE(rollback.err.find("older than the one imported before"), std::string::npos)
      << rollback.err;
}

TEST_F(BundleScenario, ABundleSignedByAnotherKeyOrTamperedWithIsRefused) {
  const auto other = dir.path() / "other-operator";
  const auto keygen = run_program(
      dir.path(), {DRAAISCHIJF_HUB_BINARY, "policy", "keygen", "--out", other.string()});
  ASSERT_EQ(keygen.exit, 0) << keygen.err;
  forget_organisations(caw);
  const auto foreign =
      caw({"trust", "import", publish("foreign.bundle", other / "policy-signing.key").string()});
  EXPECT_EQ(foreign.exit, 4);
  EXPECT_NE(foreign.err.find("not signed by the operator key pinned"), std::string::npos)
      << foreign.err;

  auto bytes = read_file(publish("genuine.bundle"));
  const std::string text(bytes.begin(), bytes.end());
  const auto at = text.find("CAW Oost-Vlaanderen");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'K';  // "KAW Oost-Vlaanderen"
  write_file(dir.path() / "tampered.bundle", bytes);
  const auto tampered = caw({"trust", "import", (dir.path() / "tampered.bundle").string()});
  EXPECT_EQ(tampered.exit, 4);
  // Nothing was pinned by either.
  EXPECT_EQ(caw.json_of({"trust", "list"}).as_array().size(), 0U);
}

TEST_F(BundleScenario, AChangedKeyIsShownAndPinnedOnlyWhenAccepted) {
  // The CAW device pinned another key for the CLB earlier (or someone swapped it since).
  const auto path = caw.profile() / "trust.txt";
  std::string text = slurp(path);
  const auto line = text.find("org " + orgs["clb"]);
  ASSERT_NE(line, std::string::npos);
  const auto key_at = line + 4 + 32 + 1;
  text.replace(key_at, 43, "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA");
  write_file(path, view_of(text));
  const auto bundle = publish("directory.bundle");
  const auto refused = caw({"trust", "import", bundle.string()});
  EXPECT_EQ(refused.exit, 4);
  EXPECT_NE(refused.out.find("CHANGED    " + orgs["clb"]), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("pinned now:"), std::string::npos);
  EXPECT_NE(refused.err.find("--accept-changes"), std::string::npos) << refused.err;
  EXPECT_NE(slurp(path).find("AQIDBAUGBwgJCgsM"), std::string::npos) << "nothing was applied";

  const auto accepted = caw({"trust", "import", bundle.string(), "--accept-changes"});
  ASSERT_EQ(accepted.exit, 0) << accepted.err;
  EXPECT_EQ(slurp(path).find("AQIDBAUGBwgJCgsM"), std::string::npos);
  EXPECT_EQ(caw({"directory", orgs["clb"]}).exit, 0) << "the CLB's mailboxes verify again";
}

TEST_F(BundleScenario, HostileNamesInABundleAreSpeltOutOnTheTerminal) {
  // A bundle the operator key signed with a name that would turn the rest of the line
  // right-to-left (U+200F) and start a new one (U+2028) if printed as it is.
  const auto seed_bytes = read_file(pki / "policy-signing.key");
  protocol::SecretKey<32> seed;
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.expose_mutable().begin());
  const auto operator_key = protocol::SigningKey::from_seed(seed);
  protocol::DirectoryBundle bundle{1, 1, {}};
  bundle.organisations.push_back({protocol::random_id(), protocol::OrgType::caw,
                                  "CAW \xe2\x80\x8f"
                                  "gnirolf\xe2\x80\xa8pinned: ok",
                                  protocol::SigningKey::generate().public_key()});
  write_file(dir.path() / "hostile.bundle",
             protocol::sign_directory_bundle(bundle, operator_key).value());
  const auto r = school({"trust", "import", (dir.path() / "hostile.bundle").string()});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(r.out.find("\xe2\x80\x8f"), std::string::npos);
  EXPECT_EQ(r.out.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_NE(r.out.find("\\u{200f}"), std::string::npos) << r.out;
  const auto listed = school({"trust", "list"});
  EXPECT_EQ(listed.out.find("\xe2\x80\xa8"), std::string::npos);
}

// Once a device has imported a bundle, region, offers and the school's CLB are the operator's
// signed word, not the hub's: a hub whose directory says otherwise (here the operator changed
// it after publishing, as a lying hub would serve it) neither moves a partner out of a search
// nor takes the school's default CLB away.
TEST_F(BundleScenario, RegionOffersAndClbComeFromTheImportedBundle) {
  using V = std::vector<std::string>;
  const auto bundle = publish("directory-1.bundle");
  ASSERT_EQ(school({"trust", "import", bundle.string()}).exit, 0);
  ASSERT_EQ(org_set({"--org-id", orgs["caw"], "--province", "limburg", "--municipality", "Hasselt",
                     "--offer", "none"})
                .exit,
            0);
  ASSERT_EQ(org_set({"--org-id", orgs["school"], "--clb", "none"}).exit, 0);

  EXPECT_EQ(found({"--type", "caw", "--region", "oost_vlaanderen", "--offer", "caw_intake"}),
            V{orgs["caw"]});
  EXPECT_EQ(found({"--region", "limburg"}), V{});
  const auto listed = school.json_of({"directory", "--type", "caw"});
  ASSERT_EQ(listed.as_array().size(), 1U);
  for (const auto& org : listed.as_array()) {
    EXPECT_EQ(text_of(org, "municipality"), "Gent");
    EXPECT_TRUE(org.as_object().at("region_signed").as_bool());
  }
  const auto sent = school(
      {"send", "signaal", "--pupil", "school-2016-07", "--text", "leren_en_studeren=Leest traag."});
  EXPECT_EQ(sent.exit, 0) << "the signed CLB is the default: " << sent.err;

  // A device without the bundle sees the hub's word (and the hub's search).
  EXPECT_EQ(text_of(clb.json_of({"directory", "--type", "caw"}).as_array().at(0), "municipality"),
            "Hasselt");
  EXPECT_FALSE(clb.json_of({"directory", "--type", "caw"})
                   .as_array()
                   .at(0)
                   .as_object()
                   .at("region_signed")
                   .as_bool());
}

}  // namespace
}  // namespace draaischijf::testing
