// A hub that answers with an organisation name holding a newline and a second `org` line for the
// CLB with the hub's own key. Written raw into the trust file, that line would make the hub's
// key the CLB's pinned key at the next start. The pin is refused and the file is unchanged; a
// trust file that repeats a pin is refused when the device starts.

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include <draaischijf/client/trust.hpp>

#include "process.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(TamperingTest, AnOrganisationNameCannotInjectALineIntoTheTrustFile) {
  const auto hub_owned = protocol::SigningKey::generate();
  const auto own_org = device->device().org_id;
  const std::string injected = "CAW\norg " + protocol::hex_encode(own_org) + " " +
                               protocol::base64_encode(hub_owned.public_key()) + " CLB";
  *tamper = [&](std::string_view target, HubReply& reply) {
    if (target == "/v1/organisations/" + protocol::hex_encode(caw)) {
      rewrite(reply, [&](json::object& o) { o["name"] = injected; });
    }
  };
  const auto before = file_text(profile->trust_file());
  const auto real_fingerprint = client::fingerprint(device->trust().find(caw)->key);
  const auto pinned =
      device->pin_organisation(caw, real_fingerprint, client::PinMode::replace_existing);
  ASSERT_FALSE(pinned) << "the injected name was pinned";
  EXPECT_EQ(pinned.error(), make_error_code(client_errc::name_unsafe));
  EXPECT_EQ(file_text(profile->trust_file()), before) << "the trust file changed";
  EXPECT_NE(device->trust().find(own_org)->key, hub_owned.public_key());
}

TEST_F(TamperingTest, ASecondPinOfAnOrganisationInTheTrustFileStopsTheDevice) {
  const auto hub_owned = protocol::SigningKey::generate();
  const auto own_org = device->device().org_id;
  {
    std::ofstream out(profile->trust_file(), std::ios::app);
    out << "org " << protocol::hex_encode(own_org) << " "
        << protocol::base64_encode(hub_owned.public_key()) << " CLB\n";
  }
  auto reopened = Client::open_with(
      *profile, client::open_key_store(profile->key_store(), unlock).value(),
      std::make_unique<client::HubConnection>(
          client::HubConnection::open({"localhost", hub.port()}, profile->tls()).value()));
  ASSERT_FALSE(reopened) << "a device started on a trust file with two pins of its own org";
  EXPECT_EQ(reopened.error(), make_error_code(client_errc::trust_file_invalid));
}

// The CLI, as people use it: `trust add` of a key pinned already says so and shows the pinned
// fingerprint; `trust replace` shows the old and the new fingerprint; a broken trust file is
// named by line with the reason, and exits as a security failure.
TEST_F(TamperingTest, TheCliReplacesAKeyOnlyWhenAskedAndShowsBothFingerprints) {
  const auto profile_dir = profile->trust_file().parent_path();
  const auto cli = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {DRAAISCHIJF_CLI_BINARY, "--profile", profile_dir.string(),
                                    "--key-file", (dir.path() / "clb.key").string()};
    all.insert(all.end(), args.begin(), args.end());
    return run_program(dir.path(), all);
  };
  const auto pinned = client::fingerprint(device->trust().find(caw)->key);
  const auto again = cli({"trust", "add", protocol::hex_encode(caw), "--fingerprint", pinned});
  EXPECT_EQ(again.exit, 0) << again.err;
  EXPECT_NE(again.out.find("pinned with this key already"), std::string::npos) << again.out;
  const auto replaced =
      cli({"trust", "replace", protocol::hex_encode(caw), "--fingerprint", pinned});
  EXPECT_EQ(replaced.exit, 0) << replaced.err;

  std::ofstream(profile->trust_file(), std::ios::app) << "hub " << std::string(43, 'A') << "\n"
                                                      << "hub " << std::string(43, 'A') << "\n";
  const auto broken = cli({"whoami"});
  EXPECT_EQ(broken.exit, 4) << broken.err;
  EXPECT_NE(broken.err.find("trust.txt line"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace draaischijf::testing
