#include <algorithm>
#include <string_view>

#include <sodium.h>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "recipient_set.hpp"

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'A', 'P'};
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kSignatureDomain = "draaischijf/approval/v1";
constexpr std::string_view kContentDomain = "draaischijf/approval-content/v2";

std::vector<Id> sorted_set(std::span<const Id> ids) {
  std::vector<Id> out(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Everything before the signature, in wire order; the recipients must already be sorted.
void write_signed_part(const ApprovalStatement& s, const DeviceCertificate& approver,
                       wire::Writer& w) {
  w.bytes(kMagic);
  w.u8(kVersion);
  w.bytes(s.approval_id);
  w.bytes(s.message_id);
  w.bytes(s.sender_org);
  w.u16(static_cast<std::uint16_t>(s.kind));
  w.u16(static_cast<std::uint16_t>(s.purpose));
  w.u32(s.categories.bits());
  w.u32(s.attestations);
  w.bytes(s.consent_reference);
  w.bytes(s.pupil_pseudonym);
  w.bytes(s.content_hash);
  w.u64(s.created_at_ms);
  w.bytes(encode(approver));
  w.u8(static_cast<std::uint8_t>(s.recipients.size()));
  for (const Id& mailbox : s.recipients) {
    w.bytes(mailbox);
  }
}

std::vector<std::uint8_t> signed_part(const ApprovalStatement& s,
                                      const DeviceCertificate& approver) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  write_signed_part(s, approver, w);
  return out;
}

// The same refusals as seal() for the same labels, so a statement that signs is one an envelope
// can match.
Result<void> validate_statement(const ApprovalStatement& s, const DeviceCertificate& approver) {
  if (is_zero(s.approval_id) || is_zero(s.message_id) || s.categories.empty() ||
      !known_attestations(s.attestations)) {
    return errc::field_out_of_range;
  }
  if (auto recipients = check_recipient_set(s.recipients); !recipients) {
    return recipients.error();
  }
  if (approver.org_id != s.sender_org) {
    return errc::sender_mismatch;
  }
  return {};
}

// hash256() streamed: fragment bodies may be megabytes and are hashed where they lie. The state
// holds plaintext, so it is wiped when done.
class ContentHasher {
 public:
  ContentHasher() {
    ensure_sodium();
    crypto_generichash_init(&state_, nullptr, 0, 32);
    absorb({reinterpret_cast<const std::uint8_t*>(kContentDomain.data()), kContentDomain.size()});
    u8(0);
  }
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;
  ~ContentHasher() { sodium_memzero(&state_, sizeof state_); }

  void absorb(std::span<const std::uint8_t> bytes) {
    crypto_generichash_update(&state_, bytes.data(), bytes.size());
  }
  void u8(std::uint8_t v) { absorb({&v, 1}); }
  void u64(std::uint64_t v) {
    std::array<std::uint8_t, 8> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(v >> (8U * (bytes.size() - 1 - i)));
    }
    absorb(bytes);
  }
  /// A u64 length, then the bytes: every field is length-prefixed, so the encoding is
  /// injective whatever the sizes (a draft seal() would refuse included).
  void counted(std::span<const std::uint8_t> bytes) {
    u64(bytes.size());
    absorb(bytes);
  }
  void counted(std::string_view text) {
    counted({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  [[nodiscard]] Hash256 finish() {
    Hash256 out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
  }

 private:
  crypto_generichash_state state_{};
};

std::span<const std::uint8_t> body_of(const Fragment& f) { return f.body.expose(); }
std::span<const std::uint8_t> body_of(const FragmentView& f) { return f.body; }

template <class FragmentLike>
bool is_reference(const FragmentLike& f) {
  return f.media_type == kAttachmentReferenceMediaType;
}

// The category of the reference fragment naming `attachment` (open() has checked there is
// exactly one; a draft without one hashes the 0xFF no category has).
template <class FragmentLike>
std::uint8_t category_of(const AttachmentDescriptor& attachment,
                         std::span<const FragmentLike> fragments) {
  for (const FragmentLike& f : fragments) {
    const auto body = body_of(f);
    if (is_reference(f) &&
        std::equal(body.begin(), body.end(), attachment.id.begin(), attachment.id.end())) {
      return static_cast<std::uint8_t>(f.category);
    }
  }
  return 0xFF;
}

// One definition for the sender's Fragment and the recipient's FragmentView, so both sides
// hash the same fields in the same order by construction. An attachment counts by what a person
// approves: its category, media type, file name and the hash of the file itself. Not its random
// id, key, stream header or ciphertext, which do not exist yet when the approver looks at the
// file; so the reference fragments, whose bodies are those ids, are hashed as their attachment.
template <class FragmentLike>
Hash256 hash_content(const Id& thread_id, const Hash256& previous_hash,
                     std::span<const FragmentLike> fragments,
                     std::span<const AttachmentDescriptor> attachments) {
  ContentHasher h;
  h.absorb(thread_id);
  h.absorb(previous_hash);
  const auto text_fragments = static_cast<std::uint64_t>(std::count_if(
      fragments.begin(), fragments.end(), [](const auto& f) { return !is_reference(f); }));
  h.u64(text_fragments);
  for (const FragmentLike& f : fragments) {
    if (is_reference(f)) {
      continue;
    }
    h.u8(static_cast<std::uint8_t>(f.category));
    h.u8(static_cast<std::uint8_t>(f.domain));
    h.counted(f.media_type);
    h.counted(body_of(f));
  }
  h.u64(attachments.size());
  for (const AttachmentDescriptor& a : attachments) {
    h.u8(category_of(a, fragments));
    h.absorb(a.plaintext_hash);
    h.counted(a.media_type);
    h.counted(a.file_name);
  }
  return h.finish();
}

}  // namespace

ApprovalStatement approval_statement(const Draft& draft, const Id& sender_org,
                                     std::span<const Id> recipient_mailboxes,
                                     std::uint64_t created_at_ms) {
  ApprovalStatement s;
  s.approval_id = random_id();
  s.message_id = draft.message_id;
  s.sender_org = sender_org;
  s.kind = draft.kind;
  s.purpose = draft.purpose;
  for (const Fragment& f : draft.fragments) {
    s.categories.add(f.category);  // as seal() derives the outer label
  }
  s.attestations = draft.attestations;
  s.consent_reference = draft.consent_reference;
  if (draft.pupil) {
    s.pupil_pseudonym = pupil_pseudonym(*draft.pupil);
  }
  s.recipients = sorted_set(recipient_mailboxes);
  s.content_hash = content_hash(draft);
  s.created_at_ms = created_at_ms;
  return s;
}

Result<std::vector<std::uint8_t>> sign_approval(const ApprovalStatement& statement,
                                                const DeviceCertificate& approver,
                                                const SigningKey& key) {
  if (auto valid = validate_statement(statement, approver); !valid) {
    return valid.error();
  }
  ApprovalStatement canonical = statement;
  canonical.recipients = sorted_set(statement.recipients);
  std::vector<std::uint8_t> out = signed_part(canonical, approver);
  const Signature signature = key.sign(kSignatureDomain, out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

Result<ParsedApproval> parse_approval(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  ParsedApproval parsed;
  ApprovalStatement& s = parsed.statement;
  s.approval_id = r.fixed<16>();
  s.message_id = r.fixed<16>();
  s.sender_org = r.fixed<16>();
  const auto kind = from_code<MessageKind>(r.u16());
  const auto purpose = from_code<Purpose>(r.u16());
  const auto categories = CategorySet::from_bits(r.u32());
  s.attestations = r.u32();
  s.consent_reference = r.fixed<16>();
  s.pupil_pseudonym = r.fixed<32>();
  s.content_hash = r.fixed<32>();
  s.created_at_ms = r.u64();
  auto approver = parse_device_certificate(r.take(kDeviceCertificateSize));
  read_recipient_set(r, s.recipients);
  parsed.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  // As for the envelope's outer labels: checked once the whole structure has been read.
  if (!kind || !purpose || !categories || categories->empty() ||
      !known_attestations(s.attestations)) {
    return errc::field_out_of_range;
  }
  if (!approver) {
    return approver.error();
  }
  s.kind = *kind;
  s.purpose = *purpose;
  s.categories = *categories;
  parsed.approver = *approver;
  return parsed;
}

std::vector<std::uint8_t> encode(const ParsedApproval& approval) {
  std::vector<std::uint8_t> out = signed_part(approval.statement, approval.approver);
  out.insert(out.end(), approval.signature.begin(), approval.signature.end());
  return out;
}

Result<void> verify_approval_signature(const ParsedApproval& approval) {
  if (approval.approver.org_id != approval.statement.sender_org) {
    return errc::sender_mismatch;
  }
  if (!verify_signature(approval.approver.signing_key, kSignatureDomain,
                        signed_part(approval.statement, approval.approver), approval.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

Result<void> check_approval_matches(const ParsedApproval& approval, const OuterHeader& outer) {
  const ApprovalStatement& s = approval.statement;
  const bool listed = std::find(outer.approvals.begin(), outer.approvals.end(), s.approval_id) !=
                      outer.approvals.end();
  std::vector<Id> mailboxes;
  for (const RecipientMailbox& r : outer.recipients) {
    mailboxes.push_back(r.mailbox_id);
  }
  // Epochs are not approved: a sender told its epoch is stale seals again under the same approval.
  const bool same_recipients = sorted_set(mailboxes) == sorted_set(s.recipients);
  const bool same_labels = s.message_id == outer.message_id && s.sender_org == outer.sender_org &&
                           approval.approver.org_id == outer.sender_org && s.kind == outer.kind &&
                           s.purpose == outer.purpose && s.categories == outer.categories &&
                           s.attestations == outer.attestations &&
                           s.consent_reference == outer.consent_reference &&
                           s.pupil_pseudonym == outer.pupil_pseudonym;
  if (!listed || !same_recipients || !same_labels) {
    return errc::approval_mismatch;
  }
  return {};
}

Hash256 content_hash(const Draft& draft) {
  return hash_content<Fragment>(draft.thread_id, draft.previous_hash, draft.fragments,
                                draft.attachments);
}

Hash256 content_hash(const OpenedEnvelope& opened) {
  return hash_content<FragmentView>(opened.thread_id, opened.previous_hash, opened.fragments,
                                    opened.attachments);
}

}  // namespace draaischijf::protocol
