// The hub operator signs the exact bytes of a rule file; hub and clients load it only when the
// signature verifies under the operator's key, before a single line is parsed.

#include <cstring>

#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "text_lines.hpp"

namespace draaischijf::policies {
namespace {

constexpr std::string_view kSignatureTag = "draaischijf-rule-set-signature";
constexpr std::string_view kSignatureAlgorithm = "ed25519";

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

protocol::Signature sign_rule_set(std::string_view text, const protocol::SigningKey& operator_key) {
  return operator_key.sign(kRuleSetSignatureDomain, bytes_of(text));
}

TextResult<RuleSet> load_rule_set(std::string_view text, const protocol::Signature& signature,
                                  const protocol::SigningPublicKey& operator_key) {
  if (!protocol::verify_signature(operator_key, kRuleSetSignatureDomain, bytes_of(text),
                                  signature)) {
    return TextError{errc::signature_invalid, 0, {}};
  }
  return parse_rule_set(text);
}

TextResult<RuleSet> load_rule_set(std::string_view text, std::string_view signature_text,
                                  const protocol::SigningPublicKey& operator_key) {
  auto signature = parse_signature(signature_text);
  if (!signature) {
    return signature.error();
  }
  return load_rule_set(text, *signature, operator_key);
}

std::string format_signature(const protocol::Signature& signature) {
  std::string out(kSignatureTag);
  out += ' ';
  out += kSignatureAlgorithm;
  out += ' ';
  out += protocol::base64_encode(signature);
  out += '\n';
  return out;
}

TextResult<protocol::Signature> parse_signature(std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  const auto words = detail::split_words(text);
  if (words.size() != 3 || words[0] != kSignatureTag || words[1] != kSignatureAlgorithm ||
      text.find('\n') != std::string_view::npos) {
    return TextError{errc::signature_malformed, 1,
                     "expected one line: draaischijf-rule-set-signature ed25519 BASE64"};
  }
  auto decoded = protocol::base64_decode(words[2]);
  protocol::Signature signature{};
  if (!decoded || decoded->size() != signature.size()) {
    return TextError{errc::signature_malformed, 1, "not a 64-byte base64 signature"};
  }
  std::memcpy(signature.data(), decoded->data(), signature.size());
  return signature;
}

std::string format_operator_key(const protocol::SigningPublicKey& key) {
  return protocol::base64_encode(key) + '\n';
}

TextResult<protocol::SigningPublicKey> parse_operator_key(std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  auto decoded = protocol::base64_decode(text);
  protocol::SigningPublicKey key{};
  if (!decoded || decoded->size() != key.size()) {
    return TextError{errc::bad_value, 1,
                     "expected an Ed25519 public key: 43 base64 characters on one line"};
  }
  std::memcpy(key.data(), decoded->data(), key.size());
  return key;
}

}  // namespace draaischijf::policies
