#include <algorithm>
#include <atomic>
#include <limits>

#include <sodium.h>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "envelope_internal.hpp"
#include "parallel.hpp"

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'S', 'J'};
constexpr std::uint8_t kVersion = 3;
constexpr std::uint8_t kSuite = 1;  // age v1 X25519 + STREAM, Ed25519, BLAKE2b
// Inner version 3 adds the gossiped checkpoints at the end of the signed region; version 2 (the
// inner part of outer versions 2 and 3 before it) is still opened, so stored messages open.
constexpr std::uint8_t kInnerVersion = 3;
constexpr std::uint8_t kInnerVersionWithoutGossip = 2;
// The version in the signature domain: a v1 or v2 signature can never be taken for a v3 one,
// whatever bytes the layouts share.
constexpr std::string_view kSignatureDomain = "draaischijf/envelope/v3";
constexpr std::string_view kOuterDigestDomain = "draaischijf/envelope-outer/v1";
constexpr std::string_view kInnerRootDomain = "draaischijf/envelope-inner/v1";
constexpr std::string_view kCommitmentDomain = "draaischijf/key-commitment/v1";
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kSignedLengthOffset = 1;

using detail::Digest512;

std::size_t chunk_count(std::size_t plaintext) {
  return plaintext == 0 ? 1 : (plaintext + age::kChunkSize - 1) / age::kChunkSize;
}

std::size_t sealed_payload_size(std::size_t plaintext) {
  return age::kNonceSize + plaintext + chunk_count(plaintext) * age::kTagSize;
}

std::size_t padded_size(std::size_t unpadded) {
  return (unpadded + kInnerPadding - 1) / kInnerPadding * kInnerPadding;
}

std::span<const std::uint8_t> chunk_of(std::span<const std::uint8_t> plaintext, std::size_t i) {
  const std::size_t begin = i * age::kChunkSize;
  return plaintext.subspan(begin, std::min(age::kChunkSize, plaintext.size() - begin));
}

// An attachment's data category is the category of the one reference fragment that names it
// (7.11): exactly one reference per attachment descriptor, and no reference to anything else.
// Without this an attachment could travel with no category at all, or with two, and escape the
// labels the hub and the policy judged.
bool attachments_referenced_once(std::span<const FragmentView> fragments,
                                 std::span<const AttachmentDescriptor> attachments) {
  std::vector<std::size_t> references(attachments.size(), 0);
  for (const FragmentView& fragment : fragments) {
    if (fragment.media_type != kAttachmentReferenceMediaType) {
      continue;
    }
    const auto named = std::find_if(attachments.begin(), attachments.end(), [&](const auto& a) {
      return fragment.body.size() == a.id.size() &&
             std::equal(a.id.begin(), a.id.end(), fragment.body.begin());
    });
    if (named == attachments.end()) {
      return false;
    }
    ++references[static_cast<std::size_t>(named - attachments.begin())];
  }
  return std::all_of(references.begin(), references.end(), [](std::size_t n) { return n == 1; });
}

// A file name a person will see and a file system will be given: display-safe text (no
// controls, no bidirectional or line-separator characters that disguise an extension).
bool is_valid_file_name(std::string_view name) noexcept {
  return name.size() <= 65535 && is_display_safe(name);
}

// The origin of a gossiped checkpoint: a signed note (in its one encoding) whose text is a
// checkpoint, at most note::kMaxNoteSize bytes (field_out_of_range) and otherwise non_canonical.
// Its signatures are the reader's to verify: the protocol library does not know the hub key.
Result<std::string> gossiped_origin(std::string_view text) {
  if (text.empty() || text.size() > note::kMaxNoteSize) {
    return errc::field_out_of_range;
  }
  auto parsed = note::parse(text);
  auto checkpoint =
      parsed ? note::parse_checkpoint_text(parsed->text) : Result<note::Checkpoint>(parsed.error());
  if (!checkpoint) {
    return errc::non_canonical;
  }
  return std::move(checkpoint->origin);
}

Hash256 key_commitment(const age::FileKey& file_key, const Id& message_id) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, file_key.expose().data(), file_key.kSize, 32);
  crypto_generichash_update(&state,
                            reinterpret_cast<const unsigned char*>(kCommitmentDomain.data()),
                            kCommitmentDomain.size());
  crypto_generichash_update(&state, message_id.data(), message_id.size());
  Hash256 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  // The state was keyed with the file key: do not leave it on the stack.
  sodium_memzero(&state, sizeof state);
  return out;
}

// BLAKE2b-512 over a domain and the outer bytes followed by the age header: binds the labels,
// the recipient list and every stanza to the signature.
Digest512 outer_digest(std::span<const std::uint8_t> outer_and_header) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 64);
  crypto_generichash_update(&state,
                            reinterpret_cast<const unsigned char*>(kOuterDigestDomain.data()),
                            kOuterDigestDomain.size());
  crypto_generichash_update(&state, outer_and_header.data(), outer_and_header.size());
  Digest512 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

// The signed region of the inner part hashed as 64 KiB leaves (aligned with the STREAM chunks)
// under one root, so leaves can be hashed in parallel with chunk encryption.
std::vector<Hash256> leaf_hashes(std::span<const std::uint8_t> signed_region, bool parallel) {
  std::vector<Hash256> leaves(chunk_count(signed_region.size()));
  detail::parallel_for(leaves.size(), parallel, [&](std::size_t i) {
    const auto leaf = chunk_of(signed_region, i);
    crypto_generichash(leaves[i].data(), leaves[i].size(), leaf.data(), leaf.size(), nullptr, 0);
  });
  return leaves;
}

Digest512 inner_root(const std::vector<Hash256>& leaves, std::uint64_t signed_length) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 64);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kInnerRootDomain.data()),
                            kInnerRootDomain.size());
  std::vector<std::uint8_t> length;
  wire::Writer(length).u64(signed_length);
  crypto_generichash_update(&state, length.data(), length.size());
  for (const Hash256& leaf : leaves) {
    crypto_generichash_update(&state, leaf.data(), leaf.size());
  }
  Digest512 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

std::array<std::uint8_t, 128> signature_message(const Digest512& outer, const Digest512& inner) {
  std::array<std::uint8_t, 128> message{};
  std::copy(outer.begin(), outer.end(), message.begin());
  std::copy(inner.begin(), inner.end(), message.begin() + 64);
  return message;
}

// A list of ids written as a u8 count and the ids; the caller keeps the count within a u8.
void write_ids(std::span<const Id> ids, wire::Writer& w) {
  w.u8(static_cast<std::uint8_t>(ids.size()));
  for (const Id& id : ids) {
    w.bytes(id);
  }
}

// The reader's side of write_ids for a set: at most `max` ids (field_out_of_range), each
// greater than the one before (non_canonical), so one set has one encoding.
std::vector<Id> read_id_set(wire::Reader& r, std::size_t max) {
  std::vector<Id> ids;
  const std::uint8_t count = r.u8();
  if (count > max) {
    r.fail(errc::field_out_of_range);
  }
  for (std::uint8_t i = 0; i < count && r.ok(); ++i) {
    ids.push_back(r.fixed<16>());
    if (ids.size() > 1 && !(ids[i - 1] < ids[i])) {
      r.fail(errc::non_canonical);
    }
  }
  return ids;
}

void write_outer(const OuterHeader& o, std::uint32_t body_length, wire::Writer& w) {
  w.bytes(kMagic);
  w.u8(kVersion);
  w.u8(kSuite);
  w.bytes(o.message_id);
  w.u64(o.created_at_ms);
  w.bytes(o.sender_org);
  w.u16(static_cast<std::uint16_t>(o.kind));
  w.u16(static_cast<std::uint16_t>(o.purpose));
  w.u32(o.categories.bits());
  w.u32(o.attestations);
  w.bytes(o.consent_reference);
  w.bytes(o.pupil_pseudonym);
  write_ids(o.approvals, w);
  write_ids(o.attachments, w);
  w.u8(static_cast<std::uint8_t>(o.recipients.size()));
  for (const RecipientMailbox& r : o.recipients) {
    w.bytes(r.mailbox_id);
    w.u32(r.epoch);
  }
  w.bytes(o.key_commitment);
  w.u32(body_length);
}

Result<void> validate_draft(const Draft& draft) {
  if (draft.fragments.empty() || draft.fragments.size() > kMaxFragments ||
      draft.attachments.size() > kMaxAttachments || draft.approvals.size() > kMaxApprovals ||
      !known_attestations(draft.attestations)) {
    return errc::field_out_of_range;
  }
  for (const Fragment& f : draft.fragments) {
    if (f.media_type.size() > 255 || !wire::is_printable_ascii(f.media_type) ||
        f.body.size() > std::numeric_limits<std::uint32_t>::max()) {
      return errc::field_out_of_range;
    }
  }
  for (const AttachmentDescriptor& a : draft.attachments) {
    if (a.media_type.size() > 255 || !wire::is_printable_ascii(a.media_type) ||
        !is_valid_file_name(a.file_name)) {
      return errc::field_out_of_range;
    }
  }
  if (draft.pupil && !is_valid_reference(draft.pupil->reference)) {
    return errc::field_out_of_range;
  }
  for (const auto& approval : draft.approvals) {
    if (approval.size() > std::numeric_limits<std::uint16_t>::max()) {
      return errc::field_out_of_range;
    }
  }
  if (draft.checkpoints.size() > kMaxGossipedCheckpoints) {
    return errc::field_out_of_range;
  }
  return {};
}

// The outer labels an envelope must carry for its categories: data about one pupil names the
// pupil, so the hub can match consents and keep the disclosure register.
Result<void> check_pupil_label(CategorySet categories, const Hash256& pseudonym) {
  if (names_a_pupil(categories) && is_zero(pseudonym)) {
    return errc::pupil_missing;
  }
  return {};
}

// The ids of the draft's approvals in ascending order, the order both lists are written in.
Result<std::vector<std::pair<Id, std::span<const std::uint8_t>>>> sorted_approvals(
    const Draft& draft) {
  std::vector<std::pair<Id, std::span<const std::uint8_t>>> out;
  for (const auto& bytes : draft.approvals) {
    auto parsed = parse_approval(bytes);
    if (!parsed) {
      return errc::field_out_of_range;
    }
    out.emplace_back(parsed->statement.approval_id, bytes);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto twice = std::adjacent_find(
      out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first == b.first; });
  if (twice != out.end()) {
    return errc::non_canonical;
  }
  return out;
}

// The draft's attachment ids in ascending order, as the outer list carries them. One id twice
// would let two descriptors share one blob grant: refused like two approvals with one id.
Result<std::vector<Id>> attachment_ids(const Draft& draft) {
  std::vector<Id> ids;
  for (const AttachmentDescriptor& a : draft.attachments) {
    ids.push_back(a.id);
  }
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return errc::non_canonical;
  }
  return ids;
}

// The blobs the outer list lets the recipients download are exactly the ones the signed inner
// part carries keys for: no blob granted behind the recipients' backs, none left out.
bool lists_the_attachments(std::span<const Id> listed,
                           std::span<const AttachmentDescriptor> attachments) {
  std::vector<Id> inside;
  for (const AttachmentDescriptor& a : attachments) {
    inside.push_back(a.id);
  }
  std::sort(inside.begin(), inside.end());
  return std::equal(inside.begin(), inside.end(), listed.begin(), listed.end());
}

Result<std::vector<RecipientMailbox>> recipient_list(
    std::span<const MailboxEpochCertificate> recipients) {
  if (recipients.empty()) {
    return errc::no_recipients;
  }
  if (recipients.size() > kMaxRecipients) {
    return errc::too_many_recipients;
  }
  std::vector<RecipientMailbox> list;
  for (const MailboxEpochCertificate& c : recipients) {
    const bool listed = std::any_of(list.begin(), list.end(), [&](const RecipientMailbox& r) {
      return r.mailbox_id == c.mailbox_id;
    });
    if (listed) {
      return errc::duplicate_recipient;
    }
    list.push_back({c.mailbox_id, c.epoch});
  }
  return list;
}

// The inner part as the sealer sees it: small framing fields it writes itself, the fragment
// bodies where the draft keeps them, and a tail with the signature and the padding. Chunks are
// read straight from these pieces, so a 5 MiB fragment is never copied before encryption.
class InnerPlaintext {
 public:
  InnerPlaintext(const Draft& draft, const Sender& sender,
                 std::span<const std::pair<Id, std::span<const std::uint8_t>>> approvals,
                 const detail::DeclaredGossip& declared) {
    wire::SecretWriter w(framing_);
    w.u8(declared.inner_version);
    w.u32(0);  // signed length, patched below
    w.bytes(encode(sender.certificate));
    w.u64(sender.sequence);
    w.bytes(draft.thread_id);
    w.bytes(draft.previous_hash);
    w.text8(draft.pupil ? draft.pupil->reference : std::string());
    if (draft.pupil) {
      w.bytes(draft.pupil->salt);
    }
    w.u16(static_cast<std::uint16_t>(draft.fragments.size()));
    std::vector<std::size_t> cuts;  // where each fragment body sits between framing bytes
    for (const Fragment& f : draft.fragments) {
      w.u8(static_cast<std::uint8_t>(f.category));
      w.u8(static_cast<std::uint8_t>(f.domain));
      w.text8(f.media_type);
      w.u32(static_cast<std::uint32_t>(f.body.size()));
      cuts.push_back(framing_.size());
    }
    w.u8(static_cast<std::uint8_t>(draft.attachments.size()));
    for (const AttachmentDescriptor& a : draft.attachments) {
      w.bytes(a.id);
      w.bytes(a.key.expose());
      w.bytes(a.stream_header);
      w.u64(a.ciphertext_size);
      w.bytes(a.ciphertext_hash);
      w.bytes(a.plaintext_hash);
      w.text8(a.media_type);
      w.text16(a.file_name);
    }
    w.u8(static_cast<std::uint8_t>(approvals.size()));
    for (const auto& approval : approvals) {
      w.u16(static_cast<std::uint16_t>(approval.second.size()));
      w.bytes(approval.second);
    }
    if (declared.inner_version != kInnerVersionWithoutGossip) {
      w.u8(static_cast<std::uint8_t>(declared.checkpoints.size()));
      for (const std::string& checkpoint : declared.checkpoints) {
        w.text16(checkpoint);
      }
    }
    // The framing buffer no longer grows: views into it stay valid from here on.
    std::size_t from = 0;
    for (std::size_t i = 0; i < cuts.size(); ++i) {
      add(std::span<const std::uint8_t>(framing_).subspan(from, cuts[i] - from));
      add(draft.fragments[i].body.expose());
      from = cuts[i];
    }
    add(std::span<const std::uint8_t>(framing_).subspan(from));
    signed_length_ = size_;
    std::vector<std::uint8_t> length;
    wire::Writer(length).u32(static_cast<std::uint32_t>(signed_length_));
    std::copy(length.begin(), length.end(), framing_.begin() + kSignedLengthOffset);
    tail_.resize(padded_size(signed_length_ + kSignatureSize) - signed_length_);
    add(tail_);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t signed_length() const noexcept { return signed_length_; }
  void set_signature(const Signature& signature) {
    std::copy(signature.begin(), signature.end(), tail_.begin());
  }

  /// Bytes [begin, begin + length): a direct view when they lie in one piece, else assembled
  /// in `scratch`.
  [[nodiscard]] std::span<const std::uint8_t> view(std::size_t begin, std::size_t length,
                                                   SecretBuffer& scratch) const {
    auto piece = std::upper_bound(starts_.begin(), starts_.end(), begin) - 1;
    auto index = static_cast<std::size_t>(piece - starts_.begin());
    std::size_t offset = begin - *piece;
    if (offset + length <= pieces_[index].size()) {
      return pieces_[index].subspan(offset, length);
    }
    scratch.clear();
    while (scratch.size() < length) {
      const auto part = pieces_[index].subspan(offset);
      const std::size_t take = std::min(part.size(), length - scratch.size());
      scratch.insert(scratch.end(), part.begin(), part.begin() + static_cast<std::ptrdiff_t>(take));
      ++index;
      offset = 0;
    }
    return scratch;
  }

 private:
  void add(std::span<const std::uint8_t> piece) {
    if (piece.empty()) {
      return;
    }
    starts_.push_back(size_);
    pieces_.push_back(piece);
    size_ += piece.size();
  }

  SecretBuffer framing_;
  SecretBuffer tail_;
  std::vector<std::span<const std::uint8_t>> pieces_;
  std::vector<std::size_t> starts_;
  std::size_t size_ = 0;
  std::size_t signed_length_ = 0;
};

// The gossip block (PROTOCOL.md 7.7): u8 count 0..2, each checkpoint note as bytes16, strictly
// ascending by origin (so at most one per log, in one order).
void read_gossip(wire::Reader& r, std::vector<std::string>& out) {
  const std::uint8_t count = r.u8();
  if (count > kMaxGossipedCheckpoints) {
    r.fail(errc::field_out_of_range);
  }
  std::string previous;
  for (std::uint8_t i = 0; i < count && r.ok(); ++i) {
    const auto bytes = r.bytes16();
    if (!r.ok()) {
      return;
    }
    std::string text(bytes.begin(), bytes.end());
    auto origin = gossiped_origin(text);
    if (!origin) {
      r.fail(origin.error() == errc::field_out_of_range ? errc::field_out_of_range
                                                        : errc::non_canonical);
      return;
    }
    if (i > 0 && *origin <= previous) {
      r.fail(errc::non_canonical);
      return;
    }
    previous = std::move(*origin);
    out.push_back(std::move(text));
  }
}

struct ParsedInner {
  std::size_t signed_length = 0;
  Signature signature{};
};

// Parses the inner part into `opened` (views into opened.plaintext) and checks its canonical
// form: the signed length is where the fields end, and the padding is zero and minimal.
Result<ParsedInner> parse_inner(OpenedEnvelope& opened) {
  const auto plain = opened.plaintext.expose();
  wire::Reader r(plain);
  opened.inner_version = r.u8();
  if (opened.inner_version != kInnerVersion && opened.inner_version != kInnerVersionWithoutGossip &&
      r.ok()) {
    return errc::unsupported_version;
  }
  ParsedInner parsed;
  parsed.signed_length = r.u32();
  auto certificate = parse_device_certificate(r.take(kDeviceCertificateSize));
  opened.sequence = r.u64();
  opened.thread_id = r.fixed<16>();
  opened.previous_hash = r.fixed<32>();
  if (auto reference = r.utf8_8(); !reference.empty()) {
    if (!is_valid_reference(reference)) {
      r.fail(errc::non_canonical);
    }
    opened.pupil = PupilBinding{std::move(reference), r.fixed<32>()};
  }
  const std::uint16_t fragment_count = r.u16();
  if (fragment_count == 0 || fragment_count > kMaxFragments) {
    r.fail(errc::field_out_of_range);
  }
  for (std::uint16_t i = 0; i < fragment_count && r.ok(); ++i) {
    FragmentView f;
    const auto category = from_code<DataCategory>(r.u8());
    const auto domain = from_code<GuidanceDomain>(r.u8());
    f.media_type = r.ascii8();
    f.body = r.bytes32();
    if (!category || !domain) {
      r.fail(errc::field_out_of_range);
    }
    f.category = category.value_or(DataCategory::identificatie);
    f.domain = domain.value_or(GuidanceDomain::none);
    opened.fragments.push_back(std::move(f));
  }
  const std::uint8_t attachment_count = r.u8();
  if (attachment_count > kMaxAttachments) {
    r.fail(errc::field_out_of_range);
  }
  for (std::uint8_t i = 0; i < attachment_count && r.ok(); ++i) {
    AttachmentDescriptor a;
    a.id = r.fixed<16>();
    const auto key = r.take(32);
    if (key.size() == 32) {
      a.key = SecretKey<32>::copy_of(key.first<32>());
    }
    a.stream_header = r.fixed<24>();
    a.ciphertext_size = r.u64();
    a.ciphertext_hash = r.fixed<32>();
    a.plaintext_hash = r.fixed<32>();
    a.media_type = r.ascii8();
    a.file_name = r.utf8_16();
    if (r.ok() && !is_valid_file_name(a.file_name)) {
      r.fail(errc::non_canonical);
    }
    opened.attachments.push_back(std::move(a));
  }
  const std::uint8_t approval_count = r.u8();
  if (approval_count > kMaxApprovals) {
    r.fail(errc::field_out_of_range);
  }
  for (std::uint8_t i = 0; i < approval_count && r.ok(); ++i) {
    opened.approvals.push_back(r.bytes16());
  }
  if (opened.inner_version == kInnerVersion) {
    read_gossip(r, opened.checkpoints);
  }
  if (r.ok() && r.position() != parsed.signed_length) {
    r.fail(errc::non_canonical);
  }
  parsed.signature = r.fixed<64>();
  const auto padding = r.take(r.remaining());
  if (auto status = r.status(); !status) {
    return status.error();
  }
  if (!is_zero(padding) || plain.size() != padded_size(parsed.signed_length + kSignatureSize)) {
    return errc::non_canonical;
  }
  if (!certificate) {
    return certificate.error();
  }
  opened.sender = *certificate;
  return parsed;
}

// The outer pseudonym is the one the pupil named inside stands for, and a message names no
// pupil inside that its labels do not name.
Result<void> check_pupil(const OpenedEnvelope& opened, const OuterHeader& outer) {
  const bool labelled = !is_zero(outer.pupil_pseudonym);
  if (labelled != opened.pupil.has_value() ||
      (opened.pupil && pupil_pseudonym(*opened.pupil) != outer.pupil_pseudonym)) {
    return errc::pupil_mismatch;
  }
  return {};
}

// One carried approval: signed by a device the sender's organisation certified when it
// approved, of another person than the sender, for these labels and this very content.
Result<void> check_approval(std::span<const std::uint8_t> bytes, const Id& listed_id,
                            const OpenedEnvelope& opened, const OuterHeader& outer,
                            const Hash256& content, const TrustStore& trust) {
  auto approval = parse_approval(bytes);
  if (!approval || approval->statement.approval_id != listed_id) {
    return errc::approval_mismatch;
  }
  if (auto signed_ok = verify_approval_signature(*approval); !signed_ok) {
    return signed_ok.error();
  }
  const SigningPublicKey* org_key = trust.find(approval->approver.org_id);
  if (org_key == nullptr) {
    return errc::certificate_untrusted;
  }
  if (auto valid = verify(approval->approver, *org_key, approval->statement.created_at_ms / 1000);
      !valid) {
    return valid.error();
  }
  if (approval->approver.staff_id == opened.sender.staff_id) {
    return errc::approval_mismatch;  // four eyes are two people, not two devices of one
  }
  if (auto matched = check_approval_matches(*approval, outer); !matched) {
    return matched.error();
  }
  if (!ct_equal(approval->statement.content_hash, content)) {
    return errc::approval_content_mismatch;
  }
  return {};
}

Result<void> check_approvals(const OpenedEnvelope& opened, const OuterHeader& outer,
                             const TrustStore& trust) {
  if (opened.approvals.size() != outer.approvals.size()) {
    return errc::approval_mismatch;
  }
  if (opened.approvals.empty()) {
    return {};
  }
  const Hash256 content = content_hash(opened);
  for (std::size_t i = 0; i < opened.approvals.size(); ++i) {
    if (auto ok =
            check_approval(opened.approvals[i], outer.approvals[i], opened, outer, content, trust);
        !ok) {
      return ok.error();
    }
  }
  return {};
}

Result<std::size_t> inner_size_of(std::size_t payload_size) {
  if (payload_size < age::kNonceSize + age::kTagSize) {
    return errc::truncated;
  }
  const std::size_t sealed = payload_size - age::kNonceSize;
  const std::size_t full = sealed / age::kSealedChunkSize;
  const std::size_t rest = sealed % age::kSealedChunkSize;
  // The last chunk holds at least one byte: the inner part is never empty.
  if (rest != 0 && rest <= age::kTagSize) {
    return errc::non_canonical;
  }
  const std::size_t inner = full * age::kChunkSize + (rest == 0 ? 0 : rest - age::kTagSize);
  if (inner == 0 || inner % kInnerPadding != 0) {
    return errc::non_canonical;
  }
  return inner;
}

// The draft's checkpoints sorted by origin: one that is not a checkpoint note is
// field_out_of_range, two of one log non_canonical (as two approvals with one id).
Result<std::vector<std::string>> gossip_of(const Draft& draft) {
  std::vector<std::pair<std::string, std::string>> by_origin;
  for (const std::string& checkpoint : draft.checkpoints) {
    auto origin = gossiped_origin(checkpoint);
    if (!origin) {
      return errc::field_out_of_range;
    }
    by_origin.emplace_back(std::move(*origin), checkpoint);
  }
  std::sort(by_origin.begin(), by_origin.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < by_origin.size(); ++i) {
    if (i > 0 && by_origin[i].first == by_origin[i - 1].first) {
      return errc::non_canonical;
    }
    out.push_back(std::move(by_origin[i].second));
  }
  return out;
}

// The labels the public sealer writes, every one derived from the draft and none chosen by the
// caller: the categories of the fragments, the pupil's pseudonym, the attachments' ids.
Result<detail::DeclaredLabels> derived_labels(const Draft& draft) {
  detail::DeclaredLabels labels;
  for (const Fragment& f : draft.fragments) {
    labels.categories.add(f.category);
  }
  if (draft.pupil) {
    labels.pupil_pseudonym = pupil_pseudonym(*draft.pupil);
  }
  if (auto labelled = check_pupil_label(labels.categories, labels.pupil_pseudonym); !labelled) {
    return labelled.error();
  }
  auto attachments = attachment_ids(draft);
  if (!attachments) {
    return attachments.error();
  }
  labels.attachments = std::move(*attachments);
  return labels;
}

}  // namespace

Digest512 detail::outer_digest_of(std::span<const std::uint8_t> outer_and_header) {
  return protocol::outer_digest(outer_and_header);
}

Digest512 detail::inner_root_of(std::span<const std::uint8_t> signed_region) {
  return protocol::inner_root(leaf_hashes(signed_region, false), signed_region.size());
}

Result<ParsedEnvelope> parse_envelope(std::span<const std::uint8_t> envelope) {
  wire::Reader r(envelope);
  ParsedEnvelope parsed;
  OuterHeader& o = parsed.outer;
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  if (r.u8() != kSuite && r.ok()) {
    return errc::unsupported_suite;
  }
  o.message_id = r.fixed<16>();
  o.created_at_ms = r.u64();
  o.sender_org = r.fixed<16>();
  const auto kind = from_code<MessageKind>(r.u16());
  const auto purpose = from_code<Purpose>(r.u16());
  const auto categories = CategorySet::from_bits(r.u32());
  o.attestations = r.u32();
  o.consent_reference = r.fixed<16>();
  o.pupil_pseudonym = r.fixed<32>();
  o.approvals = read_id_set(r, kMaxApprovals);
  o.attachments = read_id_set(r, kMaxAttachments);
  const std::uint8_t recipient_count = r.u8();
  if (recipient_count == 0) {
    r.fail(errc::no_recipients);
  } else if (recipient_count > kMaxRecipients) {
    r.fail(errc::too_many_recipients);
  }
  for (std::uint8_t i = 0; i < recipient_count && r.ok(); ++i) {
    RecipientMailbox recipient{r.fixed<16>(), r.u32()};
    const bool listed = std::any_of(
        o.recipients.begin(), o.recipients.end(),
        [&](const RecipientMailbox& other) { return other.mailbox_id == recipient.mailbox_id; });
    if (listed) {
      r.fail(errc::duplicate_recipient);
    }
    o.recipients.push_back(recipient);
  }
  o.key_commitment = r.fixed<32>();
  const std::uint32_t body_length = r.u32();
  parsed.outer_bytes = envelope.first(std::min(r.position(), envelope.size()));
  parsed.body = r.take(body_length);
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  if (!kind || !purpose || !categories || categories->empty() ||
      !known_attestations(o.attestations)) {
    return errc::field_out_of_range;
  }
  o.kind = *kind;
  o.purpose = *purpose;
  o.categories = *categories;
  if (auto labelled = check_pupil_label(o.categories, o.pupil_pseudonym); !labelled) {
    return labelled.error();
  }

  auto header = age::parse_header(parsed.body);
  if (!header) {
    return errc::age_header_malformed;
  }
  if (header->stanzas.size() != o.recipients.size()) {
    return errc::recipient_stanza_mismatch;
  }
  // Every stanza, not only the ones a given recipient opens: the stock age tool refuses the
  // whole file for one malformed stanza, and archives must stay openable with it.
  for (const age::Stanza& stanza : header->stanzas) {
    if (stanza.type != "X25519" || !age::x25519_stanza_share(stanza)) {
      return errc::recipient_stanza_mismatch;
    }
  }
  parsed.age_header = parsed.body.first(header->length);
  parsed.payload = parsed.body.subspan(header->length);
  auto inner_size = inner_size_of(parsed.payload.size());
  if (!inner_size) {
    return inner_size.error();
  }
  parsed.inner_size = *inner_size;
  parsed.header = std::move(*header);
  return parsed;
}

Result<void> check_recipient_epochs(const OuterHeader& outer,
                                    std::span<const RecipientMailbox> current) {
  for (const RecipientMailbox& listed : outer.recipients) {
    const auto it = std::find_if(current.begin(), current.end(), [&](const RecipientMailbox& c) {
      return c.mailbox_id == listed.mailbox_id;
    });
    if (it == current.end() || listed.epoch > it->epoch) {
      return errc::unknown_epoch;
    }
    if (listed.epoch < it->epoch) {
      return errc::stale_epoch;
    }
  }
  return {};
}

Result<void> seal_into(const Draft& draft, const Sender& sender,
                       std::span<const MailboxEpochCertificate> recipients,
                       std::uint64_t created_at_ms, std::vector<std::uint8_t>& out) {
  auto labels = derived_labels(draft);
  auto checkpoints = labels ? gossip_of(draft) : Result<std::vector<std::string>>(labels.error());
  auto sealed = checkpoints
                    ? detail::seal_with_labels(draft, sender, recipients, created_at_ms, *labels,
                                               out, {std::move(*checkpoints), kInnerVersion})
                    : Result<void>(checkpoints.error());
  if (!sealed) {
    out.clear();
  }
  return sealed;
}

Result<std::vector<std::uint8_t>> seal(const Draft& draft, const Sender& sender,
                                       std::span<const MailboxEpochCertificate> recipients,
                                       std::uint64_t created_at_ms) {
  std::vector<std::uint8_t> out;
  if (auto sealed = seal_into(draft, sender, recipients, created_at_ms, out); !sealed) {
    return sealed.error();
  }
  return out;
}

Result<void> detail::seal_with_labels(const Draft& draft, const Sender& sender,
                                      std::span<const MailboxEpochCertificate> recipients,
                                      std::uint64_t created_at_ms, const DeclaredLabels& declared,
                                      std::vector<std::uint8_t>& out,
                                      const DeclaredGossip& gossip) {
  if (auto valid = validate_draft(draft); !valid) {
    return valid.error();
  }
  if (declared.attachments.size() > std::numeric_limits<std::uint8_t>::max() ||
      gossip.checkpoints.size() > std::numeric_limits<std::uint8_t>::max() ||
      std::any_of(gossip.checkpoints.begin(), gossip.checkpoints.end(), [](const std::string& c) {
        return c.size() > std::numeric_limits<std::uint16_t>::max();
      })) {
    return errc::field_out_of_range;  // a lying sender's lists must still fit their counts
  }
  auto recipient_mailboxes = recipient_list(recipients);
  if (!recipient_mailboxes) {
    return recipient_mailboxes.error();
  }
  OuterHeader outer;
  // A draft names its message id when a second approval was asked for it (approval.hpp).
  outer.message_id = is_zero(draft.message_id) ? random_id() : draft.message_id;
  outer.created_at_ms = created_at_ms;
  outer.sender_org = sender.certificate.org_id;
  outer.kind = draft.kind;
  outer.purpose = draft.purpose;
  outer.categories = declared.categories;
  outer.attestations = draft.attestations;
  outer.consent_reference = draft.consent_reference;
  outer.pupil_pseudonym = declared.pupil_pseudonym;
  auto approvals = sorted_approvals(draft);
  if (!approvals) {
    return approvals.error();
  }
  for (const auto& approval : *approvals) {
    outer.approvals.push_back(approval.first);
  }
  outer.attachments = declared.attachments;
  outer.recipients = std::move(*recipient_mailboxes);

  const auto file_key = age::FileKey::random();
  outer.key_commitment = key_commitment(file_key, outer.message_id);
  std::vector<age::X25519Recipient> age_recipients;
  for (const MailboxEpochCertificate& c : recipients) {
    if (!age::is_usable_recipient_key(c.mailbox_key)) {
      return errc::field_out_of_range;  // a small-order key would wrap to an all-zero secret
    }
    // An epoch past its window may still hold a device removed since (docs/PROTOCOL.md 11).
    if (auto valid = check_window(c, created_at_ms / 1000); !valid) {
      return valid.error();
    }
    age_recipients.push_back({c.mailbox_key});
  }
  std::vector<std::uint8_t> header;
  age::write_header(file_key, age_recipients, header);

  InnerPlaintext inner(draft, sender, *approvals, gossip);
  const std::size_t signed_length = inner.signed_length();
  const std::size_t body_length = header.size() + sealed_payload_size(inner.size());
  if (body_length > std::numeric_limits<std::uint32_t>::max()) {
    return errc::payload_too_large;
  }

  std::vector<std::uint8_t> head;  // outer part and age header: what the outer digest covers
  wire::Writer writer(head);
  write_outer(outer, static_cast<std::uint32_t>(body_length), writer);
  head.insert(head.end(), header.begin(), header.end());
  const Digest512 outer_hash = outer_digest(head);
  // Sized once: a reused buffer that already has this size is not zero-filled again.
  out.resize(head.size() + sealed_payload_size(inner.size()));
  std::copy(head.begin(), head.end(), out.begin());
  const auto nonce = std::span(out).subspan(head.size()).first<age::kNonceSize>();
  random_fill(nonce);
  const auto payload_key = age::PayloadKey::derive(file_key, nonce);
  const std::size_t chunks_at = head.size() + age::kNonceSize;

  const std::size_t chunks = chunk_count(inner.size());
  const auto seal_chunk = [&](std::size_t i, SecretBuffer& scratch) {
    const std::size_t begin = i * age::kChunkSize;
    const auto plain = inner.view(begin, std::min(age::kChunkSize, inner.size() - begin), scratch);
    payload_key.seal_chunk(i, i + 1 == chunks, plain,
                           out.data() + chunks_at + i * age::kSealedChunkSize);
  };
  // Chunks before the signature are sealed while the leaves are hashed; the rest after signing.
  const std::size_t unsigned_from = signed_length / age::kChunkSize;
  std::vector<Hash256> leaves(chunk_count(signed_length));
  detail::parallel_for(unsigned_from + leaves.size(), inner.size() >= detail::kParallelThreshold,
                       [&](std::size_t task) {
                         SecretBuffer scratch;
                         if (task < unsigned_from) {
                           seal_chunk(task, scratch);
                           return;
                         }
                         const std::size_t i = task - unsigned_from;
                         const std::size_t begin = i * age::kChunkSize;
                         const auto leaf = inner.view(
                             begin, std::min(age::kChunkSize, signed_length - begin), scratch);
                         crypto_generichash(leaves[i].data(), leaves[i].size(), leaf.data(),
                                            leaf.size(), nullptr, 0);
                       });
  inner.set_signature(sender.signing_key.sign(
      kSignatureDomain, signature_message(outer_hash, inner_root(leaves, signed_length))));
  SecretBuffer scratch;
  for (std::size_t i = unsigned_from; i < chunks; ++i) {
    seal_chunk(i, scratch);
  }
  return {};
}

void MailboxKeyring::add(const Id& mailbox_id, std::uint32_t epoch, age::X25519Identity identity) {
  keys_.insert_or_assign({mailbox_id, epoch}, std::move(identity));
}

const age::X25519Identity* MailboxKeyring::find(const Id& mailbox_id, std::uint32_t epoch) const {
  const auto it = keys_.find({mailbox_id, epoch});
  return it == keys_.end() ? nullptr : &it->second;
}

bool MailboxKeyring::holds_mailbox(const Id& mailbox_id) const {
  const auto it = keys_.lower_bound({mailbox_id, 0});
  return it != keys_.end() && it->first.first == mailbox_id;
}

const SigningPublicKey* TrustStore::find(const Id& org_id) const {
  const auto it = keys_.find(org_id);
  return it == keys_.end() ? nullptr : &it->second;
}

Result<OpenedEnvelope> open(std::span<const std::uint8_t> envelope, const MailboxKeyring& keyring,
                            const TrustStore& trust) {
  auto parsed = parse_envelope(envelope);
  if (!parsed) {
    return parsed.error();
  }
  const OuterHeader& outer = parsed->outer;
  // The first listed mailbox whose epoch key we hold; holding a mailbox but not the epoch it
  // was sealed to is reported as such when no other listed mailbox can open it.
  const age::X25519Identity* identity = nullptr;
  std::size_t index = 0;
  bool mailbox_held = false;
  for (std::size_t i = 0; i < outer.recipients.size() && identity == nullptr; ++i) {
    const RecipientMailbox& r = outer.recipients[i];
    mailbox_held = mailbox_held || keyring.holds_mailbox(r.mailbox_id);
    identity = keyring.find(r.mailbox_id, r.epoch);
    index = i;
  }
  if (identity == nullptr) {
    return mailbox_held ? errc::unknown_epoch : errc::not_a_recipient;
  }
  auto file_key = age::unwrap_x25519(parsed->header.stanzas[index], *identity);
  if (!file_key) {
    return file_key.error() == errc::age_no_identity_matched ? errc::stanza_does_not_open
                                                             : file_key.error();
  }
  // Before the MAC: a stanza wrapping another file key than the other recipients got is the
  // attack the commitment exists for, and it deserves its own answer.
  if (!ct_equal(key_commitment(*file_key, outer.message_id), outer.key_commitment)) {
    return errc::key_commitment_mismatch;
  }
  if (auto mac = age::verify_header_mac(parsed->header, parsed->age_header, *file_key); !mac) {
    return mac.error();
  }

  OpenedEnvelope opened;
  opened.plaintext = SecretBytes(parsed->inner_size);
  const auto nonce = parsed->payload.first<age::kNonceSize>();
  const auto sealed = parsed->payload.subspan(age::kNonceSize);
  const auto payload_key = age::PayloadKey::derive(*file_key, nonce);
  const std::size_t chunks = chunk_count(parsed->inner_size);
  const bool parallel = parsed->inner_size >= detail::kParallelThreshold;
  std::atomic<bool> authentic{true};
  std::uint8_t* plain = opened.plaintext.expose_mutable().data();
  detail::parallel_for(chunks, parallel, [&](std::size_t i) {
    const std::size_t begin = i * age::kSealedChunkSize;
    const auto chunk =
        sealed.subspan(begin, std::min(age::kSealedChunkSize, sealed.size() - begin));
    if (!payload_key.open_chunk(i, i + 1 == chunks, chunk, plain + i * age::kChunkSize)) {
      authentic = false;
    }
  });
  if (!authentic) {
    return errc::age_payload_corrupt;
  }

  auto inner = parse_inner(opened);
  if (!inner) {
    return inner.error();
  }
  const SigningPublicKey* org_key = trust.find(opened.sender.org_id);
  if (org_key == nullptr) {
    return errc::certificate_untrusted;
  }
  if (opened.sender.org_id != outer.sender_org) {
    return errc::sender_mismatch;
  }
  if (auto valid = verify(opened.sender, *org_key, outer.created_at_ms / 1000); !valid) {
    return valid.error();
  }
  const auto leaves = leaf_hashes(opened.plaintext.expose().first(inner->signed_length), parallel);
  const Digest512 outer_hash =
      outer_digest(envelope.first(parsed->outer_bytes.size() + parsed->age_header.size()));
  if (!verify_signature(opened.sender.signing_key, kSignatureDomain,
                        signature_message(outer_hash, inner_root(leaves, inner->signed_length)),
                        inner->signature)) {
    return errc::signature_invalid;
  }
  CategorySet content_categories;
  for (const FragmentView& f : opened.fragments) {
    content_categories.add(f.category);
  }
  if (content_categories != outer.categories ||
      !attachments_referenced_once(opened.fragments, opened.attachments)) {
    return errc::label_mismatch;
  }
  if (!lists_the_attachments(outer.attachments, opened.attachments)) {
    return errc::attachment_list_mismatch;
  }
  if (auto pupil = check_pupil(opened, outer); !pupil) {
    return pupil.error();
  }
  if (auto approved = check_approvals(opened, outer, trust); !approved) {
    return approved.error();
  }
  opened.outer = std::move(parsed->outer);
  return opened;
}

Hash256 envelope_hash(std::span<const std::uint8_t> envelope) {
  return hash256("draaischijf/envelope-hash/v1", {envelope});
}

}  // namespace draaischijf::protocol
