// The trust file is the root of everything a device trusts: no name can add a line to it, no
// later line can override an earlier pin, and no pinned key changes without an explicit replace
// (issue: trust file injection through an organisation name).

#include <gtest/gtest.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::client {
namespace {

std::string org_line(const protocol::Id& org, const protocol::SigningPublicKey& key,
                     std::string_view name) {
  return "org " + protocol::hex_encode(org) + " " + protocol::base64_encode(key) + " " +
         std::string(name) + "\n";
}

TEST(TrustFileSecurityTest, ANameThatWouldAddASecondLineIsNeverPinned) {
  const auto clb_key = protocol::SigningKey::generate().public_key();
  const auto hub_key = protocol::SigningKey::generate().public_key();
  const auto clb = protocol::random_id();
  const auto caw = protocol::random_id();
  TrustFile trust;
  ASSERT_TRUE(trust.pin({clb, clb_key, "CLB Waas en Dender"}));
  // The hub answers for the CAW with a name that would, written raw, pin its own key for the
  // CLB on the next line.
  const std::string injected = "CAW\n" + org_line(clb, hub_key, "CLB Waas en Dender");
  const auto pinned = trust.pin({caw, hub_key, injected});
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error(), make_error_code(client_errc::name_unsafe));
  EXPECT_EQ(trust.find(caw), nullptr);
  // Nor through replace, nor with the other characters that reshape a line or a terminal.
  for (const std::string& name : {injected, std::string("CAW\r"), std::string("CAW\x1b]8;;x"),
                                  std::string("CAW \xe2\x80\xae"), std::string("CAW \xc2\x85")}) {
    EXPECT_EQ(trust.replace({caw, hub_key, name}).error(),
              make_error_code(client_errc::name_unsafe));
  }
  const auto reread = TrustFile::parse(trust.to_text());
  ASSERT_TRUE(reread);
  EXPECT_EQ(reread->organisations().size(), 1U);
  EXPECT_EQ(reread->find(clb)->key, clb_key);
}

TEST(TrustFileSecurityTest, APinnedKeyChangesOnlyThroughAnExplicitReplace) {
  const auto real = protocol::SigningKey::generate().public_key();
  const auto other = protocol::SigningKey::generate().public_key();
  const auto org = protocol::random_id();
  TrustFile trust;
  ASSERT_TRUE(trust.pin({org, real, "CAW Oost-Vlaanderen"}));
  ASSERT_TRUE(trust.pin({org, real, "a new name the hub sends"})) << "the same key: no change";
  EXPECT_EQ(trust.find(org)->name, "CAW Oost-Vlaanderen") << "the name pinned first stays";
  const auto swapped = trust.pin({org, other, "CAW Oost-Vlaanderen"});
  ASSERT_FALSE(swapped);
  EXPECT_EQ(swapped.error(), make_error_code(client_errc::already_pinned));
  EXPECT_EQ(trust.find(org)->key, real);
  ASSERT_TRUE(trust.replace({org, other, "CAW Oost-Vlaanderen"}));
  EXPECT_EQ(trust.find(org)->key, other);
  EXPECT_EQ(trust.organisations().size(), 1U);
}

TEST(TrustFileSecurityTest, ARepeatedLineIsRefusedWithItsNumberAndReason) {
  const auto first = protocol::SigningKey::generate().public_key();
  const auto second = protocol::SigningKey::generate().public_key();
  const auto org = protocol::random_id();
  const std::string hub_first = "hub " + protocol::base64_encode(first) + "\n";
  const std::string hub_second = "hub " + protocol::base64_encode(second) + "\n";
  const std::string policy_first = "policy " + protocol::base64_encode(first) + "\n";
  const std::string policy_second = "policy " + protocol::base64_encode(second) + "\n";
  struct Case {
    std::string text;
    std::size_t line;
  };
  for (const auto& [text, line] : std::vector<Case>{
           {org_line(org, first, "CLB") + org_line(org, second, "CLB"), 2},
           {org_line(org, first, "CLB") + "# a comment\n" + org_line(org, first, "CLB"), 3},
           {hub_first + hub_second, 2},
           {policy_first + policy_second, 2},
           {org_line(org, first, "CLB \x1b[2J"), 1}}) {
    TrustFileProblem problem;
    const auto parsed = TrustFile::parse(text, &problem);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error(), make_error_code(client_errc::trust_file_invalid));
    EXPECT_EQ(problem.line, line) << text;
    EXPECT_FALSE(problem.reason.empty());
    EXPECT_EQ(problem.reason.find('\x1b'), std::string::npos) << "never echoes the line";
  }
}

}  // namespace
}  // namespace draaischijf::client
