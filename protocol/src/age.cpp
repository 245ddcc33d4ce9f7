#include <algorithm>
#include <istream>
#include <ostream>
#include <stdexcept>

#include <sodium.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/hkdf.hpp>

namespace draaischijf::protocol::age {
namespace {

constexpr std::string_view kX25519Type = "X25519";
constexpr std::string_view kX25519Info = "age-encryption.org/v1/X25519";
constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "age-secret-key-";
constexpr std::size_t kBodyLineColumns = 64;
constexpr std::size_t kWrappedKeySize = kFileKeySize + kTagSize;
// A header this large is not a header; bounds memory when reading from a stream.
constexpr std::size_t kMaxStreamHeader = std::size_t{1024} * 1024;

void append(std::vector<std::uint8_t>& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}

bool is_vchar(char c) { return c >= 0x21 && c <= 0x7e; }

// Reads the next LF-terminated line; nullopt when the input ends first.
std::optional<std::string_view> next_line(std::span<const std::uint8_t> file, std::size_t& pos) {
  const auto begin = file.begin() + static_cast<std::ptrdiff_t>(pos);
  const auto newline = std::find(begin, file.end(), std::uint8_t{'\n'});
  if (newline == file.end()) {
    return std::nullopt;
  }
  const auto length = static_cast<std::size_t>(newline - begin);
  std::string_view line(reinterpret_cast<const char*>(file.data()) + pos, length);
  pos += length + 1;
  return line;
}

Result<Stanza> parse_stanza(std::string_view arguments, std::span<const std::uint8_t> file,
                            std::size_t& pos) {
  Stanza stanza;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = arguments.find(' ', start);
    const std::string_view arg = arguments.substr(start, space - start);
    if (arg.empty() || !std::all_of(arg.begin(), arg.end(), is_vchar)) {
      return errc::age_header_malformed;
    }
    if (stanza.type.empty()) {
      stanza.type = arg;
    } else {
      stanza.args.emplace_back(arg);
    }
    if (space == std::string_view::npos) {
      break;
    }
    start = space + 1;
  }
  std::string body_text;
  while (true) {
    const auto line = next_line(file, pos);
    if (!line) {
      return errc::truncated;
    }
    if (line->size() > kBodyLineColumns) {
      return errc::age_header_malformed;
    }
    body_text += *line;
    if (line->size() < kBodyLineColumns) {
      break;  // a short line, possibly empty, ends the body
    }
  }
  auto body = base64_decode(body_text);
  if (!body) {
    return errc::age_header_malformed;
  }
  stanza.body = std::move(*body);
  return stanza;
}

// The shape every X25519 stanza must have, checked before any is tried, so a malformed stanza is
// refused even when another one would have matched (age spec: recipients MUST reject).
Result<PublicKey> x25519_share_of(const Stanza& stanza) {
  if (stanza.args.size() != 1 || stanza.body.size() != kWrappedKeySize) {
    return errc::age_header_malformed;
  }
  auto share = base64_decode(stanza.args[0]);
  if (!share || share->size() != 32) {
    return errc::age_header_malformed;
  }
  PublicKey out{};
  std::copy(share->begin(), share->end(), out.begin());
  return out;
}

SecretBytes x25519_wrap_key(std::span<const std::uint8_t> shared, const PublicKey& share,
                            const PublicKey& recipient) {
  std::array<std::uint8_t, 64> salt{};
  std::copy(share.begin(), share.end(), salt.begin());
  std::copy(recipient.begin(), recipient.end(), salt.begin() + 32);
  return hkdf_sha256(shared, salt, kX25519Info, 32);
}

void compute_header_mac(const FileKey& file_key, std::span<const std::uint8_t> covered,
                        std::span<std::uint8_t, 32> out) {
  const SecretBytes mac_key = hkdf_sha256(file_key.expose(), {}, "header", 32);
  hmac_sha256(mac_key.expose(), covered, out);
}

std::array<std::uint8_t, 12> chunk_nonce(std::uint64_t index, bool last) {
  std::array<std::uint8_t, 12> nonce{};
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
  }
  nonce[11] = last ? 1 : 0;
  return nonce;
}

}  // namespace

Result<X25519Recipient> X25519Recipient::parse(std::string_view text) {
  auto decoded = bech32_decode(text);
  if (!decoded) {
    return decoded.error();
  }
  if (decoded->hrp != kRecipientHrp || text.substr(0, 3) != kRecipientHrp) {
    return errc::wrong_key_type;
  }
  if (decoded->data.size() != 32) {
    return errc::bad_bech32;
  }
  X25519Recipient recipient;
  std::copy(decoded->data.begin(), decoded->data.end(), recipient.public_key.begin());
  if (!is_usable_recipient_key(recipient.public_key)) {
    return errc::field_out_of_range;
  }
  return recipient;
}

std::string X25519Recipient::to_string() const {
  return bech32_encode(kRecipientHrp, public_key, false);
}

X25519Identity X25519Identity::generate() { return from_secret(SecretKey<32>::random()); }

X25519Identity X25519Identity::from_secret(SecretKey<32> secret) {
  ensure_sodium();
  PublicKey public_key{};
  crypto_scalarmult_base(public_key.data(), secret.expose().data());
  return {std::move(secret), public_key};
}

Result<X25519Identity> X25519Identity::parse(std::string_view text) {
  auto decoded = bech32_decode(text);
  if (!decoded) {
    return decoded.error();
  }
  // age writes secret keys in upper case only.
  const bool upper =
      std::none_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (decoded->hrp != kIdentityHrp || !upper) {
    return errc::wrong_key_type;
  }
  if (decoded->data.size() != 32) {
    return errc::bad_bech32;  // decoded->data wipes itself
  }
  return from_secret(
      SecretKey<32>::copy_of(std::span<const std::uint8_t, 32>(decoded->data.data(), 32)));
}

std::string X25519Identity::expose_secret_string() const {
  return bech32_encode("AGE-SECRET-KEY-", secret_.expose(), true);
}

Result<Header> parse_header(std::span<const std::uint8_t> file) {
  std::size_t pos = 0;
  const auto version = next_line(file, pos);
  if (!version) {
    return errc::truncated;
  }
  if (*version != kVersionLine) {
    return errc::age_header_malformed;
  }
  Header header;
  while (true) {
    const std::size_t line_start = pos;
    const auto line = next_line(file, pos);
    if (!line) {
      return errc::truncated;
    }
    if (line->substr(0, 3) == "---") {
      if (line->size() != 4 + 43 || (*line)[3] != ' ') {
        return errc::age_header_malformed;
      }
      auto mac = base64_decode(line->substr(4));
      if (!mac || mac->size() != header.mac.size()) {
        return errc::age_header_malformed;
      }
      std::copy(mac->begin(), mac->end(), header.mac.begin());
      header.mac_input = line_start + 3;
      header.length = pos;
      return header;
    }
    if (line->substr(0, 3) != "-> ") {
      return errc::age_header_malformed;
    }
    auto stanza = parse_stanza(line->substr(3), file, pos);
    if (!stanza) {
      return stanza.error();
    }
    header.stanzas.push_back(std::move(*stanza));
  }
}

Result<PublicKey> x25519_stanza_share(const Stanza& stanza) { return x25519_share_of(stanza); }

bool is_usable_recipient_key(const PublicKey& key) {
  ensure_sodium();
  // Any clamped scalar times a small-order point is the identity: the check needs no secret.
  std::array<std::uint8_t, 32> scalar{};
  scalar[0] = 9;
  std::array<std::uint8_t, 32> out{};
  return crypto_scalarmult(out.data(), scalar.data(), key.data()) == 0;
}

Result<FileKey> unwrap_x25519(const Stanza& stanza, const X25519Identity& identity) {
  auto share = x25519_share_of(stanza);
  if (!share) {
    return share.error();
  }
  ensure_sodium();
  SecretKey<32> shared;
  if (crypto_scalarmult(shared.expose_mutable().data(), identity.secret().expose().data(),
                        share->data()) != 0) {
    return errc::age_all_zero_shared_secret;
  }
  const SecretBytes wrap_key = x25519_wrap_key(shared.expose(), *share, identity.public_key());
  const std::array<std::uint8_t, 12> zero_nonce{};
  FileKey file_key;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.expose_mutable().data(), nullptr, nullptr,
                                                stanza.body.data(), stanza.body.size(), nullptr, 0,
                                                zero_nonce.data(), wrap_key.expose().data()) != 0) {
    return errc::age_no_identity_matched;
  }
  return file_key;
}

Result<FileKey> unwrap_file_key(const Header& header, std::span<const X25519Identity> identities) {
  for (const Stanza& stanza : header.stanzas) {
    if (stanza.type == kX25519Type) {
      if (auto share = x25519_share_of(stanza); !share) {
        return share.error();
      }
    }
  }
  for (const Stanza& stanza : header.stanzas) {
    if (stanza.type != kX25519Type) {
      continue;  // other recipient types (and grease) are not ours to open
    }
    for (const X25519Identity& identity : identities) {
      auto file_key = unwrap_x25519(stanza, identity);
      if (file_key || file_key.error() != errc::age_no_identity_matched) {
        return file_key;
      }
    }
  }
  return errc::age_no_identity_matched;
}

Result<void> verify_header_mac(const Header& header, std::span<const std::uint8_t> header_bytes,
                               const FileKey& file_key) {
  if (header_bytes.size() < header.mac_input) {
    return errc::truncated;
  }
  std::array<std::uint8_t, 32> expected{};
  compute_header_mac(file_key, header_bytes.first(header.mac_input), expected);
  if (!ct_equal(expected, header.mac)) {
    return errc::age_header_mac_mismatch;
  }
  return {};
}

Stanza wrap_x25519(const FileKey& file_key, const X25519Recipient& recipient) {
  ensure_sodium();
  const auto ephemeral = SecretKey<32>::random();
  PublicKey share{};
  crypto_scalarmult_base(share.data(), ephemeral.expose().data());
  SecretKey<32> shared;
  if (crypto_scalarmult(shared.expose_mutable().data(), ephemeral.expose().data(),
                        recipient.public_key.data()) != 0) {
    // Keys reach this point from verified certificates, whose issuers refuse low-order keys.
    throw std::invalid_argument("X25519 recipient is a low-order point");
  }
  const SecretBytes wrap_key = x25519_wrap_key(shared.expose(), share, recipient.public_key);
  const std::array<std::uint8_t, 12> zero_nonce{};
  Stanza stanza{
      std::string(kX25519Type), {base64_encode(share)}, std::vector<std::uint8_t>(kWrappedKeySize)};
  crypto_aead_chacha20poly1305_ietf_encrypt(stanza.body.data(), nullptr, file_key.expose().data(),
                                            file_key.kSize, nullptr, 0, nullptr, zero_nonce.data(),
                                            wrap_key.expose().data());
  return stanza;
}

void serialize_header(std::span<const Stanza> stanzas, const FileKey& file_key,
                      std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  append(out, kVersionLine);
  out.push_back('\n');
  for (const Stanza& stanza : stanzas) {
    append(out, "-> ");
    append(out, stanza.type);
    for (const std::string& arg : stanza.args) {
      out.push_back(' ');
      append(out, arg);
    }
    out.push_back('\n');
    const std::string body = base64_encode(stanza.body);
    // Full 64-column lines, then one short line (possibly empty) that ends the body.
    for (std::size_t offset = 0;; offset += kBodyLineColumns) {
      const std::string_view line = std::string_view(body).substr(offset, kBodyLineColumns);
      append(out, line);
      out.push_back('\n');
      if (line.size() < kBodyLineColumns) {
        break;
      }
    }
  }
  append(out, "---");
  std::array<std::uint8_t, 32> mac{};
  compute_header_mac(file_key, std::span(out).subspan(start), mac);
  out.push_back(' ');
  append(out, base64_encode(mac));
  out.push_back('\n');
}

void write_header(const FileKey& file_key, std::span<const X25519Recipient> recipients,
                  std::vector<std::uint8_t>& out) {
  std::vector<Stanza> stanzas;
  stanzas.reserve(recipients.size());
  for (const X25519Recipient& recipient : recipients) {
    stanzas.push_back(wrap_x25519(file_key, recipient));
  }
  serialize_header(stanzas, file_key, out);
}

PayloadKey PayloadKey::derive(const FileKey& file_key,
                              std::span<const std::uint8_t, kNonceSize> nonce) {
  return PayloadKey(hkdf_sha256(file_key.expose(), nonce, "payload", 32));
}

void PayloadKey::seal_chunk(std::uint64_t index, bool last, std::span<const std::uint8_t> plaintext,
                            std::uint8_t* out) const {
  const auto nonce = chunk_nonce(index, last);
  crypto_aead_chacha20poly1305_ietf_encrypt(out, nullptr, plaintext.data(), plaintext.size(),
                                            nullptr, 0, nullptr, nonce.data(),
                                            key_.expose().data());
}

bool PayloadKey::open_chunk(std::uint64_t index, bool last, std::span<const std::uint8_t> sealed,
                            std::uint8_t* out) const {
  if (sealed.size() < kTagSize) {
    return false;
  }
  const auto nonce = chunk_nonce(index, last);
  return crypto_aead_chacha20poly1305_ietf_decrypt(out, nullptr, nullptr, sealed.data(),
                                                   sealed.size(), nullptr, 0, nonce.data(),
                                                   key_.expose().data()) == 0;
}

PayloadDecryptor::PayloadDecryptor(const FileKey& file_key)
    : file_key_(FileKey::copy_of(file_key.expose())), plaintext_(kChunkSize) {
  pending_.reserve(kSealedChunkSize);
}

Result<void> PayloadDecryptor::open_pending(std::size_t size, bool last, const ByteSink& sink) {
  const std::span<const std::uint8_t> sealed(pending_.data(), size);
  if (!key_->open_chunk(index_, last, sealed, plaintext_.expose_mutable().data())) {
    failed_ = true;
    return errc::age_payload_corrupt;
  }
  const std::size_t plain_size = size - kTagSize;
  if (last && plain_size == 0 && index_ != 0) {
    failed_ = true;  // an empty final chunk is only allowed for an empty payload
    return errc::age_payload_corrupt;
  }
  sink(plaintext_.expose().first(plain_size));
  pending_.clear();
  ++index_;
  return {};
}

Result<void> PayloadDecryptor::update(std::span<const std::uint8_t> input, const ByteSink& sink) {
  if (failed_) {
    return errc::age_payload_corrupt;
  }
  if (!key_) {
    const std::size_t take = std::min(kNonceSize - nonce_.size(), input.size());
    nonce_.insert(nonce_.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(take));
    input = input.subspan(take);
    if (nonce_.size() < kNonceSize) {
      return {};
    }
    key_.emplace(PayloadKey::derive(
        file_key_, std::span<const std::uint8_t, kNonceSize>(nonce_.data(), kNonceSize)));
  }
  while (!input.empty()) {
    // A full chunk is known not to be the last only once a byte after it has arrived.
    if (pending_.size() == kSealedChunkSize) {
      if (auto opened = open_pending(kSealedChunkSize, false, sink); !opened) {
        return opened;
      }
    }
    const std::size_t take = std::min(kSealedChunkSize - pending_.size(), input.size());
    pending_.insert(pending_.end(), input.begin(),
                    input.begin() + static_cast<std::ptrdiff_t>(take));
    input = input.subspan(take);
  }
  return {};
}

Result<void> PayloadDecryptor::finish(const ByteSink& sink) {
  if (failed_) {
    return errc::age_payload_corrupt;
  }
  if (!key_) {
    return errc::age_header_malformed;  // the nonce belongs to the header per the test vectors
  }
  if (pending_.empty()) {
    failed_ = true;
    return errc::age_payload_truncated;
  }
  return open_pending(pending_.size(), true, sink);
}

PayloadEncryptor::PayloadEncryptor(const FileKey& file_key)
    : key_([&] {
        sealed_.resize(kNonceSize);
        random_fill(sealed_);
        return PayloadKey::derive(
            file_key, std::span<const std::uint8_t, kNonceSize>(sealed_.data(), kNonceSize));
      }()) {
  buffer_.reserve(kChunkSize);
}

void PayloadEncryptor::seal_buffered(bool last, const ByteSink& sink) {
  const std::size_t head = sealed_.size();  // the nonce, before the first chunk
  sealed_.resize(head + buffer_.size() + kTagSize);
  key_.seal_chunk(index_++, last, buffer_.expose(), sealed_.data() + head);
  sink(sealed_);
  sealed_.clear();
  buffer_.resize(0);
}

void PayloadEncryptor::update(std::span<const std::uint8_t> plaintext, const ByteSink& sink) {
  while (!plaintext.empty()) {
    if (buffer_.size() == kChunkSize) {
      seal_buffered(false, sink);  // more input follows, so this full chunk is not the last
    }
    const std::size_t take = std::min(kChunkSize - buffer_.size(), plaintext.size());
    buffer_.append(plaintext.first(take));
    plaintext = plaintext.subspan(take);
  }
}

void PayloadEncryptor::finish(const ByteSink& sink) { seal_buffered(true, sink); }

std::vector<std::uint8_t> encrypt(std::span<const std::uint8_t> plaintext,
                                  std::span<const X25519Recipient> recipients) {
  const auto file_key = FileKey::random();
  std::vector<std::uint8_t> out;
  const std::size_t chunks =
      plaintext.empty() ? 1 : (plaintext.size() + kChunkSize - 1) / kChunkSize;
  out.reserve(200 + recipients.size() * 120 + kNonceSize + plaintext.size() + chunks * kTagSize);
  write_header(file_key, recipients, out);
  PayloadEncryptor encryptor(file_key);
  const ByteSink sink = [&out](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
  };
  encryptor.update(plaintext, sink);
  encryptor.finish(sink);
  return out;
}

Result<SecretBytes> decrypt(std::span<const std::uint8_t> file,
                            std::span<const X25519Identity> identities) {
  auto header = parse_header(file);
  if (!header) {
    return header.error() == errc::truncated ? errc::age_header_malformed : header.error();
  }
  auto file_key = unwrap_file_key(*header, identities);
  if (!file_key) {
    return file_key.error();
  }
  if (auto mac = verify_header_mac(*header, file, *file_key); !mac) {
    return mac.error();
  }
  const auto payload = file.subspan(header->length);
  if (payload.size() < kNonceSize) {
    return errc::age_header_malformed;
  }
  const std::size_t sealed = payload.size() - kNonceSize;
  const std::size_t chunks = (sealed + kSealedChunkSize - 1) / kSealedChunkSize;
  SecretBytes plaintext;
  plaintext.reserve(sealed > chunks * kTagSize ? sealed - chunks * kTagSize : 0);
  PayloadDecryptor decryptor(*file_key);
  const ByteSink sink = [&plaintext](std::span<const std::uint8_t> b) { plaintext.append(b); };
  if (auto r = decryptor.update(payload, sink); !r) {
    return r.error();
  }
  if (auto r = decryptor.finish(sink); !r) {
    return r.error();
  }
  return plaintext;
}

Result<void> decrypt_stream(std::istream& in, std::span<const X25519Identity> identities,
                            std::ostream& out) {
  std::vector<std::uint8_t> buffer;
  std::vector<std::uint8_t> block(kChunkSize);
  const auto read_block = [&]() -> std::size_t {
    in.read(reinterpret_cast<char*>(block.data()), static_cast<std::streamsize>(block.size()));
    return static_cast<std::size_t>(in.gcount());
  };
  Result<Header> header = errc::truncated;
  while (true) {
    header = parse_header(buffer);
    if (header || header.error() != errc::truncated) {
      break;
    }
    const std::size_t n = read_block();
    if (n == 0 || buffer.size() > kMaxStreamHeader) {
      return errc::age_header_malformed;
    }
    buffer.insert(buffer.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (!header) {
    return header.error();
  }
  auto file_key = unwrap_file_key(*header, identities);
  if (!file_key) {
    return file_key.error();
  }
  if (auto mac = verify_header_mac(*header, buffer, *file_key); !mac) {
    return mac.error();
  }
  PayloadDecryptor decryptor(*file_key);
  const ByteSink sink = [&out](std::span<const std::uint8_t> b) {
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  };
  if (auto r = decryptor.update(std::span(buffer).subspan(header->length), sink); !r) {
    return r;
  }
  buffer.clear();
  while (const std::size_t n = read_block()) {
    if (auto r = decryptor.update(std::span(block).first(n), sink); !r) {
      return r;
    }
  }
  return decryptor.finish(sink);
}

void encrypt_stream(std::istream& in, std::span<const X25519Recipient> recipients,
                    std::ostream& out) {
  const auto file_key = FileKey::random();
  std::vector<std::uint8_t> header;
  write_header(file_key, recipients, header);
  out.write(reinterpret_cast<const char*>(header.data()),
            static_cast<std::streamsize>(header.size()));
  PayloadEncryptor encryptor(file_key);
  const ByteSink sink = [&out](std::span<const std::uint8_t> b) {
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  };
  SecretBytes block(kChunkSize);
  while (true) {
    in.read(reinterpret_cast<char*>(block.expose_mutable().data()),
            static_cast<std::streamsize>(block.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) {
      break;
    }
    encryptor.update(block.expose().first(n), sink);
  }
  encryptor.finish(sink);
}

}  // namespace draaischijf::protocol::age
