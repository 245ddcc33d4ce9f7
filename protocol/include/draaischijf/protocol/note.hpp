#pragma once

// C2SP signed notes (c2sp.org/signed-note), the checkpoints a transparency log signs
// (c2sp.org/tlog-checkpoint) and the witnesses' timestamped Ed25519 cosignatures
// (c2sp.org/tlog-cosignature), so that off-the-shelf witnesses and monitors can read the hub's
// logs. docs/PROTOCOL.md 13 gives the subset used here. Parsing is strict: every accepted note
// has exactly one encoding, and encode(parse(x)) == x byte for byte.
//
//   example.org/draaischijf/directory     <- origin
//   42                                    <- tree size
//   qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=   <- root hash (base64)
//                                         <- blank line
//   — example.org/draaischijf/directory AAAAAL...=  <- one line per signature

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>

namespace draaischijf::protocol::note {

/// Bounds a reader applies before any signature is checked (signed-note: at least 16 must be
/// accepted). An Ed25519 note with 32 signatures and a checkpoint body is under 6 KiB.
inline constexpr std::size_t kMaxSignatures = 32;
inline constexpr std::size_t kMaxNoteSize = 16 * 1024;

/// Standard base64 with its padding (RFC 4648 section 4), as signed notes, checkpoints and the
/// witness protocol write hashes; decoding refuses every non-canonical form (errc::bad_base64).
[[nodiscard]] std::string encode_base64_padded(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<std::vector<std::uint8_t>> decode_base64_padded(std::string_view text);

/// Signature types (signed-note "Signature types").
inline constexpr std::uint8_t kEd25519 = 0x01;
inline constexpr std::uint8_t kCosignatureV1 = 0x04;

struct Signature {
  std::string name;
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> bytes;  // after the key id: 64 (Ed25519) or 72 (cosignature) bytes
  bool operator==(const Signature&) const = default;
};

struct SignedNote {
  std::string text;  // ends with a newline; what is signed
  std::vector<Signature> signatures;
  bool operator==(const SignedNote&) const = default;
};

/// Refusals: note_malformed (size, UTF-8, a control character, no final newline, no blank line
/// before the signatures, too many signatures), note_signature_malformed (a line that is not
/// "— name base64", a name with a space or '+', a signature shorter than 5 bytes, base64 that is
/// not canonical padded standard base64).
[[nodiscard]] Result<SignedNote> parse(std::string_view note);
[[nodiscard]] std::string encode(const SignedNote& note);

/// A key as a verifier knows it: name, type and Ed25519 public key.
struct VerifierKey {
  std::string name;
  std::uint8_t type = kEd25519;
  SigningPublicKey key{};
  /// SHA-256(name || 0x0A || type || key)[:4], big-endian.
  [[nodiscard]] std::uint32_t key_id() const;
  bool operator==(const VerifierKey&) const = default;
};

/// The vkey text form "name+hex(key id)+base64(type || key)" (key_malformed if the id does not
/// match, the type is not 0x01 or 0x04, or the name is not a key name).
[[nodiscard]] Result<VerifierKey> parse_vkey(std::string_view text);
[[nodiscard]] std::string encode_vkey(const VerifierKey& key);

/// Ed25519 over `text` as it is, with no domain: signed notes and cosignatures carry their own
/// (docs/PROTOCOL.md 13.1). Such a text never holds a 0x00 byte and every domain-framed message
/// of PROTOCOL.md 1.7 does, so neither kind verifies as the other; a text with a 0x00 byte is a
/// broken invariant (std::invalid_argument).
[[nodiscard]] protocol::Signature sign_text(const SigningKey& key, std::string_view text);
/// Verifies a sign_text() signature (false for a text with a 0x00 byte).
[[nodiscard]] bool verify_text(const SigningPublicKey& key, std::string_view text,
                               const protocol::Signature& signature);

/// Signs `text` (which must end with a newline and hold no control character but newlines)
/// with `key` under `name` (type 0x01).
[[nodiscard]] Signature sign(const SigningKey& key, std::string_view name, std::string_view text);

/// Verifies the note by `key` (type 0x01): signatures by other keys are ignored; one by `key`
/// that fails refuses the whole note (note_signature_invalid); none by `key`: note_not_signed.
[[nodiscard]] Result<void> verify(const SignedNote& note, const VerifierKey& key);

/// A checkpoint body (tlog-checkpoint): origin, tree size, root hash, extension lines.
struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  merkle::Hash root{};
  std::vector<std::string> extensions;
  bool operator==(const Checkpoint&) const = default;
};

[[nodiscard]] std::string checkpoint_text(const Checkpoint& checkpoint);
/// checkpoint_malformed: fewer than three lines, an empty line, a size with a leading zero or
/// beyond 2^64 - 1, a root that is not 32 bytes of canonical padded base64.
[[nodiscard]] Result<Checkpoint> parse_checkpoint_text(std::string_view text);

/// The log's signed note for `checkpoint`: its text signed by `key` under the origin as the key
/// name (tlog-checkpoint: the log's key name SHOULD match the origin).
[[nodiscard]] std::string sign_checkpoint(const SigningKey& key, const Checkpoint& checkpoint);

/// A checkpoint as a client or witness takes it: a note signed by the log's key whose text is
/// a checkpoint of the expected origin (checkpoint_wrong_origin otherwise).
struct OpenedCheckpoint {
  Checkpoint checkpoint;
  SignedNote note;
};
[[nodiscard]] Result<OpenedCheckpoint> open_checkpoint(std::string_view note_text,
                                                       const VerifierKey& log_key,
                                                       std::string_view origin);

/// A witness's cosignature (tlog-cosignature, type 0x04): Ed25519 over "cosignature/v1\ntime
/// <timestamp>\n" and the checkpoint's text, with the timestamp (POSIX seconds) in front.
[[nodiscard]] Signature cosign(const SigningKey& key, std::string_view name,
                               std::string_view checkpoint_text, std::uint64_t timestamp);
/// The cosignature's timestamp when `key` (type 0x04) cosigned the note; note_not_signed when it
/// did not; cosignature_malformed for a signature of the wrong length or a timestamp >= 2^63;
/// cosignature_invalid when it does not verify.
[[nodiscard]] Result<std::uint64_t> verify_cosignature(const SignedNote& note,
                                                       const VerifierKey& key);

}  // namespace draaischijf::protocol::note
