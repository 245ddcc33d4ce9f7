#include <array>

#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "device_statement.hpp"

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
  return device_statement::sign(fields_fit(statement), statement.sender_org, signer,
                                signed_part(statement, signer), key, kTransferAnnouncementDomain);
}

Result<ParsedTransferAnnouncement> parse_transfer_announcement(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (auto head = device_statement::read_head(r, kMagic, kVersion); !head) {
    return head.error();
  }
  ParsedTransferAnnouncement parsed;
  TransferAnnouncement& s = parsed.statement;
  s.sender_org = r.fixed<16>();
  s.receiving_org = r.fixed<16>();
  s.pupil = r.fixed<32>();
  s.told_day = r.u32();
  s.created_at_ms = r.u64();
  auto tail = device_statement::read_tail(r, [&s] { return fields_fit(s); });
  if (!tail) {
    return tail.error();
  }
  parsed.signer = tail->signer;
  parsed.signature = tail->signature;
  return parsed;
}

std::vector<std::uint8_t> encode(const ParsedTransferAnnouncement& statement) {
  return device_statement::with_signature(signed_part(statement.statement, statement.signer),
                                          statement.signature);
}

Result<void> verify_transfer_announcement_signature(const ParsedTransferAnnouncement& statement) {
  return device_statement::verify(statement.statement.sender_org, statement.signer,
                                  signed_part(statement.statement, statement.signer),
                                  statement.signature, kTransferAnnouncementDomain);
}

}  // namespace draaischijf::protocol
