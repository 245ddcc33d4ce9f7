#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol::wire {

std::span<const std::uint8_t> Reader::take(std::size_t n) {
  if (error_) {
    return {};
  }
  if (n > remaining()) {
    error_ = errc::truncated;
    return {};
  }
  const auto out = in_.subspan(position_, n);
  position_ += n;
  return out;
}

std::uint64_t Reader::get_be(unsigned width) {
  const auto b = take(width);
  std::uint64_t v = 0;
  for (const std::uint8_t byte : b) {
    v = (v << 8U) | byte;
  }
  return v;
}

std::string Reader::ascii8() {
  const auto b = bytes8();
  if (!is_printable_ascii(b)) {
    fail(errc::non_canonical);
    return {};
  }
  return {b.begin(), b.end()};
}

namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

bool is_printable_ascii(std::span<const std::uint8_t> bytes) noexcept {
  return std::all_of(bytes.begin(), bytes.end(),
                     [](std::uint8_t c) { return c >= 0x20 && c <= 0x7e; });
}

bool is_printable_ascii(std::string_view text) noexcept {
  return is_printable_ascii(as_bytes(text));
}

bool is_clean_utf8(std::string_view text) noexcept { return is_clean_utf8(as_bytes(text)); }

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) without C0 or C1
// controls or bidirectional overrides,
// so file names cannot smuggle terminal escapes or line breaks into a user interface.
bool is_clean_utf8(std::span<const std::uint8_t> b) noexcept {
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t c = b[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((c & 0xe0U) == 0xc0U) {
      length = 2;
      code = c & 0x1fU;
    } else if ((c & 0xf0U) == 0xe0U) {
      length = 3;
      code = c & 0x0fU;
    } else if ((c & 0xf8U) == 0xf0U) {
      length = 4;
      code = c & 0x07U;
    } else {
      return false;
    }
    if (i + length > b.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((b[i + k] & 0xc0U) != 0x80U) {
        return false;
      }
      code = (code << 6U) | (b[i + k] & 0x3fU);
    }
    constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    // C1 controls (U+009B starts a terminal escape) and bidirectional overrides and isolates,
    // which can make "rapport.exe.pdf" read as something else.
    if ((code >= 0x80 && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) ||
        (code >= 0x2066 && code <= 0x2069)) {
      return false;
    }
    i += length;
  }
  return true;
}

namespace {

std::string clean_text(Reader& r, std::span<const std::uint8_t> b) {
  if (!is_clean_utf8(b)) {
    r.fail(errc::non_canonical);
    return {};
  }
  return {b.begin(), b.end()};
}

}  // namespace

std::string Reader::utf8_8() { return clean_text(*this, bytes8()); }

std::string Reader::utf8_16() { return clean_text(*this, bytes16()); }

Result<void> Reader::status() const {
  if (error_) {
    return *error_;
  }
  return {};
}

Result<void> Reader::finish() const {
  if (error_) {
    return *error_;
  }
  if (remaining() != 0) {
    return errc::trailing_data;
  }
  return {};
}

}  // namespace draaischijf::protocol::wire
