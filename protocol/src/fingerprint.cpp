#include <cctype>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::size_t kFingerprintBytes = 20;

std::string grouped_hex(std::span<const std::uint8_t> bytes) {
  const std::string hex = hex_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 4) {
    if (i != 0) {
      out += ' ';
    }
    out += hex.substr(i, 4);
  }
  return out;
}

}  // namespace

std::string fingerprint(const SigningPublicKey& key) {
  const auto id = key_id_of(key);
  return grouped_hex(std::span(id).first(kFingerprintBytes));
}

std::string device_fingerprint(const SigningPublicKey& signing_key,
                               const X25519PublicKey& encryption_key, std::string_view role) {
  const auto role_bytes =
      std::span(reinterpret_cast<const std::uint8_t*>(role.data()), role.size());
  const auto hash =
      hash256("draaischijf device fingerprint v2", {signing_key, encryption_key, role_bytes});
  return grouped_hex(std::span(hash).first(kFingerprintBytes));
}

bool same_fingerprint(std::string_view a, std::string_view b) {
  const auto canonical = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      if (std::isspace(static_cast<unsigned char>(c)) == 0 && c != '-' && c != ':') {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return out;
  };
  const std::string left = canonical(a);
  return !left.empty() && left == canonical(b);
}

}  // namespace draaischijf::protocol
