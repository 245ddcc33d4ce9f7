#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <sodium.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::protocol::note {
namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014 and a space
constexpr std::string_view kCosignatureHeader = "cosignature/v1\ntime ";
constexpr std::size_t kKeyIdSize = 4;
constexpr std::size_t kTimestampSize = 8;
constexpr std::size_t kEd25519Size = 64;

// Valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) and no C0 control
// character but the newline (signed-note "Format").
bool is_note_text(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if (b < 0x20 && b != '\n') {
        return false;
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b & 0xE0U) == 0xC0U) {
      length = 2, cp = b & 0x1FU, min = 0x80;
    } else if ((b & 0xF0U) == 0xE0U) {
      length = 3, cp = b & 0x0FU, min = 0x800;
    } else if ((b & 0xF8U) == 0xF0U) {
      length = 4, cp = b & 0x07U, min = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0U) != 0x80U) {
        return false;
      }
      cp = (cp << 6U) | (c & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// Key names here are printable ASCII without space or '+': stricter than signed-note (which
// allows any non-space Unicode), so a name can never hide a Unicode space.
bool is_key_name(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](char c) { return c > 0x20 && c < 0x7F && c != '+'; });
}

std::uint32_t read_u32(std::span<const std::uint8_t> b) noexcept {
  return (std::uint32_t{b[0]} << 24U) | (std::uint32_t{b[1]} << 16U) | (std::uint32_t{b[2]} << 8U) |
         std::uint32_t{b[3]};
}

void write_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> static_cast<unsigned>(shift)));
  }
}

// Splits text that ends with a newline into its lines (without the newlines).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

Result<Signature> parse_signature_line(std::string_view line) {
  if (!line.starts_with(kEmDashSpace)) {
    return tlog_errc::note_signature_malformed;
  }
  line.remove_prefix(kEmDashSpace.size());
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return tlog_errc::note_signature_malformed;
  }
  Signature signature;
  signature.name = std::string(line.substr(0, space));
  auto bytes = decode_base64_padded(line.substr(space + 1));
  if (!is_key_name(signature.name) || !bytes || bytes->size() <= kKeyIdSize) {
    return tlog_errc::note_signature_malformed;
  }
  signature.key_id = read_u32(*bytes);
  signature.bytes.assign(bytes->begin() + kKeyIdSize, bytes->end());
  return signature;
}

std::string cosigned_message(std::string_view text, std::uint64_t timestamp) {
  std::string message(kCosignatureHeader);
  message += std::to_string(timestamp);
  message += '\n';
  message += text;
  return message;
}

// The signatures in `note` made by `key` (the name and the key id both match): the others are
// ignored, as signed-note requires.
std::vector<const Signature*> by_key(const SignedNote& note, const VerifierKey& key) {
  std::vector<const Signature*> out;
  const std::uint32_t id = key.key_id();
  for (const Signature& s : note.signatures) {
    if (s.name == key.name && s.key_id == id) {
      out.push_back(&s);
    }
  }
  return out;
}

protocol::Signature ed25519_of(std::span<const std::uint8_t> bytes) {
  protocol::Signature out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace

// One encoding per value: the unpadded decoder refuses non-zero trailing bits.
Result<std::vector<std::uint8_t>> decode_base64_padded(std::string_view text) {
  if (text.size() % 4 != 0) {
    return errc::bad_base64;
  }
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') {
    ++pad;
  }
  const std::string_view body = text.substr(0, text.size() - pad);
  if (body.find('=') != std::string_view::npos || (4 - body.size() % 4) % 4 != pad) {
    return errc::bad_base64;
  }
  return base64_decode(body);
}

std::string encode_base64_padded(std::span<const std::uint8_t> bytes) {
  std::string text = base64_encode(bytes);
  text.append((4 - text.size() % 4) % 4, '=');
  return text;
}

protocol::Signature sign_text(const SigningKey& key, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("a signed note's text holds no zero byte");
  }
  // The libsodium secret key is derived again from the seed: SigningKey signs only with a domain.
  const SecretKey<32> seed = key.expose_seed();
  SecretKey<64> secret;
  SigningPublicKey public_key{};
  crypto_sign_seed_keypair(public_key.data(), secret.expose_mutable().data(), seed.expose().data());
  protocol::Signature signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                       secret.expose().data());
  return signature;
}

bool verify_text(const SigningPublicKey& key, std::string_view text,
                 const protocol::Signature& signature) {
  ensure_sodium();
  if (text.find('\0') != std::string_view::npos) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), key.data()) == 0;
}

Result<SignedNote> parse(std::string_view note) {
  if (note.size() > kMaxNoteSize || !note.ends_with('\n') || !is_note_text(note)) {
    return tlog_errc::note_malformed;
  }
  // The text ends at the last blank line; what follows is signature lines only.
  const std::size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) {
    return tlog_errc::note_malformed;
  }
  SignedNote out;
  out.text = std::string(note.substr(0, blank + 1));
  const std::vector<std::string_view> lines = lines_of(note.substr(blank + 2));
  if (lines.empty() || lines.size() > kMaxSignatures) {
    return tlog_errc::note_malformed;
  }
  for (const std::string_view line : lines) {
    auto signature = parse_signature_line(line);
    if (!signature) {
      return signature.error();
    }
    out.signatures.push_back(std::move(*signature));
  }
  return out;
}

std::string encode(const SignedNote& note) {
  std::string out = note.text;
  out += '\n';
  for (const Signature& s : note.signatures) {
    std::vector<std::uint8_t> bytes = {
        static_cast<std::uint8_t>(s.key_id >> 24U), static_cast<std::uint8_t>(s.key_id >> 16U),
        static_cast<std::uint8_t>(s.key_id >> 8U), static_cast<std::uint8_t>(s.key_id)};
    bytes.insert(bytes.end(), s.bytes.begin(), s.bytes.end());
    out += kEmDashSpace;
    out += s.name;
    out += ' ';
    out += encode_base64_padded(bytes);
    out += '\n';
  }
  return out;
}

std::uint32_t VerifierKey::key_id() const {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(name.data()),
                            name.size());
  const std::uint8_t separator[2] = {'\n', type};
  crypto_hash_sha256_update(&state, separator, sizeof separator);
  crypto_hash_sha256_update(&state, key.data(), key.size());
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return read_u32(digest);
}

Result<VerifierKey> parse_vkey(std::string_view text) {
  const std::size_t first = text.find('+');
  const std::size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  // The key's base64 may hold '+' itself: only the first two separate fields.
  if (second == std::string_view::npos) {
    return tlog_errc::key_malformed;
  }
  VerifierKey key;
  key.name = std::string(text.substr(0, first));
  auto id = hex_decode(text.substr(first + 1, second - first - 1));
  auto material = decode_base64_padded(text.substr(second + 1));
  if (!is_key_name(key.name) || !id || id->size() != kKeyIdSize || !material ||
      material->size() != 1 + key.key.size() ||
      ((*material)[0] != kEd25519 && (*material)[0] != kCosignatureV1)) {
    return tlog_errc::key_malformed;
  }
  key.type = (*material)[0];
  std::copy(material->begin() + 1, material->end(), key.key.begin());
  if (key.key_id() != read_u32(*id)) {
    return tlog_errc::key_malformed;
  }
  return key;
}

std::string encode_vkey(const VerifierKey& key) {
  const std::uint32_t id = key.key_id();
  const std::uint8_t id_bytes[4] = {
      static_cast<std::uint8_t>(id >> 24U), static_cast<std::uint8_t>(id >> 16U),
      static_cast<std::uint8_t>(id >> 8U), static_cast<std::uint8_t>(id)};
  std::vector<std::uint8_t> material = {key.type};
  material.insert(material.end(), key.key.begin(), key.key.end());
  return key.name + "+" + hex_encode(id_bytes) + "+" + encode_base64_padded(material);
}

Signature sign(const SigningKey& key, std::string_view name, std::string_view text) {
  const VerifierKey verifier{std::string(name), kEd25519, key.public_key()};
  const protocol::Signature signature = sign_text(key, text);
  return {verifier.name, verifier.key_id(), {signature.begin(), signature.end()}};
}

Result<void> verify(const SignedNote& note, const VerifierKey& key) {
  const std::vector<const Signature*> mine = by_key(note, key);
  if (key.type != kEd25519 || mine.empty()) {
    return tlog_errc::note_not_signed;
  }
  for (const Signature* s : mine) {
    if (s->bytes.size() != kEd25519Size || !verify_text(key.key, note.text, ed25519_of(s->bytes))) {
      return tlog_errc::note_signature_invalid;
    }
  }
  return {};
}

std::string checkpoint_text(const Checkpoint& checkpoint) {
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     encode_base64_padded(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    text += line;
    text += '\n';
  }
  return text;
}

Result<Checkpoint> parse_checkpoint_text(std::string_view text) {
  if (!text.ends_with('\n') || !is_note_text(text)) {
    return tlog_errc::checkpoint_malformed;
  }
  const std::vector<std::string_view> lines = lines_of(text);
  if (lines.size() < 3 ||
      std::any_of(lines.begin(), lines.end(), [](std::string_view l) { return l.empty(); })) {
    return tlog_errc::checkpoint_malformed;
  }
  Checkpoint out;
  out.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  const bool digits =
      std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), out.size);
  if (!digits || (size.size() > 1 && size[0] == '0') || error != std::errc() ||
      end != size.data() + size.size()) {
    return tlog_errc::checkpoint_malformed;
  }
  auto root = decode_base64_padded(lines[2]);
  if (!root || root->size() != out.root.size()) {
    return tlog_errc::checkpoint_malformed;
  }
  std::copy(root->begin(), root->end(), out.root.begin());
  out.extensions.assign(lines.begin() + 3, lines.end());
  return out;
}

std::string sign_checkpoint(const SigningKey& key, const Checkpoint& checkpoint) {
  const std::string text = checkpoint_text(checkpoint);
  return encode(SignedNote{text, {sign(key, checkpoint.origin, text)}});
}

Result<OpenedCheckpoint> open_checkpoint(std::string_view note_text, const VerifierKey& log_key,
                                         std::string_view origin) {
  auto note = parse(note_text);
  if (!note) {
    return note.error();
  }
  if (auto signed_by_log = verify(*note, log_key); !signed_by_log) {
    return signed_by_log.error();
  }
  auto checkpoint = parse_checkpoint_text(note->text);
  if (!checkpoint) {
    return checkpoint.error();
  }
  if (checkpoint->origin != origin) {
    return tlog_errc::checkpoint_wrong_origin;
  }
  return OpenedCheckpoint{std::move(*checkpoint), std::move(*note)};
}

Signature cosign(const SigningKey& key, std::string_view name, std::string_view checkpoint_text,
                 std::uint64_t timestamp) {
  const VerifierKey verifier{std::string(name), kCosignatureV1, key.public_key()};
  const protocol::Signature signature =
      sign_text(key, cosigned_message(checkpoint_text, timestamp));
  Signature out{verifier.name, verifier.key_id(), {}};
  write_u64(out.bytes, timestamp);
  out.bytes.insert(out.bytes.end(), signature.begin(), signature.end());
  return out;
}

Result<std::uint64_t> verify_cosignature(const SignedNote& note, const VerifierKey& key) {
  const std::vector<const Signature*> mine = by_key(note, key);
  if (key.type != kCosignatureV1 || mine.empty()) {
    return tlog_errc::note_not_signed;
  }
  std::uint64_t timestamp = 0;
  for (const Signature* s : mine) {
    if (s->bytes.size() != kTimestampSize + kEd25519Size || (s->bytes[0] & 0x80U) != 0) {
      return tlog_errc::cosignature_malformed;  // the timestamp must stay below 2^63
    }
    timestamp = 0;
    for (std::size_t i = 0; i < kTimestampSize; ++i) {
      timestamp = (timestamp << 8U) | s->bytes[i];
    }
    const auto signature = std::span(s->bytes).subspan(kTimestampSize);
    if (!verify_text(key.key, cosigned_message(note.text, timestamp), ed25519_of(signature))) {
      return tlog_errc::cosignature_invalid;
    }
  }
  return timestamp;
}

}  // namespace draaischijf::protocol::note
