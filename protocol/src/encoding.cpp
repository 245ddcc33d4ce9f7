#include <array>
#include <cctype>

#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::string_view kHexDigits = "0123456789abcdef";

constexpr int kInvalid = -1;

constexpr std::array<int, 256> make_reverse(std::string_view alphabet) {
  std::array<int, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

constexpr auto kBase64Reverse = make_reverse(kBase64Alphabet);
constexpr auto kBech32Reverse = make_reverse(kBech32Alphabet);
constexpr auto kHexReverse = make_reverse(kHexDigits);

std::uint32_t bech32_polymod(std::span<const std::uint8_t> values) {
  constexpr std::array<std::uint32_t, 5> kGenerator = {0x3b6a57b2U, 0x26508e6dU, 0x1ea119faU,
                                                       0x3d4233ddU, 0x2a1462b3U};
  std::uint32_t checksum = 1;
  for (const std::uint8_t value : values) {
    const std::uint32_t top = checksum >> 25U;
    checksum = ((checksum & 0x1ffffffU) << 5U) ^ value;
    for (std::size_t i = 0; i < kGenerator.size(); ++i) {
      if (((top >> i) & 1U) != 0U) {
        checksum ^= kGenerator[i];
      }
    }
  }
  return checksum;
}

// Bech32 carries age secret keys, so every intermediate buffer of the encoder and the decoder
// is a SecretBuffer: wiped when freed, and reserved up front so no reallocation leaves a copy.
using Bits = SecretBuffer;

// A string of the secret's characters, wiped on every way out (SSO included).
class WipedText {
 public:
  explicit WipedText(std::size_t capacity) { text_.reserve(capacity); }
  WipedText(const WipedText&) = delete;
  WipedText& operator=(const WipedText&) = delete;
  ~WipedText() { secure_wipe(text_.data(), text_.capacity()); }
  std::string& get() noexcept { return text_; }

 private:
  std::string text_;
};

Bits hrp_expand(std::string_view hrp, std::size_t more) {
  Bits out;
  out.reserve(hrp.size() * 2 + 1 + more);
  for (const char c : hrp) {
    out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5U));
  }
  out.push_back(0);
  for (const char c : hrp) {
    out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31U));
  }
  return out;
}

// Regroups bits; when decoding (pad == false) leftover bits must be zero and fewer than `from`.
bool convert_bits(std::span<const std::uint8_t> in, unsigned from, unsigned to, bool pad,
                  Bits& out) {
  out.reserve(out.size() + (in.size() * from + to - 1) / to);
  std::uint32_t accumulator = 0;
  unsigned bits = 0;
  const std::uint32_t max_value = (1U << to) - 1U;
  for (const std::uint8_t value : in) {
    accumulator = (accumulator << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & max_value));
    }
  }
  if (pad) {
    if (bits > 0) {
      out.push_back(static_cast<std::uint8_t>((accumulator << (to - bits)) & max_value));
    }
    return true;
  }
  return bits < from && ((accumulator << (to - bits)) & max_value) == 0;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group =
        (std::uint32_t{bytes[i]} << 16U) | (std::uint32_t{bytes[i + 1]} << 8U) | bytes[i + 2];
    out += kBase64Alphabet[(group >> 18U) & 63U];
    out += kBase64Alphabet[(group >> 12U) & 63U];
    out += kBase64Alphabet[(group >> 6U) & 63U];
    out += kBase64Alphabet[group & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = std::uint32_t{bytes[i]} << 16U;
    out += kBase64Alphabet[(group >> 18U) & 63U];
    out += kBase64Alphabet[(group >> 12U) & 63U];
  } else if (rest == 2) {
    const std::uint32_t group =
        (std::uint32_t{bytes[i]} << 16U) | (std::uint32_t{bytes[i + 1]} << 8U);
    out += kBase64Alphabet[(group >> 18U) & 63U];
    out += kBase64Alphabet[(group >> 12U) & 63U];
    out += kBase64Alphabet[(group >> 6U) & 63U];
  }
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return errc::bad_base64;  // no byte count encodes to 4k+1 characters
  }
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t accumulator = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const int value = kBase64Reverse[static_cast<unsigned char>(c)];
    if (value == kInvalid) {
      return errc::bad_base64;
    }
    accumulator = (accumulator << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & 0xffU));
    }
  }
  // Canonical: the unused low bits of the last character must be zero.
  if ((accumulator & ((1U << bits) - 1U)) != 0) {
    return errc::bad_base64;
  }
  return out;
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out += kHexDigits[b >> 4U];
    out += kHexDigits[b & 15U];
  }
  return out;
}

Result<std::vector<std::uint8_t>> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return errc::non_canonical;
  }
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = kHexReverse[static_cast<unsigned char>(text[i])];
    const int low = kHexReverse[static_cast<unsigned char>(text[i + 1])];
    if (high == kInvalid || low == kInvalid) {
      return errc::non_canonical;
    }
    out.push_back(static_cast<std::uint8_t>((high << 4) | low));
  }
  return out;
}

std::string bech32_encode(std::string_view hrp, std::span<const std::uint8_t> data, bool upper) {
  std::string lower_hrp;
  for (const char c : hrp) {
    lower_hrp += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Bits values;
  convert_bits(data, 8, 5, true, values);
  Bits checked = hrp_expand(lower_hrp, values.size() + 6);
  checked.insert(checked.end(), values.begin(), values.end());
  checked.insert(checked.end(), 6, 0);
  const std::uint32_t polymod = bech32_polymod(checked) ^ 1U;
  std::string out = lower_hrp + "1";
  for (const std::uint8_t v : values) {
    out += kBech32Alphabet[v];
  }
  for (unsigned i = 0; i < 6; ++i) {
    out += kBech32Alphabet[(polymod >> (5U * (5U - i))) & 31U];
  }
  if (upper) {
    for (char& c : out) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Result<Bech32Decoded> bech32_decode(std::string_view text) {
  bool has_lower = false;
  bool has_upper = false;
  WipedText wiped_lower(text.size());
  std::string& lower = wiped_lower.get();
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) {
      return errc::bad_bech32;
    }
    has_lower = has_lower || std::islower(u) != 0;
    has_upper = has_upper || std::isupper(u) != 0;
    lower += static_cast<char>(std::tolower(u));
  }
  if (has_lower && has_upper) {
    return errc::bad_bech32;
  }
  const std::size_t separator = lower.rfind('1');
  if (separator == std::string::npos || separator == 0 || separator + 7 > lower.size()) {
    return errc::bad_bech32;
  }
  Bech32Decoded decoded;
  decoded.hrp = lower.substr(0, separator);
  Bits values;
  values.reserve(lower.size() - separator);
  for (std::size_t i = separator + 1; i < lower.size(); ++i) {
    const int v = kBech32Reverse[static_cast<unsigned char>(lower[i])];
    if (v == kInvalid) {
      return errc::bad_bech32;
    }
    values.push_back(static_cast<std::uint8_t>(v));
  }
  Bits checked = hrp_expand(decoded.hrp, values.size());
  checked.insert(checked.end(), values.begin(), values.end());
  if (bech32_polymod(checked) != 1U) {
    return errc::bad_bech32;
  }
  values.resize(values.size() - 6);
  if (!convert_bits(values, 5, 8, false, decoded.data)) {
    return errc::bad_bech32;
  }
  return decoded;
}

}  // namespace draaischijf::protocol
