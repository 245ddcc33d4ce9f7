#include <array>

#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'T', 'A'};
constexpr std::uint8_t kVersion = 1;

// A transfer names a pupil, a told day and a new CLB that is not the old one: a statement
// without them could not be held against anyone.
bool fields_fit(const TransferAnnouncement& s) {
  return !is_zero(s.sender_org) && !is_zero(s.receiving_org) && s.receiving_org != s.sender_org &&
         !is_zero(s.pupil) && s.told_day != 0;
}

std::vector<std::uint8_t> signed_part(const TransferAnnouncement& s,
                                      const DeviceCertificate& signer) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(kVersion);
  w.bytes(s.sender_org);
  w.bytes(s.receiving_org);
  w.bytes(s.pupil);
  w.u32(s.told_day);
  w.u64(s.created_at_ms);
  w.bytes(encode(signer));
  return out;
}

}  // namespace

Result<std::vector<std::uint8_t>> sign_transfer_announcement(const TransferAnnouncement& statement,
                                                             const DeviceCertificate& signer,
                                                             const SigningKey& key) {
  if (!fields_fit(statement)) {
    return errc::field_out_of_range;
  }
  if (signer.org_id != statement.sender_org) {
    return errc::sender_mismatch;
  }
  std::vector<std::uint8_t> out = signed_part(statement, signer);
  const Signature signature = key.sign(kTransferAnnouncementDomain, out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

Result<ParsedTransferAnnouncement> parse_transfer_announcement(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  ParsedTransferAnnouncement parsed;
  TransferAnnouncement& s = parsed.statement;
  s.sender_org = r.fixed<16>();
  s.receiving_org = r.fixed<16>();
  s.pupil = r.fixed<32>();
  s.told_day = r.u32();
  s.created_at_ms = r.u64();
  auto signer = parse_device_certificate(r.take(kDeviceCertificateSize));
  parsed.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  // Checked once the whole structure has been read, as for the other signed objects (1.3).
  if (!fields_fit(s)) {
    return errc::field_out_of_range;
  }
  if (!signer) {
    return signer.error();
  }
  parsed.signer = *signer;
  return parsed;
}

std::vector<std::uint8_t> encode(const ParsedTransferAnnouncement& statement) {
  std::vector<std::uint8_t> out = signed_part(statement.statement, statement.signer);
  out.insert(out.end(), statement.signature.begin(), statement.signature.end());
  return out;
}

Result<void> verify_transfer_announcement_signature(const ParsedTransferAnnouncement& statement) {
  if (statement.signer.org_id != statement.statement.sender_org) {
    return errc::sender_mismatch;
  }
  if (!verify_signature(statement.signer.signing_key, kTransferAnnouncementDomain,
                        signed_part(statement.statement, statement.signer), statement.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

}  // namespace draaischijf::protocol
