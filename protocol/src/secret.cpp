#include <mutex>
#include <stdexcept>

#include <sodium.h>

#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium failed to initialise");
    }
  });
}

void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) {
    sodium_memzero(data, size);
  }
}

bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_fill(std::span<std::uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

SecretBytes SecretBytes::copy_of(std::span<const std::uint8_t> bytes) {
  SecretBytes secret;
  secret.append(bytes);
  return secret;
}

SecretBytes SecretBytes::random(std::size_t size) {
  SecretBytes secret(size);
  random_fill(secret.expose_mutable());
  return secret;
}

void SecretBytes::append(std::span<const std::uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

void SecretBytes::resize(std::size_t size) {
  if (size < bytes_.size()) {
    // std::vector keeps the cut-off tail in its capacity; wipe it first.
    secure_wipe(bytes_.data() + size, bytes_.size() - size);
  }
  bytes_.resize(size);
}

}  // namespace draaischijf::protocol
