#include <stdexcept>

#include <sodium.h>

#include <draaischijf/protocol/hkdf.hpp>

namespace draaischijf::protocol {

void hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message,
                 std::span<std::uint8_t, 32> out) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  // libsodium declares the key pointer non-null even for an empty key (an absent HKDF salt).
  static constexpr unsigned char kNoKey = 0;
  crypto_auth_hmacsha256_init(&state, key.empty() ? &kNoKey : key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, message.data(), message.size());
  crypto_auth_hmacsha256_final(&state, out.data());
  secure_wipe(&state, sizeof state);
}

SecretBytes hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                        std::string_view info, std::size_t length) {
  if (length > kHkdfSha256MaxOutput) {
    throw std::logic_error("HKDF output length above 255 * HashLen");
  }
  ensure_sodium();
  // RFC 5869 2.2: an absent salt is HashLen zero bytes, which HMAC pads to the same key as "".
  SecretKey<32> prk;
  hmac_sha256(salt, ikm, prk.expose_mutable());

  SecretBytes out(length);
  SecretKey<32> block;
  std::size_t produced = 0;
  for (std::uint8_t counter = 1; produced < length; ++counter) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, prk.expose().data(), prk.kSize);
    if (counter > 1) {
      crypto_auth_hmacsha256_update(&state, block.expose().data(), block.kSize);
    }
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(info.data()),
                                  info.size());
    crypto_auth_hmacsha256_update(&state, &counter, 1);
    crypto_auth_hmacsha256_final(&state, block.expose_mutable().data());
    secure_wipe(&state, sizeof state);
    const std::size_t take = std::min<std::size_t>(32, length - produced);
    std::copy_n(block.expose().begin(), take,
                out.expose_mutable().begin() + static_cast<std::ptrdiff_t>(produced));
    produced += take;
  }
  return out;
}

}  // namespace draaischijf::protocol
