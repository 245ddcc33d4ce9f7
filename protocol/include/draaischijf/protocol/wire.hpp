#pragma once

// The canonical binary encoding shared by every structure: big-endian fixed-width integers,
// fixed-size byte fields, and length-prefixed byte strings. There is exactly one encoding of each
// value, so "parse then re-encode" gives the input back byte for byte.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol::wire {

/// Printable ASCII (0x20..0x7e): media types and other machine-readable labels.
[[nodiscard]] bool is_printable_ascii(std::span<const std::uint8_t> bytes) noexcept;
[[nodiscard]] bool is_printable_ascii(std::string_view text) noexcept;
/// Strict UTF-8 without control characters: file names and other text shown to people.
[[nodiscard]] bool is_clean_utf8(std::span<const std::uint8_t> bytes) noexcept;
[[nodiscard]] bool is_clean_utf8(std::string_view text) noexcept;

/// Appends canonical fields to a byte vector (a plain one for public data, a SecretBuffer for
/// plaintext that must be wiped).
template <class Bytes>
class BasicWriter {
 public:
  explicit BasicWriter(Bytes& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  /// A byte string with a 1-byte length prefix; the caller guarantees size <= 255.
  void bytes8(std::span<const std::uint8_t> b) {
    u8(static_cast<std::uint8_t>(b.size()));
    bytes(b);
  }
  /// A byte string with a 2-byte length prefix; the caller guarantees size <= 65535.
  void bytes16(std::span<const std::uint8_t> b) {
    u16(static_cast<std::uint16_t>(b.size()));
    bytes(b);
  }
  /// A byte string with a 4-byte length prefix; the caller guarantees size < 2^32.
  void bytes32(std::span<const std::uint8_t> b) {
    u32(static_cast<std::uint32_t>(b.size()));
    bytes(b);
  }
  void text8(std::string_view s) { bytes8(as_bytes(s)); }
  void text16(std::string_view s) { bytes16(as_bytes(s)); }
  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }

 private:
  static std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }
  void put_be(std::uint64_t v, unsigned width) {
    for (unsigned i = width; i > 0; --i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8U * (i - 1))));
    }
  }
  Bytes& out_;
};

using Writer = BasicWriter<std::vector<std::uint8_t>>;
using SecretWriter = BasicWriter<SecretBuffer>;

/// Reads canonical fields. The first failure is sticky: later reads return zero values and
/// finish() reports the first error, so a parser reads every field and checks once.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  [[nodiscard]] std::uint8_t u8() { return static_cast<std::uint8_t>(get_be(1)); }
  [[nodiscard]] std::uint16_t u16() { return static_cast<std::uint16_t>(get_be(2)); }
  [[nodiscard]] std::uint32_t u32() { return static_cast<std::uint32_t>(get_be(4)); }
  [[nodiscard]] std::uint64_t u64() { return get_be(8); }
  template <std::size_t N>
  [[nodiscard]] std::array<std::uint8_t, N> fixed() {
    std::array<std::uint8_t, N> out{};
    const auto src = take(N);
    std::copy(src.begin(), src.end(), out.begin());
    return out;
  }
  /// A view into the input (no copy).
  [[nodiscard]] std::span<const std::uint8_t> take(std::size_t n);
  [[nodiscard]] std::span<const std::uint8_t> bytes8() { return take(u8()); }
  [[nodiscard]] std::span<const std::uint8_t> bytes16() { return take(u16()); }
  [[nodiscard]] std::span<const std::uint8_t> bytes32() { return take(u32()); }
  /// Printable ASCII (0x20..0x7e) only; anything else fails with non_canonical.
  [[nodiscard]] std::string ascii8();
  /// UTF-8 text; control characters and invalid sequences fail with non_canonical.
  [[nodiscard]] std::string utf8_8();
  [[nodiscard]] std::string utf8_16();

  /// Marks the input as refused with a specific error (the first one wins).
  void fail(errc e) {
    if (!error_) {
      error_ = e;
    }
  }
  [[nodiscard]] bool ok() const noexcept { return !error_; }
  [[nodiscard]] std::size_t position() const noexcept { return position_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - position_; }
  /// The first error, or trailing_data when bytes are left over.
  [[nodiscard]] Result<void> finish() const;
  /// The first error, ignoring what is left.
  [[nodiscard]] Result<void> status() const;

 private:
  std::uint64_t get_be(unsigned width);
  std::span<const std::uint8_t> in_;
  std::size_t position_ = 0;
  std::optional<errc> error_;
};

}  // namespace draaischijf::protocol::wire
