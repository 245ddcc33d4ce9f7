#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'R', 'C'};
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kDomain = "draaischijf/receipt/v1";

std::vector<std::uint8_t> signed_body(const Receipt& r) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(kVersion);
  w.bytes(r.message_id);
  w.bytes(r.envelope_hash);
  w.u64(r.received_at_ms);
  w.u64(r.sequence);
  w.bytes(r.hub_key);
  return out;
}

}  // namespace

Receipt sign_receipt(const Id& message_id, const Hash256& envelope_hash,
                     std::uint64_t received_at_ms, std::uint64_t sequence,
                     const SigningKey& hub_key) {
  Receipt r{message_id, envelope_hash, received_at_ms, sequence, hub_key.key_id(), {}};
  r.signature = hub_key.sign(kDomain, signed_body(r));
  return r;
}

Result<void> verify(const Receipt& receipt, const SigningPublicKey& hub_key) {
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
  out.insert(out.end(), receipt.signature.begin(), receipt.signature.end());
  return out;
}

Result<Receipt> parse_receipt(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  Receipt receipt;
  receipt.message_id = r.fixed<16>();
  receipt.envelope_hash = r.fixed<32>();
  receipt.received_at_ms = r.u64();
  receipt.sequence = r.u64();
  receipt.hub_key = r.fixed<32>();
  receipt.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  return receipt;
}

}  // namespace draaischijf::protocol
