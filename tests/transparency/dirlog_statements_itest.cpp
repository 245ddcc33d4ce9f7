// What the hub enforces from files, in its directory log (PROTOCOL.md 13.4, kinds 6 and 7), with
// the real hub process: the operator-signed rule set it starts with, and every one it reloads
// to, is logged once before it is served; a revocation on a CRL is logged under the
// organisation whose CA revoked it, once, however often the CRLs are read (the monitor's side is
// in dirlog_client_itest.cpp).

#include <algorithm>
#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/note.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBundledVersion = "version = 2026.12.1";

// The bundled rule set under another version line, as an operator publishes a new one.
std::string rules_with_version(std::string_view version) {
  std::string text(policies::bundled_rule_text());
  const auto at = text.find(kBundledVersion);
  EXPECT_NE(at, std::string::npos) << "the bundled rule set changed its version line";
  return text.replace(at, kBundledVersion.size(), "version = " + std::string(version));
}

// The operator's side of [policy]: a signing key, and the rule file with its signature.
struct Operator {
  fs::path dir;
  protocol::SigningKey key = protocol::SigningKey::generate();

  [[nodiscard]] fs::path rules() const { return dir / "rules"; }
  // Writes and signs the rule set of `version`; returns its text.
  std::string publish(std::string_view version) const {
    const std::string text = rules_with_version(version);
    write_file(rules(), view_of(text));
    write_file(dir / "rules.sig",
               view_of(policies::format_signature(policies::sign_rule_set(text, key))));
    return text;
  }
  // Made before the hub starts, with the rule set of 2026.12.1.
  [[nodiscard]] std::string config() const {
    fs::create_directories(dir);
    write_file(dir / "operator.pub", view_of(policies::format_operator_key(key.public_key())));
    publish("2026.12.1");
    return "[policy]\nrules_file = \"" + rules().string() + "\"\nsignature_file = \"" +
           (dir / "rules.sig").string() + "\"\noperator_key_file = \"" +
           (dir / "operator.pub").string() + "\"\n";
  }
};

// Hexadecimal without leading zeros, to compare a serial however it was written.
std::string trimmed(std::string hex) {
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
  return hex;
}

class DirectoryLogStatements : public ::testing::Test {
 protected:
  TempDir dir;
  Operator operator_{dir.path() / "operator"};
  DevHub dev{dir.path(), operator_.config()};

  [[nodiscard]] std::vector<std::vector<std::uint8_t>> directory_entries() {
    const auto answer = dev.call("caw", get("/v1/log/directory/checkpoint"));
    EXPECT_EQ(answer.status, 200) << answer.body;
    const auto note = protocol::note::parse(answer.body).value();
    const auto size = protocol::note::parse_checkpoint_text(note.text).value().size;
    std::vector<std::vector<std::uint8_t>> out;
    for (std::uint64_t i = 0; i < size; ++i) {
      out.push_back(
          b64(dev.json("caw", get("/v1/log/directory/entries/" + std::to_string(i))).at("entry")));
    }
    return out;
  }
  [[nodiscard]] std::size_t count_of(const std::vector<std::uint8_t>& entry) {
    const auto entries = directory_entries();
    return static_cast<std::size_t>(std::count(entries.begin(), entries.end(), entry));
  }
  [[nodiscard]] std::size_t count_of_kind(protocol::DirectoryEntryKind kind) {
    const auto entries = directory_entries();
    return static_cast<std::size_t>(std::count_if(entries.begin(), entries.end(), [kind](auto& e) {
      return !e.empty() && e.front() == static_cast<std::uint8_t>(kind);
    }));
  }
  [[nodiscard]] std::vector<std::uint8_t> rule_set_entry(const std::string& text,
                                                         std::string_view version) const {
    return protocol::rule_set_entry(text, version, operator_.key.public_key());
  }
  [[nodiscard]] std::string version_in_force() {
    return std::string(dev.json("caw", get("/v1/policy")).at("version").as_string());
  }
  void reload(std::size_t nth) {
    dev.process().send_signal(SIGHUP);
    ASSERT_TRUE(dev.process().wait_for_event("reload.finished", nth)) << dev.process().log_text();
  }

  // The operator revokes the CLB's staff device certificate and publishes the CRLs; returns
  // its serial (hex).
  std::string revoke_clb_staff_device() {
    const auto pem = certs::read_text_file(dev.device_folder("clb") / "device.pem").value();
    const auto certificate = certs::certificate_from_pem(pem).value();
    const std::string serial = certs::serial_hex(certificate.get());
    const certs::PkiLayout layout{dev.pki};
    auto authority = certs::Authority::load(layout.organisation(hex(dev.org_id("clb")))).value();
    EXPECT_TRUE(authority.revoke(serial, std::chrono::system_clock::now()));
    EXPECT_TRUE(certs::publish_crls(layout, std::chrono::hours(24)));
    return serial;
  }
  // The kind 6 entries of the directory log.
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> revocations() {
    auto entries = directory_entries();
    std::erase_if(entries, [](const auto& e) {
      return e.empty() || e.front() != static_cast<std::uint8_t>(
                                           protocol::DirectoryEntryKind::certificate_revoked);
    });
    return entries;
  }
};

TEST_F(DirectoryLogStatements, TheRuleSetInForceIsLoggedOnceAndEachNewOneBeforeItIsServed) {
  const std::string first = rules_with_version("2026.12.1");
  EXPECT_EQ(count_of(rule_set_entry(first, "2026.12.1")), 1U) << "the starting rule set";

  const std::string second = operator_.publish("2026.12.2");
  reload(1);
  EXPECT_EQ(version_in_force(), "2026.12.2");
  EXPECT_EQ(count_of(rule_set_entry(second, "2026.12.2")), 1U) << "the reloaded rule set";

  // Read again (a reload, a restart) the same rule set is not logged again.
  reload(2);
  dev.restart("");
  EXPECT_EQ(count_of_kind(protocol::DirectoryEntryKind::rule_set), 2U);
  EXPECT_EQ(count_of(rule_set_entry(first, "2026.12.1")), 1U);
  EXPECT_EQ(version_in_force(), "2026.12.2");
}

TEST_F(DirectoryLogStatements, ARuleSetThatDoesNotVerifyIsNeitherLoggedNorPutInForce) {
  const auto before = count_of_kind(protocol::DirectoryEntryKind::rule_set);
  // Edited after signing.
  write_file(operator_.rules(), view_of(rules_with_version("2026.12.3")));
  reload(1);
  EXPECT_EQ(version_in_force(), "2026.12.1");
  EXPECT_EQ(count_of_kind(protocol::DirectoryEntryKind::rule_set), before);
}

TEST_F(DirectoryLogStatements, ARevocationIsLoggedUnderItsOrganisationOnce) {
  ASSERT_TRUE(revocations().empty());
  const std::string serial = revoke_clb_staff_device();
  reload(1);
  EXPECT_EQ(dev.process().count_events("crl.log_failed"), 0U) << dev.process().log_text();
  const auto logged = revocations();
  ASSERT_EQ(logged.size(), 1U);
  const auto& entry = logged.front();
  ASSERT_GE(entry.size(), 1U + 16U + 1U + 8U);
  const auto org = dev.org_id("clb");
  EXPECT_TRUE(std::equal(org.begin(), org.end(), entry.begin() + 1));
  const std::span<const std::uint8_t> bytes(entry.data() + 18, entry[17]);
  EXPECT_EQ(trimmed(hex(bytes)), trimmed(serial));
  EXPECT_EQ(entry.size(), 1U + 16U + 1U + entry[17] + 8U);

  // The CRLs are read at every reload and start: the revocation stays one entry.
  reload(2);
  dev.restart("");
  EXPECT_EQ(revocations().size(), 1U);
}

}  // namespace
}  // namespace draaischijf::testing
