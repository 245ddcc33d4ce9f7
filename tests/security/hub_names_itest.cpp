// Names of 1 to 200 bytes (server/README.md, "Fixed"), at the operator's entry point for them:
// `draaischijf-hub org add` registers an organisation from its signed request with a name of 1
// or 200 bytes, and refuses an empty name and one of 201 bytes (exit 1, nothing registered)
// even though the request's signature over it holds.

#include <ctime>

#include <gtest/gtest.h>

#include <draaischijf/protocol/fingerprint.hpp>
#include <draaischijf/protocol/registration.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {
namespace {

// `org add` of a request for a new organisation named `name`; its output, after checking that
// it exited with `expected_exit`.
std::string add_organisation(const std::filesystem::path& config, const std::string& name,
                             int expected_exit) {
  const auto key = protocol::SigningKey::generate();
  protocol::OrganisationRegistration request;
  request.org_id = protocol::random_id();
  request.org_type = protocol::OrgType::caw;
  request.name = name;
  request.created_at = static_cast<std::uint64_t>(std::time(nullptr));
  const auto file = config.parent_path() / "request.txt";
  write_file(
      file,
      view_of(protocol::registration_text(protocol::sign_registration(std::move(request), key))));
  return hub_command("org add --config " + config.string() + " --request " + file.string() +
                         " --fingerprint '" + protocol::fingerprint(key.public_key()) + "'",
                     expected_exit);
}

TEST(HubNames, AnOrganisationNameOfOneTo200BytesIsRegisteredAndNoOther) {
  TempDir dir;
  const auto config = dir / "hub.toml";
  write_file(config, view_of("[server]\ndata_dir = \"" + (dir / "data").string() + "\"\n"));
  const std::string longest(200, 'n');
  EXPECT_NE(add_organisation(config, "C", 0).find("registered"), std::string::npos);
  EXPECT_NE(add_organisation(config, longest, 0).find(longest), std::string::npos);
  for (const std::string& name : {std::string(), longest + "n"}) {
    const std::string refused = add_organisation(config, name, 1);
    EXPECT_NE(refused.find("error: reading the registration request"), std::string::npos)
        << name.size() << " bytes: " << refused;
    EXPECT_EQ(refused.find("registered"), std::string::npos) << refused;
  }
}

}  // namespace
}  // namespace draaischijf::testing
