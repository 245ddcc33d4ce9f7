#include "policy/hub_policy.hpp"

#include <stdexcept>

#include <draaischijf/certs/authority.hpp>

#include "core/key_file.hpp"

namespace draaischijf::server {
namespace {

std::string read_or_throw(const std::filesystem::path& path, std::string_view setting) {
  auto text = certs::read_text_file(path);
  if (!text) {
    throw std::runtime_error(std::string(setting) + ": cannot read " + path.string() + " (" +
                             text.error().message() + ")");
  }
  return std::move(*text);
}

void write_or_throw(const std::filesystem::path& path, std::string_view text) {
  if (!certs::write_file_atomically(path, text)) {
    throw std::runtime_error("cannot write " + path.string() +
                             "; check that server.data_dir is writable");
  }
}

// The development deployment: the built-in rules, signed with the deployment's own operator
// key; the files are written to data_dir/policy for operators and clients to inspect.
HubPolicy development_policy(const HubConfig& config) {
  const auto pki = config.server.data_dir / "dev-pki";
  std::filesystem::create_directories(pki);
  const auto key = read_or_create_signing_key(pki / "policy-signing.key");
  HubPolicy policy;
  policy.text = std::string(policies::bundled_rule_text());
  policy.signature = policies::format_signature(policies::sign_rule_set(policy.text, key));
  policy.operator_key = key.public_key();
  const auto dir = config.server.data_dir / "policy";
  std::filesystem::create_directories(dir);
  write_or_throw(pki / "policy-signing.pub", policies::format_operator_key(policy.operator_key));
  write_or_throw(dir / "flemish-clb.rules", policy.text);
  write_or_throw(dir / "flemish-clb.rules.sig", policy.signature);
  return policy;
}

HubPolicy configured_policy(const HubConfig::Policy& files) {
  HubPolicy policy;
  policy.text = read_or_throw(files.rules_file, "policy.rules_file");
  policy.signature = read_or_throw(files.signature_file, "policy.signature_file");
  const auto key = policies::parse_operator_key(
      read_or_throw(files.operator_key_file, "policy.operator_key_file"));
  if (!key) {
    throw std::runtime_error("policy.operator_key_file: " + key.error().message());
  }
  policy.operator_key = *key;
  return policy;
}

}  // namespace

HubPolicy load_hub_policy(const HubConfig& config) {
  const auto& files = config.policy;
  const int given = static_cast<int>(!files.rules_file.empty()) +
                    static_cast<int>(!files.signature_file.empty()) +
                    static_cast<int>(!files.operator_key_file.empty());
  if (given != 0 && given != 3) {
    throw std::runtime_error(
        "[policy]: set rules_file, signature_file and operator_key_file together (or none, for "
        "the development deployment's built-in rule set)");
  }
  HubPolicy policy = given == 0 ? development_policy(config) : configured_policy(files);
  auto rules = policies::load_rule_set(policy.text, policy.signature, policy.operator_key);
  if (!rules) {
    throw std::runtime_error("policy: the rule set is refused: " + rules.error().message() +
                             (given == 0 ? std::string() : " (" + files.rules_file.string() + ")"));
  }
  policy.rules = std::make_shared<const policies::RuleSet>(std::move(*rules));
  return policy;
}

}  // namespace draaischijf::server
