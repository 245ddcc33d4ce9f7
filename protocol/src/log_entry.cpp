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

std::vector<std::uint8_t> epoch_certificate_entry(std::span<const std::uint8_t> certificate) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(DirectoryEntryKind::epoch_certificate)};
  out.insert(out.end(), certificate.begin(), certificate.end());
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
