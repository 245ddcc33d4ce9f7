#include <cstdint>
#include <optional>

#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::protocol {
namespace {

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;  // bytes it took
};

// One UTF-8 sequence at the start of `text`, or nothing when it is not well formed (overlong,
// surrogate, above U+10FFFF, truncated): RFC 3629 section 4.
std::optional<CodePoint> next_code_point(std::string_view text) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) {
    return CodePoint{lead, 1};
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2;
    value = lead & 0x1FU;
    minimum = 0x80;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3;
    value = lead & 0x0FU;
    minimum = 0x800;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4;
    value = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() < length) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) {
      return std::nullopt;
    }
    value = (value << 6U) | (byte(i) & 0x3FU);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

// Characters that move the cursor, start an escape sequence, end a line or reorder the text
// around them (Unicode's bidi formatting characters: UAX #9, section 2).
bool is_unsafe(char32_t c) noexcept {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

void append_hex(std::string& out, std::uint32_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += kDigits[(value >> static_cast<unsigned>(shift)) & 0xFU];
  }
}

}  // namespace

bool is_display_safe(std::string_view text) noexcept {
  while (!text.empty()) {
    const auto point = next_code_point(text);
    if (!point || is_unsafe(point->value)) {
      return false;
    }
    text.remove_prefix(point->length);
  }
  return true;
}

std::string escape_for_terminal(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto point = next_code_point(text);
    if (!point || point->value < 0x20 || point->value == 0x7F) {
      const auto value = static_cast<std::uint8_t>(text.front());
      if (keep_newlines && value == '\n') {
        out += '\n';
      } else {
        out += "\\x";
        append_hex(out, value, 2);
      }
      text.remove_prefix(1);
      continue;
    }
    if (is_unsafe(point->value)) {
      out += "\\u{";
      append_hex(out, point->value, 4);
      out += '}';
    } else {
      out.append(text.substr(0, point->length));
    }
    text.remove_prefix(point->length);
  }
  return out;
}

}  // namespace draaischijf::protocol
