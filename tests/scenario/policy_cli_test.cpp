// A change to the policy rules, played with the real binaries: the data-protection officer runs
// the case table and explains one request with `draaischijf policy test|explain` (no profile, no
// hub), and the hub operator makes a key, signs and verifies with `draaischijf-hub policy`. The
// rule file and case table are the project's own, read in place from the source tree.

#include <sys/stat.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_support.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kSource = DRAAISCHIJF_SOURCE_DIR;
const fs::path kRules = kSource / "policies" / "rules" / "flemish-clb.rules";
const fs::path kCases = kSource / "policies" / "rules" / "flemish-clb.cases";

// A 13-year-old referred by the CLB to the CAW with only the parents' consent: from 12 the
// pupil decides (R06), so the parents' consent is not enough.
constexpr std::string_view kReferral =
    "date = 2026-03-10; born = 2013-01-15; sender = clb/clb_psycholoog; "
    "recipient = caw/partner_intake; kind = doorverwijzing; purpose = doorverwijzing; "
    "categories = psychisch_sociaal; consent = id=c-ouders giver=ouders to=caw "
    "categories=psychisch_sociaal purposes=doorverwijzing from=2026-01-01";

std::string text_of(const fs::path& path) {
  const auto bytes = read_file(path);
  return {bytes.begin(), bytes.end()};
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

class PolicyCliTest : public ::testing::Test {
 protected:
  // DRAAISCHIJF_RULES is unset unless a test sets it: the developer's own must not leak in.
  ProcessResult cli(std::vector<std::string> words, ProcessOptions options = {}) const {
    words.insert(words.begin(), DRAAISCHIJF_CLI_BINARY);
    options.env.insert(options.env.begin(), {"DRAAISCHIJF_RULES", ""});
    return run_program(dir.path(), words, options);
  }
  ProcessResult hub(std::vector<std::string> words) const {
    words.insert(words.begin(), {DRAAISCHIJF_HUB_BINARY, "policy"});
    return run_program(dir.path(), words);
  }
  // A copy of the project's file in the test folder, with `from` replaced by `to` once.
  fs::path edited_copy(const fs::path& original, std::string_view from, std::string_view to,
                       std::size_t after = 0) const {
    std::string text = text_of(original);
    const auto at = text.find(from, after);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) {
      text.replace(at, from.size(), to);
    }
    const auto copy = dir / original.filename().string();
    write_file(copy, view_of(text));
    return copy;
  }

  TempDir dir;
};

TEST_F(PolicyCliTest, TheProjectCaseTablePassesAndCoversEveryRule) {
  const auto r = cli({"policy", "test", kCases.string(), "--rules", kRules.string()});
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  const auto cases = std::to_string(count_of(text_of(kCases), "[case "));
  EXPECT_NE(r.out.find(cases + " cases: " + cases + " passed, 0 failed (policy flemish-clb "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("coverage: every rule is covered"), std::string::npos) << r.out;
  EXPECT_EQ(count_of(r.out, "FAIL"), 0U);
  // Without --signature/--key the rule set is a draft, and the DPO is told so in one line.
  EXPECT_NE(r.err.find("unsigned draft"), std::string::npos) << r.err;
  EXPECT_EQ(count_of(r.err, "\n"), 1U) << r.err;

  const auto j = cli({"--json", "policy", "test", kCases.string(), "--rules", kRules.string()});
  EXPECT_EQ(j.exit, 0) << j.err;
  boost::system::error_code ec;
  const auto report = json::parse(j.out, ec);
  ASSERT_FALSE(ec) << j.out;
  EXPECT_TRUE(report.at("ok").as_bool());
  EXPECT_EQ(std::to_string(report.at("passed").to_number<std::uint64_t>()), cases);
  EXPECT_EQ(report.at("failed").to_number<std::uint64_t>(), 0U);
  EXPECT_TRUE(report.at("coverage_gaps").as_array().empty());
  // Each case carries its decision; the expired consent's case says which consent and why.
  bool expired_seen = false;
  for (const auto& entry : report.at("cases").as_array()) {
    const auto& decision = entry.at("decision").as_object();
    EXPECT_FALSE(decision.at("outcome").as_string().empty()) << entry;
    EXPECT_FALSE(decision.at("policy_version").as_string().empty()) << entry;
    if (entry.at("name").as_string() == "R06-toestemming-verlopen") {
      const auto& notes = decision.at("consent_notes").as_array();
      ASSERT_EQ(notes.size(), 1U) << entry;
      EXPECT_EQ(notes[0].at("consent_id").as_string(), "c1");
      EXPECT_EQ(notes[0].at("reason").as_string(), "expired");
      EXPECT_NE(notes[0].at("en").as_string().find("expired on 2026-03-09"), std::string::npos);
      expired_seen = true;
    }
  }
  EXPECT_TRUE(expired_seen) << j.out;
}

TEST_F(PolicyCliTest, OneChangedExpectationFailsAndNamesTheCase) {
  const std::string name = "R06-dag-voor-12-met-toestemming-ouders";
  const auto header = text_of(kCases).find("[case " + name + "]");
  ASSERT_NE(header, std::string::npos);
  const auto cases =
      edited_copy(kCases, "expect     = allow", "expect     = needs_consent", header);

  const auto r = cli({"policy", "test", cases.string(), "--rules", kRules.string()});
  EXPECT_EQ(r.exit, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  " + name + " (line 56)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outcome: expected needs_consent, got allow"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  EXPECT_EQ(count_of(r.out, "FAIL"), 1U);
}

TEST_F(PolicyCliTest, ExplainsWhyTheParentsConsentIsNotEnoughAt13) {
  const auto r = cli({"policy", "explain", std::string(kReferral), "--rules", kRules.string()});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_NE(r.out.find("needs_consent"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("consent needed from the pupil"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[R06]"), std::string::npos) << r.out;
  // Why the parents' consent on record does not count, by name.
  EXPECT_NE(r.out.find("c-ouders (other_giver, R06): Toestemming c-ouders komt van de ouders"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Regelset / policy version: 2026.12.1"), std::string::npos) << r.out;

  const auto j =
      cli({"--json", "policy", "explain", std::string(kReferral), "--rules", kRules.string()});
  ASSERT_EQ(j.exit, 0) << j.err;
  boost::system::error_code ec;
  const auto decision = json::parse(j.out, ec);
  ASSERT_FALSE(ec) << j.out;
  const auto& d = decision.as_object();
  EXPECT_EQ(d.at("outcome").as_string(), "needs_consent");
  EXPECT_EQ(d.at("consent_from").as_string(), "leerling");
  EXPECT_TRUE(d.at("approval_role").is_null());
  EXPECT_EQ(d.at("policy_version").as_string(), "2026.12.1");
  EXPECT_TRUE(d.at("duties").as_array().empty());
  EXPECT_TRUE(d.at("consent_record_ids").as_array().empty());
  ASSERT_EQ(d.at("consent_notes").as_array().size(), 1U) << j.out;
  EXPECT_EQ(d.at("consent_notes").as_array()[0].at("reason").as_string(), "other_giver");
  bool r06 = false;
  for (const auto& reason : d.at("reasons").as_array()) {
    const auto& o = reason.as_object();
    EXPECT_FALSE(o.at("nl").as_string().empty());
    EXPECT_FALSE(o.at("en").as_string().empty());
    EXPECT_FALSE(o.at("source").as_string().empty());
    r06 = r06 || o.at("rule_id").as_string() == "R06";
  }
  EXPECT_TRUE(r06) << j.out;
}

TEST_F(PolicyCliTest, UsesTheBuiltInRulesFromAnyFolderUnlessTold) {
  // From a folder with no rule file, without options: the rule set built into the program,
  // and `policy test` without a case table runs the built-in one, every case passing.
  auto r = cli({"policy", "explain", std::string(kReferral)}, {dir.path(), {}});
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_NE(r.err.find("using the rule set built into this program"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("R06"), std::string::npos) << r.out;
  r = cli({"policy", "test"}, {dir.path(), {}});
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS  R07-sportclub-met-specifieke-toestemming"), std::string::npos)
      << r.out;
  // $DRAAISCHIJF_RULES, then --rules, override it: a missing file is refused, not replaced.
  r = cli({"policy", "explain", std::string(kReferral)},
          {dir.path(), {{"DRAAISCHIJF_RULES", (dir / "missing.rules").string()}}});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("cannot read the rule file " + (dir / "missing.rules").string()),
            std::string::npos)
      << r.err;
  r = cli({"policy", "explain", std::string(kReferral), "--rules", kRules.string()},
          {dir.path(), {{"DRAAISCHIJF_RULES", (dir / "missing.rules").string()}}});
  EXPECT_EQ(r.exit, 0) << r.err;
  // A draft given with --rules is what runs: one that allows nothing fails the built-in cases.
  const auto strict = edited_copy(kRules, "effect = consent giver specific", "effect = deny");
  r = cli({"policy", "test", "--rules", strict.string()}, {dir.path(), {}});
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.out.find("FAIL  R07-sportclub-met-specifieke-toestemming"), std::string::npos)
      << r.out;
}

TEST_F(PolicyCliTest, MistakesAreUsageErrorsThatSayWhatToDo) {
  const std::string rules = kRules.string();
  auto r = cli({"policy", "test", kCases.string(), kCases.string(), "--rules", rules});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("one case table at most"), std::string::npos) << r.err;
  r = cli({"policy", "test", kCases.string(), "--rules", rules, "--signature", "x.sig"});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("--signature SIG and --key KEY go together"), std::string::npos) << r.err;
  r = cli({"policy", "test", kCases.string(), "--rules", rules, "--colour", "red"});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("unknown option --colour"), std::string::npos) << r.err;
  r = cli({"policy", "explain", "date = 2026-03-10; sender = clb/clb_psycholoog; recipient = cawx",
           "--rules", rules});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("unknown name: organisation type 'cawx'"), std::string::npos) << r.err;
  r = cli({"policy", "frobnicate"});
  EXPECT_EQ(r.exit, 2);
  r = cli({"policy", "--help"});
  EXPECT_EQ(r.exit, 0);
  EXPECT_NE(r.out.find("policy test [CASES]"), std::string::npos);
}

TEST_F(PolicyCliTest, AMalformedRuleFileIsRefusedWithItsFileAndLine) {
  const auto rules = edited_copy(kRules, "stage = refusal", "stage = never");
  const auto line = std::to_string(
      count_of(text_of(kRules).substr(0, text_of(kRules).find("stage = refusal")), "\n") + 1);
  const auto r = cli({"policy", "test", kCases.string(), "--rules", rules.string()});
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.err.find(rules.string() + ": line " + line + ": "), std::string::npos) << r.err;
  const auto signing = hub({"sign", "--key", "unused.key", rules.string()});
  EXPECT_EQ(signing.exit, 1) << signing.err;
  EXPECT_NE(signing.err.find("line " + line), std::string::npos) << signing.err;
}

TEST_F(PolicyCliTest, TheOperatorSignsAndEveryChangedByteIsRefused) {
  const auto keys = dir / "operator";
  auto r = hub({"keygen", "--out", keys.string()});
  ASSERT_EQ(r.exit, 0) << r.err;
  const auto private_key = keys / "policy-signing.key";
  const auto public_key = keys / "policy-signing.pub";
  struct stat status {};
  ASSERT_EQ(::stat(private_key.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777U, 0600U);
  ASSERT_EQ(::stat(keys.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777U, 0700U);  // keygen made the folder: the operator's only
  const auto seed = read_file(private_key);
  ASSERT_EQ(seed.size(), 32U);
  EXPECT_EQ(r.out.find(protocol::hex_encode(seed)), std::string::npos);  // never printed
  EXPECT_EQ(r.out.find(protocol::base64_encode(seed)), std::string::npos);
  EXPECT_NE(r.out.find(text_of(public_key)), std::string::npos) << r.out;

  // A second keygen refuses to overwrite the key every signature depends on.
  r = hub({"keygen", "--out", keys.string()});
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.err.find("never overwrites"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(private_key), seed);

  const auto rules = dir / "flemish-clb.rules";
  write_file(rules, read_file(kRules));
  r = hub({"sign", "--key", private_key.string(), rules.string()});
  ASSERT_EQ(r.exit, 0) << r.err;
  const auto signature = dir / "flemish-clb.rules.sig";
  EXPECT_EQ(text_of(signature).rfind("draaischijf-rule-set-signature ed25519 ", 0), 0U);
  r = hub({"verify", "--key", public_key.string(), rules.string()});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_NE(r.out.find("rule set flemish-clb version 2026.12.1, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" rules"), std::string::npos) << r.out;

  // The DPO checks the signed rules: no draft note, every case passes.
  const std::vector<std::string> signed_test = {
      "policy",           "test",  kCases.string(),    "--rules", rules.string(), "--signature",
      signature.string(), "--key", public_key.string()};
  r = cli(signed_test);
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(r.err.find("unsigned"), std::string::npos) << r.err;

  // One byte changed after signing (competency_age 12 -> 13, still a well-formed file).
  std::string text = text_of(rules);
  const auto at = text.find("competency_age = 12");
  ASSERT_NE(at, std::string::npos);
  text[at + 18] = '3';
  write_file(rules, view_of(text));
  r = cli(signed_test);
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");  // no case ran under the tampered rules
  r = hub({"verify", "--key", public_key.string(), rules.string()});
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
}

TEST_F(PolicyCliTest, TheHubRefusesKeysInTheWrongPlaceOrWithTheWrongMode) {
  const auto keys = dir / "operator";
  ASSERT_EQ(hub({"keygen", "--out", keys.string()}).exit, 0);
  const auto private_key = keys / "policy-signing.key";
  // The public half cannot sign, the private half does not verify.
  auto r = hub({"sign", "--key", (keys / "policy-signing.pub").string(), kRules.string(), "--out",
                (dir / "x.sig").string()});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("is not a policy signing key"), std::string::npos) << r.err;
  r = hub({"verify", "--key", private_key.string(), kRules.string(), (dir / "x.sig").string()});
  EXPECT_EQ(r.exit, 2);
  // A private key others can read is refused until it is chmod 600 again.
  ASSERT_EQ(::chmod(private_key.c_str(), 0644), 0);
  r = hub(
      {"sign", "--key", private_key.string(), kRules.string(), "--out", (dir / "x.sig").string()});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.sig"));
  r = hub({"keygen"});
  EXPECT_EQ(r.exit, 2);
}

}  // namespace
}  // namespace draaischijf::testing
