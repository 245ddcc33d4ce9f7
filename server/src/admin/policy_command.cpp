#include "admin/policy_command.hpp"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "admin/command_words.hpp"
#include "core/key_file.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPolicyUsage =
    R"(draaischijf-hub policy - the operator's signing tool for the policy rule set

Usage:
  policy keygen --out DIR
         Makes the operator's Ed25519 policy key pair: DIR/policy-signing.key (the private
         seed, mode 0600: keep it offline and backed up, never share it) and
         DIR/policy-signing.pub (base64, for the hubs and for data-protection officers who
         check signatures). Never overwrites a key.
  policy sign --key DIR/policy-signing.key RULES [--out SIG]
         Checks that RULES parses, then writes its detached signature to SIG (default
         RULES.sig). Sign again after every change, with a new version in [ruleset].
  policy verify --key DIR/policy-signing.pub RULES [SIG]
         Checks SIG (default RULES.sig) over the exact bytes of RULES, then parses RULES;
         prints the rule set's name, version and rule count.

A data-protection officer tests a change before it is signed with
  draaischijf policy test CASES --rules RULES      (docs/POLICY.md, section 7)
Exit codes: 0 done, 1 refused or failed, 2 usage error.
)";

// Named like the hub's own key pair (hub-signing.key, hub-signing.pub), in the same formats.
constexpr std::string_view kPrivateKeyName = "policy-signing.key";
constexpr std::string_view kPublicKeyName = "policy-signing.pub";

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

bool parse_policy_words(const std::vector<std::string_view>& args,
                        std::initializer_list<std::string_view> known, Words& out,
                        std::ostream& err) {
  const std::string command = "policy " + std::string(args.at(0));
  return parse_words(args, known, {}, command, "draaischijf-hub policy --help", out, err);
}

int usage(std::ostream& err, std::string_view synopsis) {
  err << "usage: draaischijf-hub " << synopsis << "\n(draaischijf-hub policy --help explains)\n";
  return kUsage;
}

std::optional<std::string> read_file(const fs::path& path, std::string_view what,
                                     std::ostream& err) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (auto text = certs::read_text_file(path)) {
      return std::move(*text);
    }
  }
  err << "error: cannot read " << what << " " << path.string()
      << ": not a readable file; check the path\n";
  return std::nullopt;
}

// The private key (core/key_file.hpp), or nullopt after saying why.
std::optional<protocol::SigningKey> read_signing_key(const fs::path& path, std::ostream& err) {
  std::string problem;
  auto key = read_operator_signing_key(path, kPublicKeyName, problem);
  if (!key) {
    err << "error: " << path.string() << " " << problem << "; --key takes the " << kPrivateKeyName
        << " file that policy keygen wrote\n";
  }
  return key;
}

std::optional<protocol::SigningPublicKey> read_public_key(const fs::path& path, std::ostream& err) {
  const auto text = read_file(path, "the operator's public key", err);
  if (!text) {
    return std::nullopt;
  }
  auto key = policies::parse_operator_key(*text);
  if (!key) {
    err << "error: " << path.string() << ": " << key.error().message() << "; --key takes the "
        << kPublicKeyName << " file that policy keygen wrote (the public half)\n";
    return std::nullopt;
  }
  return *key;
}

void print_rule_set(std::ostream& out, const policies::RuleSet& rules,
                    const protocol::SigningPublicKey& key) {
  out << "  rule set " << rules.name() << " version " << rules.version() << ", "
      << rules.rules().size() << " rules\n  operator key " << policies::format_operator_key(key);
}

int keygen(const Words& words, std::ostream& out, std::ostream& err) {
  if (!words.positional.empty() || !words.has("out")) {
    return usage(err, "policy keygen --out DIR");
  }
  const fs::path dir = words.one("out");
  const fs::path private_path = dir / kPrivateKeyName;
  const fs::path public_path = dir / kPublicKeyName;
  std::error_code ec;
  if (fs::exists(private_path, ec) || fs::exists(public_path, ec)) {
    err << "error: " << dir.string() << " already holds an operator policy key; keygen never "
        << "overwrites one (every signed rule set and every hub depends on it): move it away "
           "first, or give another --out\n";
    return kFailed;
  }
  if (fs::create_directories(dir, ec)) {
    fs::permissions(dir, fs::perms::owner_all, ec);  // a folder made here is the operator's only
  }
  if (ec) {
    err << "error: cannot create " << dir.string() << ": " << ec.message()
        << "; check the path and its permissions\n";
    return kFailed;
  }
  // The same file as the hub's own keys (key_file.hpp): the raw seed, 0600, never overwritten.
  std::optional<protocol::SigningKey> key;
  try {
    key.emplace(read_or_create_signing_key(private_path));
  } catch (const std::runtime_error&) {
    err << "error: cannot write " << private_path.string()
        << "; check that --out names a folder you can write\n";
    return kFailed;
  }
  const std::string public_text = policies::format_operator_key(key->public_key());
  if (!certs::write_file_atomically(public_path, public_text)) {
    ::unlink(private_path.c_str());  // half a key pair is of no use to anyone
    err << "error: cannot write " << public_path.string() << "; check the folder's permissions\n";
    return kFailed;
  }
  out << "operator policy key made\n  private key " << private_path.string()
      << " (mode 0600: keep it offline and backed up, never share it)\n  public key  "
      << public_path.string() << "\n  " << public_text
      << "give the public key to the hubs and to the data-protection officers who check "
         "signatures\n";
  return kOk;
}

int sign(const Words& words, std::ostream& out, std::ostream& err) {
  if (words.positional.size() != 1 || !words.has("key")) {
    return usage(err, "policy sign --key PRIVATE_KEY RULES [--out SIG]");
  }
  const fs::path rules_path = words.positional[0];
  const fs::path signature_path = words.one("out", rules_path.string() + ".sig");
  const auto text = read_file(rules_path, "the rule file", err);
  if (!text) {
    return kUsage;
  }
  // A file the hub cannot parse is refused however it is signed: say so before signing it.
  const auto rules = policies::parse_rule_set(*text);
  if (!rules) {
    err << "error: " << rules_path.string() << ": " << rules.error().message()
        << "\n  fix the rule file first (docs/POLICY.md, section 8): the hub refuses a file it "
           "cannot parse, signed or not\n";
    return kFailed;
  }
  const auto key = read_signing_key(words.one("key"), err);
  if (!key) {
    return kUsage;
  }
  const std::string signature = policies::format_signature(policies::sign_rule_set(*text, *key));
  if (auto written = certs::write_file_atomically(signature_path, signature); !written) {
    err << "error: cannot write " << signature_path.string() << ": " << written.error().message()
        << "; check the folder's permissions, or give --out\n";
    return kFailed;
  }
  out << "signed " << rules_path.string() << " into " << signature_path.string() << "\n";
  print_rule_set(out, *rules, key->public_key());
  return kOk;
}

int verify(const Words& words, std::ostream& out, std::ostream& err) {
  if (words.positional.empty() || words.positional.size() > 2 || !words.has("key")) {
    return usage(err, "policy verify --key PUBLIC_KEY RULES [SIG]");
  }
  const fs::path rules_path = words.positional[0];
  const fs::path signature_path =
      fs::path(words.positional.size() == 2 ? std::string(words.positional[1])
                                            : rules_path.string() + ".sig");
  const auto key = read_public_key(words.one("key"), err);
  const auto text = key ? read_file(rules_path, "the rule file", err) : std::nullopt;
  const auto signature = text ? read_file(signature_path, "the signature", err) : std::nullopt;
  if (!signature) {
    return kUsage;
  }
  const auto rules = policies::load_rule_set(*text, *signature, *key);
  if (!rules && rules.error().code == policies::errc::signature_invalid) {
    err << "error: " << rules_path.string() << " does not verify against "
        << signature_path.string() << " under the key in " << words.one("key")
        << "\n  the file changed after it was signed, the signature belongs to another version, "
           "or another key signed it: if the change is intended, review it and sign it again "
           "(policy sign); otherwise restore the files that were published\n";
    return kFailed;
  }
  if (!rules) {
    const bool signature_text = rules.error().code == policies::errc::signature_malformed;
    err << "error: " << (signature_text ? signature_path : rules_path).string() << ": "
        << rules.error().message() << "\n  "
        << (signature_text ? "give the signature file that policy sign wrote"
                           : "signed, but the hub refuses a file it cannot parse: fix it and "
                             "sign it again")
        << "\n";
    return kFailed;
  }
  out << "verified " << rules_path.string() << " with " << signature_path.string() << "\n";
  print_rule_set(out, *rules, *key);
  return kOk;
}

}  // namespace

int policy_command(const std::vector<std::string_view>& args, std::ostream& out,
                   std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kPolicyUsage;
    return args.empty() ? kUsage : kOk;
  }
  const std::string_view command = args[0];
  Words words;
  if (command == "keygen") {
    return parse_policy_words(args, {"out"}, words, err) ? keygen(words, out, err) : kUsage;
  }
  if (command == "sign") {
    return parse_policy_words(args, {"key", "out"}, words, err) ? sign(words, out, err) : kUsage;
  }
  if (command == "verify") {
    return parse_policy_words(args, {"key"}, words, err) ? verify(words, out, err) : kUsage;
  }
  err << "error: unknown policy command " << command << "; run draaischijf-hub policy --help\n";
  return kUsage;
}

}  // namespace draaischijf::server
