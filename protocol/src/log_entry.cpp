#include <array>

#include <sodium.h>

#include <draaischijf/protocol/log_entry.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {

std::vector<std::uint8_t> organisation_key_entry(const Id& org_id, OrgType type,
                                                 const SigningPublicKey& key) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(DirectoryEntryKind::organisation_key));
  w.bytes(org_id);
  w.u8(static_cast<std::uint8_t>(type));
  w.bytes(key);
  return out;
}

namespace {

// A kind byte and the bytes the organisation signed, unchanged.
std::vector<std::uint8_t> kind_and(DirectoryEntryKind kind, std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(kind)};
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

}  // namespace

std::vector<std::uint8_t> epoch_certificate_entry(std::span<const std::uint8_t> certificate) {
  return kind_and(DirectoryEntryKind::epoch_certificate, certificate);
}

std::vector<std::uint8_t> device_certificate_entry(std::span<const std::uint8_t> certificate) {
  return kind_and(DirectoryEntryKind::device_certificate, certificate);
}

std::vector<std::uint8_t> device_removed_entry(const Id& org_id, const Id& device_id,
                                               std::uint64_t removed_at_ms) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(DirectoryEntryKind::device_removed));
  w.bytes(org_id);
  w.bytes(device_id);
  w.u64(removed_at_ms);
  return out;
}

std::vector<std::uint8_t> organisation_removed_entry(const Id& org_id, std::uint64_t removed_at_ms,
                                                     std::uint8_t reason) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(DirectoryEntryKind::organisation_removed));
  w.bytes(org_id);
  w.u64(removed_at_ms);
  w.u8(reason);
  return out;
}

std::vector<std::uint8_t> certificate_revoked_entry(const Id& org_id,
                                                    std::span<const std::uint8_t> serial,
                                                    std::uint64_t revoked_at_ms) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(DirectoryEntryKind::certificate_revoked));
  w.bytes(org_id);
  w.bytes8(serial);
  w.u64(revoked_at_ms);
  return out;
}

std::vector<std::uint8_t> rule_set_entry(std::string_view rule_text, std::string_view version,
                                         const SigningPublicKey& operator_key) {
  // The file's own hash, not the signed message's: anyone holding the published rule file
  // (GET /v1/policy serves it) recomputes it with sha256sum.
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> hash{};
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(rule_text.data()),
                     rule_text.size());
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(DirectoryEntryKind::rule_set));
  w.bytes(hash);
  w.bytes(key_id_of(operator_key));
  w.text16(version);
  return out;
}

}  // namespace draaischijf::protocol
