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

}  // namespace draaischijf::protocol
