#pragma once

// Secret material: move-only, wiped on destruction and on every reallocation, compared in
// constant time, never printable. The bytes are reached only through expose(), so a reader can
// grep for every place a secret leaves its wrapper.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace draaischijf::protocol {

/// Makes sure libsodium is initialised (thread-safe, idempotent). Throws only if the library
/// cannot start, which is a broken invariant of the process.
void ensure_sodium();

/// Overwrites memory in a way the compiler may not optimise away.
void secure_wipe(void* data, std::size_t size) noexcept;

/// Constant-time equality of two equally long byte ranges; unequal lengths are unequal.
[[nodiscard]] bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

/// Fills with random bytes from the operating system.
void random_fill(std::span<std::uint8_t> out);

/// An allocator that wipes every buffer it hands back, so a vector that grows leaves no copy
/// of its old contents behind.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  explicit WipingAllocator(const WipingAllocator<U>& /*unused*/) noexcept {}
  [[nodiscard]] T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>& /*unused*/) const noexcept {
    return true;
  }
};

using SecretBuffer = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

/// A variable-length secret (plaintext of a message, a derived key of caller-chosen length).
class SecretBytes {
 public:
  SecretBytes() = default;
  /// `size` zero bytes.
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  explicit SecretBytes(SecretBuffer&& buffer) noexcept : bytes_(std::move(buffer)) {}
  [[nodiscard]] static SecretBytes copy_of(std::span<const std::uint8_t> bytes);
  [[nodiscard]] static SecretBytes random(std::size_t size);

  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() = default;  // the allocator wipes

  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }

  /// Appends; a reallocation wipes the old buffer.
  void append(std::span<const std::uint8_t> bytes);
  /// Shrinks or grows; bytes cut off are wiped, new bytes are zero.
  void resize(std::size_t size);
  void reserve(std::size_t capacity) { bytes_.reserve(capacity); }

  [[nodiscard]] std::span<const std::uint8_t> expose() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t> expose_mutable() noexcept { return bytes_; }

  [[nodiscard]] bool ct_equal(const SecretBytes& other) const {
    return protocol::ct_equal(expose(), other.expose());
  }
  bool operator==(const SecretBytes&) const = delete;

 private:
  SecretBuffer bytes_;
};

/// A fixed-size secret key. Moving copies the bytes and wipes the source.
template <std::size_t N>
class SecretKey {
 public:
  static constexpr std::size_t kSize = N;

  SecretKey() noexcept { bytes_.fill(0); }
  [[nodiscard]] static SecretKey random() {
    SecretKey key;
    random_fill(key.bytes_);
    return key;
  }
  [[nodiscard]] static SecretKey copy_of(std::span<const std::uint8_t, N> bytes) noexcept {
    SecretKey key;
    std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
    return key;
  }

  SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }
  SecretKey& operator=(SecretKey&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      other.wipe();
    }
    return *this;
  }
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey() { wipe(); }

  [[nodiscard]] std::span<const std::uint8_t, N> expose() const noexcept { return bytes_; }
  [[nodiscard]] std::span<std::uint8_t, N> expose_mutable() noexcept { return bytes_; }
  [[nodiscard]] bool ct_equal(const SecretKey& other) const {
    return protocol::ct_equal(expose(), other.expose());
  }
  bool operator==(const SecretKey&) const = delete;

 private:
  void wipe() noexcept { secure_wipe(bytes_.data(), bytes_.size()); }
  std::array<std::uint8_t, N> bytes_;
};

}  // namespace draaischijf::protocol
