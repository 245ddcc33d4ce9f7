// C2SP signed notes, checkpoints and cosignatures: the published example verifies with its
// published key (an answer from outside this code base), what is made round-trips byte for
// byte, every malformed shape is refused with its own error, signatures by other keys are
// ignored and a bad one by the expected key refuses the note.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::protocol::note {
namespace {

// signed-note.md, "Example": a note and the vkey that verifies it.
constexpr std::string_view kSpecKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kSpecNote =
    "This is an example message.\n\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";

SigningKey key_from(std::uint8_t fill) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(fill);
  return SigningKey::from_seed(SecretKey<32>::copy_of(seed));
}

Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.origin = "hub.example/draaischijf/directory";
  c.size = 42;
  c.root = merkle::leaf_hash(std::vector<std::uint8_t>{1, 2, 3});
  return c;
}

TEST(SignedNote, ThePublishedExampleVerifiesWithItsPublishedKey) {
  const VerifierKey key = parse_vkey(kSpecKey).value();
  EXPECT_EQ(key.name, "example.com/foo");
  EXPECT_EQ(key.key_id(), 0x530d903aU);
  EXPECT_EQ(encode_vkey(key), kSpecKey);
  const SignedNote note = parse(kSpecNote).value();
  EXPECT_EQ(note.text, "This is an example message.\n");
  EXPECT_TRUE(verify(note, key).has_value());
  EXPECT_EQ(encode(note), kSpecNote);
  SignedNote changed = note;
  changed.text = "This is an example message!\n";
  EXPECT_EQ(verify(changed, key).error(), tlog_errc::note_signature_invalid);
}

TEST(SignedNote, WhatIsSignedRoundTripsByteForByte) {
  const SigningKey log = key_from(7);
  const std::string note_text = sign_checkpoint(log, sample_checkpoint());
  const SignedNote note = parse(note_text).value();
  EXPECT_EQ(encode(note), note_text);
  EXPECT_EQ(parse_checkpoint_text(note.text).value(), sample_checkpoint());
  const VerifierKey key{sample_checkpoint().origin, kEd25519, log.public_key()};
  EXPECT_TRUE(verify(note, key).has_value());
  EXPECT_EQ(parse_vkey(encode_vkey(key)).value(), key);

  Checkpoint with_extensions = sample_checkpoint();
  with_extensions.extensions = {"ext one", "ext two"};
  EXPECT_EQ(parse_checkpoint_text(checkpoint_text(with_extensions)).value(), with_extensions);
  Checkpoint empty = sample_checkpoint();
  empty.size = 0;
  empty.root = merkle::empty_root();
  EXPECT_EQ(checkpoint_text(empty),
            "hub.example/draaischijf/directory\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
}

TEST(SignedNote, EveryMalformedShapeIsRefused) {
  const std::string good(kSpecNote);
  const std::string sig_line = good.substr(good.find("\xE2\x80\x94"));
  const struct {
    std::string note;
    tlog_errc want;
  } cases[] = {
      {"", tlog_errc::note_malformed},
      {"text\n", tlog_errc::note_malformed},                         // no signatures
      {"text\n" + sig_line, tlog_errc::note_malformed},              // no blank line
      {good.substr(0, good.size() - 1), tlog_errc::note_malformed},  // no final newline
      {"te\txt\n\n" + sig_line, tlog_errc::note_malformed},          // a control character
      {"te\rxt\n\n" + sig_line, tlog_errc::note_malformed},
      {std::string("te\0xt\n\n", 7) + sig_line, tlog_errc::note_malformed},
      {"te\xC3\x28xt\n\n" + sig_line, tlog_errc::note_malformed},      // invalid UTF-8
      {"te\xC0\xAFxt\n\n" + sig_line, tlog_errc::note_malformed},      // overlong
      {"te\xED\xA0\x80xt\n\n" + sig_line, tlog_errc::note_malformed},  // a surrogate
      {"text\n\n\n", tlog_errc::note_malformed},                       // an empty signature line
      {good + "\n", tlog_errc::note_malformed},                        // a blank line after it
      {std::string(kMaxNoteSize, 'a') + "\n\n" + sig_line, tlog_errc::note_malformed},
      {"text\n\n- example.com/foo AAAAAAA=\n", tlog_errc::note_signature_malformed},
      {"text\n\n\xE2\x80\x94 example.com/foo\n", tlog_errc::note_signature_malformed},
      {"text\n\n\xE2\x80\x94  AAAAAAA=\n", tlog_errc::note_signature_malformed},  // no name
      {"text\n\n\xE2\x80\x94 a+b AAAAAAA=\n", tlog_errc::note_signature_malformed},
      {"text\n\n\xE2\x80\x94 a AAAAAA==\n", tlog_errc::note_signature_malformed},  // 4 bytes
      {"text\n\n\xE2\x80\x94 a AAAAAAA\n", tlog_errc::note_signature_malformed},   // no pad
      {"text\n\n\xE2\x80\x94 a AAAAAAB=\n", tlog_errc::note_signature_malformed},  // bits
      {"text\n\n\xE2\x80\x94 a AAAAAAA= \n", tlog_errc::note_signature_malformed},
      {"text\n\n\xE2\x80\x94 a AAAA AAA=\n", tlog_errc::note_signature_malformed},
  };
  for (const auto& c : cases) {
    auto parsed = parse(c.note);
    ASSERT_FALSE(parsed.has_value()) << c.note;
    EXPECT_EQ(parsed.error(), c.want) << c.note;
  }
  std::string many = "text\n\n";
  for (std::size_t i = 0; i <= kMaxSignatures; ++i) {
    many += sig_line;
  }
  EXPECT_EQ(parse(many).error(), tlog_errc::note_malformed);
}

TEST(SignedNote, SignaturesByOtherKeysAreIgnoredAndABadOneByTheKeyRefusesTheNote) {
  const SigningKey log = key_from(1);
  const SigningKey other = key_from(2);
  const std::string text = checkpoint_text(sample_checkpoint());
  const VerifierKey key{"log", kEd25519, log.public_key()};
  // Another key under the same name, the same key under another name: both ignored.
  SignedNote note{text, {sign(other, "log", text), sign(log, "log-two", text)}};
  EXPECT_EQ(verify(note, key).error(), tlog_errc::note_not_signed);
  note.signatures.push_back(sign(log, "log", text));
  EXPECT_TRUE(verify(note, key).has_value());
  // A second signature that claims the key but does not verify refuses the whole note.
  Signature forged = sign(log, "log", text);
  forged.bytes[10] ^= 1U;
  note.signatures.push_back(forged);
  EXPECT_EQ(verify(note, key).error(), tlog_errc::note_signature_invalid);
  // Cut to a wrong length: refused, not read past.
  note.signatures.back() = sign(log, "log", text);
  note.signatures.back().bytes.pop_back();
  EXPECT_EQ(verify(note, key).error(), tlog_errc::note_signature_invalid);
}

TEST(SignedNote, VerifierKeysOfTheWrongShapeAreRefused) {
  const std::string good(kSpecKey);
  for (const std::string& bad :
       {std::string("example.com/foo+530d903a"), good + "+x", std::string("+530d903a+AekyeRrm"),
        std::string("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
        std::string("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
        std::string("example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"),
        std::string("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2")}) {
    EXPECT_EQ(parse_vkey(bad).error(), tlog_errc::key_malformed) << bad;
  }
}

// Standard base64 has '+' in its alphabet: a key whose encoding holds one is read back whole.
TEST(SignedNote, AVerifierKeyWithAPlusInItsBase64IsRead) {
  for (int i = 0;; ++i) {
    const VerifierKey key{"witness.example/w1", kCosignatureV1,
                          SigningKey::generate().public_key()};
    const std::string text = encode_vkey(key);
    if (text.find('+', text.find('+', text.find('+') + 1) + 1) != std::string::npos) {
      EXPECT_EQ(parse_vkey(text).value(), key) << text;
      break;
    }
    ASSERT_LT(i, 1000);
  }
}

TEST(Checkpoint, EveryMalformedBodyIsRefused) {
  const std::string root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  for (const std::string& bad :
       {std::string("origin\n1\n"), "origin\n1\n" + root, "\n1\n" + root + "\n",
        "origin\n\n" + root + "\n", "origin\n01\n" + root + "\n", "origin\n-1\n" + root + "\n",
        "origin\n+1\n" + root + "\n", "origin\n1 \n" + root + "\n",
        "origin\n18446744073709551616\n" + root + "\n", std::string("origin\n1\nAAAA\n"),
        "origin\n1\n" + root.substr(0, 43) + "\n", "origin\n1\n" + root + "\n\next\n",
        "origin\n1\n" + root + "\n\n"}) {
    EXPECT_EQ(parse_checkpoint_text(bad).error(), tlog_errc::checkpoint_malformed) << bad;
  }
  EXPECT_EQ(parse_checkpoint_text("origin\n18446744073709551615\n" + root + "\n").value().size,
            18446744073709551615ULL);
}

TEST(Checkpoint, OpeningChecksTheLogKeyAndTheOrigin) {
  const SigningKey log = key_from(3);
  const Checkpoint c = sample_checkpoint();
  const std::string note = sign_checkpoint(log, c);
  const VerifierKey key{c.origin, kEd25519, log.public_key()};
  EXPECT_EQ(open_checkpoint(note, key, c.origin).value().checkpoint, c);
  EXPECT_EQ(open_checkpoint(note, key, "hub.example/draaischijf/record").error(),
            tlog_errc::checkpoint_wrong_origin);
  const VerifierKey stranger{c.origin, kEd25519, key_from(4).public_key()};
  EXPECT_EQ(open_checkpoint(note, stranger, c.origin).error(), tlog_errc::note_not_signed);
  // A signed note whose text is no checkpoint.
  const std::string not_a_checkpoint =
      encode(SignedNote{"hello\n", {sign(log, c.origin, "hello\n")}});
  EXPECT_EQ(open_checkpoint(not_a_checkpoint, key, c.origin).error(),
            tlog_errc::checkpoint_malformed);
}

TEST(Cosignature, AWitnessCosignatureVerifiesWithItsTimestampAndNothingElseDoes) {
  const SigningKey log = key_from(5);
  const SigningKey witness = key_from(6);
  const std::string text = checkpoint_text(sample_checkpoint());
  SignedNote note{text, {sign(log, sample_checkpoint().origin, text)}};
  note.signatures.push_back(cosign(witness, "witness.example/w1", text, 1679315147));
  const SignedNote reread = parse(encode(note)).value();
  EXPECT_EQ(reread, note);
  const VerifierKey wkey{"witness.example/w1", kCosignatureV1, witness.public_key()};
  EXPECT_EQ(verify_cosignature(reread, wkey).value(), 1679315147U);
  // The same key as a plain Ed25519 note key has another key id: not a signature by it.
  EXPECT_EQ(
      verify(reread, VerifierKey{"witness.example/w1", kEd25519, witness.public_key()}).error(),
      tlog_errc::note_not_signed);
  // The cosigned message is "cosignature/v1\ntime T\n" and the body: another time fails.
  SignedNote moved = note;
  moved.signatures.back().bytes[7] ^= 1U;
  EXPECT_EQ(verify_cosignature(moved, wkey).error(), tlog_errc::cosignature_invalid);
  SignedNote future = note;
  future.signatures.back().bytes[0] = 0x80;
  EXPECT_EQ(verify_cosignature(future, wkey).error(), tlog_errc::cosignature_malformed);
  SignedNote shortened = note;
  shortened.signatures.back().bytes.resize(64);
  EXPECT_EQ(verify_cosignature(shortened, wkey).error(), tlog_errc::cosignature_malformed);
  SignedNote other_body = note;
  other_body.text = checkpoint_text(Checkpoint{sample_checkpoint().origin, 43, {}, {}});
  EXPECT_EQ(verify_cosignature(other_body, wkey).error(), tlog_errc::cosignature_invalid);
  // An independent check of the message layout: Ed25519 over the spec's bytes, by libsodium.
  const std::string message = "cosignature/v1\ntime 1679315147\n" + text;
  protocol::Signature raw{};
  std::copy(note.signatures.back().bytes.begin() + 8, note.signatures.back().bytes.end(),
            raw.begin());
  EXPECT_TRUE(verify_text(witness.public_key(), message, raw));
}

TEST(Cosignature, ANoteTextWithAZeroByteIsNeverSigned) {
  const SigningKey log = key_from(8);
  EXPECT_THROW((void)sign_text(log, std::string_view("a\0b\n", 4)), std::invalid_argument);
  EXPECT_FALSE(verify_text(log.public_key(), std::string_view("a\0b\n", 4), {}));
}

}  // namespace
}  // namespace draaischijf::protocol::note
