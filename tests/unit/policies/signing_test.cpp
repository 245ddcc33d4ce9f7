#include <gtest/gtest.h>

#include <draaischijf/policies/rule_set.hpp>

#include "policy_files.hpp"

namespace draaischijf::policies {
namespace {

using testing::flemish_rules_text;

// Each test generates a fresh operator key: no private key is ever committed.
TEST(RuleSetSigningTest, ASignedRuleFileLoads) {
  const auto key = protocol::SigningKey::generate();
  const auto signature = sign_rule_set(flemish_rules_text(), key);
  const auto rules = load_rule_set(flemish_rules_text(), signature, key.public_key());
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ(rules->version(), "2026.12.1");
}

TEST(RuleSetSigningTest, ASignatureFileRoundTrips) {
  const auto key = protocol::SigningKey::generate();
  const std::string file = format_signature(sign_rule_set(flemish_rules_text(), key));
  EXPECT_EQ(file.rfind("draaischijf-rule-set-signature ed25519 ", 0), 0U);
  EXPECT_EQ(file.back(), '\n');
  const auto rules = load_rule_set(flemish_rules_text(), file, key.public_key());
  ASSERT_TRUE(rules) << rules.error().message();
}

TEST(RuleSetSigningTest, OneChangedByteIsRefusedBeforeParsing) {
  const auto key = protocol::SigningKey::generate();
  const auto signature = sign_rule_set(flemish_rules_text(), key);
  std::string tampered = flemish_rules_text();
  const auto at = tampered.find("competency_age = 12");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 18] = '3';  // competency_age = 13: still a well-formed file
  const auto rules = load_rule_set(tampered, signature, key.public_key());
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, errc::signature_invalid);
  EXPECT_EQ(rules.error().line, 0U);
  EXPECT_EQ(rules.error().message(), "rule set signature does not verify");
}

TEST(RuleSetSigningTest, AnotherOperatorKeyIsRefused) {
  const auto key = protocol::SigningKey::generate();
  const auto other = protocol::SigningKey::generate();
  const auto rules = load_rule_set(flemish_rules_text(), sign_rule_set(flemish_rules_text(), key),
                                   other.public_key());
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, errc::signature_invalid);
}

TEST(RuleSetSigningTest, TheSignatureIsDomainSeparated) {
  // A plain signature over the same bytes (another domain) does not load the rule set.
  const auto key = protocol::SigningKey::generate();
  const auto& text = flemish_rules_text();
  const auto plain = key.sign("draaischijf/other-object/v1",
                              {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  const auto rules = load_rule_set(text, plain, key.public_key());
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, errc::signature_invalid);
}

TEST(RuleSetSigningTest, AMalformedSignatureFileIsRefused) {
  const auto key = protocol::SigningKey::generate();
  for (const std::string_view text :
       {"", "draaischijf-rule-set-signature ed25519", "other ed25519 AAAA",
        "draaischijf-rule-set-signature ed25519 AAAA",
        "draaischijf-rule-set-signature ed25519 !!!\n"}) {
    const auto rules = load_rule_set(flemish_rules_text(), text, key.public_key());
    ASSERT_FALSE(rules) << text;
    EXPECT_EQ(rules.error().code, errc::signature_malformed) << text;
  }
}

TEST(RuleSetSigningTest, ASignedButMalformedFileIsRefusedWithItsLine) {
  const auto key = protocol::SigningKey::generate();
  const std::string text = "[ruleset]\nname = x\nversion = 1\n[rule R1]\nstage = never\n";
  const auto rules = load_rule_set(text, sign_rule_set(text, key), key.public_key());
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, errc::unknown_name);
  EXPECT_EQ(rules.error().line, 5U);
}

TEST(RuleSetSigningTest, AnOperatorKeyFileRoundTrips) {
  const auto key = protocol::SigningKey::generate();
  const std::string file = format_operator_key(key.public_key());
  EXPECT_EQ(file.size(), 44U);  // 43 base64 characters and the newline
  EXPECT_EQ(file.back(), '\n');
  const auto parsed = parse_operator_key(file);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, key.public_key());
  const auto without_newline = parse_operator_key(std::string_view(file).substr(0, 43));
  ASSERT_TRUE(without_newline);
  EXPECT_EQ(*without_newline, key.public_key());
}

TEST(RuleSetSigningTest, AMalformedOperatorKeyIsRefused) {
  const std::string good = format_operator_key(protocol::SigningKey::generate().public_key());
  for (const std::string& text : {std::string(), good.substr(0, 40), good + "\n", " " + good,
                                  good.substr(0, 43) + "=\n", std::string(32, 'x') + "\n"}) {
    const auto key = parse_operator_key(text);
    ASSERT_FALSE(key) << text;
    EXPECT_EQ(key.error().code, errc::bad_value) << text;
  }
}

}  // namespace
}  // namespace draaischijf::policies
