#include <array>

#include <draaischijf/protocol/admin_action.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kAdminMagic = {'D', 'R', 'A', 'A'};

}  // namespace

Hash256 admin_body_hash(std::span<const std::uint8_t> body) {
  return hash256("draaischijf admin action body v1", {body});
}

std::vector<std::uint8_t> encode(const AdminStatement& statement) {
  std::vector<std::uint8_t> out;
  wire::Writer writer(out);
  writer.bytes(kAdminMagic);
  writer.u8(1);
  writer.bytes(statement.org_id);
  writer.u8(static_cast<std::uint8_t>(statement.action));
  writer.bytes(statement.target);
  writer.bytes(statement.body_hash);
  writer.u64(statement.at_ms);
  writer.bytes(statement.nonce);
  return out;
}

Signature sign_admin_action(const AdminStatement& statement, const SigningKey& organisation_key) {
  return organisation_key.sign(kAdminActionDomain, encode(statement));
}

bool verify_admin_action(const AdminStatement& statement, const Signature& signature,
                         const SigningPublicKey& organisation_key) {
  return verify_signature(organisation_key, kAdminActionDomain, encode(statement), signature);
}

}  // namespace draaischijf::protocol
