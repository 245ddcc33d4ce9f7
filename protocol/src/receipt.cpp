#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'R', 'C'};
// Version 1 signed no decisions; it is refused rather than read as a receipt without them.
constexpr std::string_view kDomain = "draaischijf/receipt/v2";
constexpr std::string_view kDigestDomain = "draaischijf/receipt/v3";
constexpr std::string_view kRecordEntryDomain = "draaischijf/receipt-record/v1";

Result<void> check_text(std::string_view text, std::size_t max) {
  if (text.size() > max) {
    return errc::field_out_of_range;
  }
  // The hub's text reaches the sender's terminal and logs: nothing that could drive either.
  if (!wire::is_printable_ascii(text)) {
    return errc::non_canonical;
  }
  return {};
}

// Printable ASCII of at most `max` bytes; the first failure sticks in `r`.
std::string bounded_text(wire::Reader& r, std::size_t max) {
  std::string text = r.ascii8();
  if (text.size() > max) {
    r.fail(errc::field_out_of_range);
    return {};
  }
  return text;
}

void write_decisions(wire::Writer& w, const ReceiptDecisions& decided) {
  w.text8(decided.rule_set_version);
  w.u8(static_cast<std::uint8_t>(decided.decisions.size()));
  for (const ReceiptDecision& d : decided.decisions) {
    w.bytes(d.mailbox_id);
    w.text8(d.rule_ids);
    w.text8(d.legal_basis);
    w.u8(static_cast<std::uint8_t>(d.approvers.size()));
    for (const Id& approver : d.approvers) {
      w.bytes(approver);
    }
  }
}

ReceiptDecisions read_decisions(wire::Reader& r) {
  ReceiptDecisions decided;
  decided.rule_set_version = bounded_text(r, kRuleSetVersionMax);
  const std::size_t count = r.u8();
  if (r.ok() && (count == 0 || count > kMaxRecipients)) {
    r.fail(errc::field_out_of_range);
  }
  for (std::size_t i = 0; i < count && r.ok(); ++i) {
    ReceiptDecision& d = decided.decisions.emplace_back();
    d.mailbox_id = r.fixed<16>();
    d.rule_ids = bounded_text(r, kRuleIdsMax);
    d.legal_basis = bounded_text(r, kLegalBasisMax);
    const std::size_t approvers = r.u8();
    if (r.ok() && approvers > kMaxApprovals) {
      r.fail(errc::field_out_of_range);
    }
    for (std::size_t k = 0; k < approvers && r.ok(); ++k) {
      d.approvers.push_back(r.fixed<16>());
    }
  }
  return decided;
}

// Version 2: what the signature covers (ends with the hub key's id). Version 3: the receipt.
std::vector<std::uint8_t> signed_body(const Receipt& r) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(r.version);
  w.bytes(r.message_id);
  w.bytes(r.envelope_hash);
  w.u64(r.received_at_ms);
  w.u64(r.sequence);
  write_decisions(w, r.decided);
  if (r.version == kSignedReceiptVersion) {
    w.bytes(r.hub_key);
  }
  return out;
}

}  // namespace

Result<void> check_decisions(const ReceiptDecisions& decided) {
  if (decided.decisions.empty() || decided.decisions.size() > kMaxRecipients) {
    return errc::field_out_of_range;
  }
  if (auto ok = check_text(decided.rule_set_version, kRuleSetVersionMax); !ok) {
    return ok;
  }
  for (const ReceiptDecision& d : decided.decisions) {
    if (d.approvers.size() > kMaxApprovals) {
      return errc::field_out_of_range;
    }
    if (auto ok = check_text(d.rule_ids, kRuleIdsMax); !ok) {
      return ok;
    }
    if (auto ok = check_text(d.legal_basis, kLegalBasisMax); !ok) {
      return ok;
    }
  }
  return {};
}

Result<std::vector<std::uint8_t>> encode_decisions(const ReceiptDecisions& decided) {
  if (auto ok = check_decisions(decided); !ok) {
    return ok.error();
  }
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  write_decisions(w, decided);
  return out;
}

Result<ReceiptDecisions> parse_decisions(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  auto decided = read_decisions(r);
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  return decided;
}

Result<Receipt> logged_receipt(const Id& message_id, const Hash256& envelope_hash,
                               std::uint64_t received_at_ms, std::uint64_t sequence,
                               ReceiptDecisions decided) {
  if (auto ok = check_decisions(decided); !ok) {
    return ok.error();
  }
  return Receipt{kLoggedReceiptVersion,
                 message_id,
                 envelope_hash,
                 received_at_ms,
                 sequence,
                 std::move(decided),
                 {},
                 {}};
}

Result<Receipt> sign_receipt(const Id& message_id, const Hash256& envelope_hash,
                             std::uint64_t received_at_ms, std::uint64_t sequence,
                             ReceiptDecisions decided, const SigningKey& hub_key) {
  auto r = logged_receipt(message_id, envelope_hash, received_at_ms, sequence, std::move(decided));
  if (!r) {
    return r;
  }
  r->version = kSignedReceiptVersion;
  r->hub_key = hub_key.key_id();
  r->signature = hub_key.sign(kDomain, signed_body(*r));
  return r;
}

Result<void> verify(const Receipt& receipt, const SigningPublicKey& hub_key) {
  if (receipt.version != kSignedReceiptVersion) {
    return errc::unsupported_version;
  }
  if (receipt.hub_key != key_id_of(hub_key)) {
    return errc::certificate_untrusted;
  }
  if (!verify_signature(hub_key, kDomain, signed_body(receipt), receipt.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

std::vector<std::uint8_t> encode(const Receipt& receipt) {
  std::vector<std::uint8_t> out = signed_body(receipt);
  if (receipt.version == kSignedReceiptVersion) {
    out.insert(out.end(), receipt.signature.begin(), receipt.signature.end());
  }
  return out;
}

Result<Receipt> parse_receipt(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  Receipt receipt;
  receipt.version = r.u8();
  if (r.ok() && receipt.version != kSignedReceiptVersion &&
      receipt.version != kLoggedReceiptVersion) {
    return errc::unsupported_version;
  }
  receipt.message_id = r.fixed<16>();
  receipt.envelope_hash = r.fixed<32>();
  receipt.received_at_ms = r.u64();
  receipt.sequence = r.u64();
  receipt.decided = read_decisions(r);
  if (receipt.version == kSignedReceiptVersion) {
    receipt.hub_key = r.fixed<32>();
    receipt.signature = r.fixed<64>();
  }
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  return receipt;
}

Hash256 receipt_digest(const Receipt& receipt) {
  return hash256(kDigestDomain, {signed_body(receipt)});
}

Hash256 receipt_record_entry(const Hash256& receipt_digest, const Hash256& row_hash) {
  return hash256(kRecordEntryDomain, {receipt_digest, row_hash});
}

Result<void> check_logged(const Receipt& receipt, const Hash256& row_hash, std::uint64_t index,
                          const note::Checkpoint& checkpoint, std::span<const merkle::Hash> proof) {
  if (receipt.version != kLoggedReceiptVersion) {
    return errc::unsupported_version;
  }
  const Hash256 entry = receipt_record_entry(receipt_digest(receipt), row_hash);
  return check_included(checkpoint, entry, index, proof);
}

}  // namespace draaischijf::protocol
