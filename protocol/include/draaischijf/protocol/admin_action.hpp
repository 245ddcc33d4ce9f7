#pragma once

// An organisation admin's change at the hub (remove a device, create, rotate or rename a
// mailbox; rotation is how members change), signed with the organisation signing key. An admin TLS
// certificate alone no longer suffices: the hub checks this signature against the organisation key
// in its directory, so a device with the admin role but without the key cannot act
// (docs/PROTOCOL.md 7.13).
//
// Signed bytes, domain "draaischijf/admin-action/v1":
//   "DRAA" | version u8 = 1 | org id[16] | action u8 | target id[16] | body hash[32]
//   | at_ms u64 | nonce[16]
// The body hash binds the request body (a rotation's certificate and seed boxes); at_ms is
// bounded by the hub's clock and the nonce is accepted once, against replay.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

enum class AdminAction : std::uint8_t {
  remove_device = 1,
  create_mailbox = 2,
  rotate_mailbox = 3,
  rename_mailbox = 4,  // the body (the new name) is bound by the body hash
};

struct AdminStatement {
  Id org_id{};
  AdminAction action = AdminAction::remove_device;
  Id target{};          // the device or mailbox acted on; the new mailbox's id on creation
  Hash256 body_hash{};  // admin_body_hash() of the request body
  std::uint64_t at_ms = 0;
  Id nonce{};
};

inline constexpr std::string_view kAdminActionDomain = "draaischijf/admin-action/v1";

[[nodiscard]] Hash256 admin_body_hash(std::span<const std::uint8_t> body);
[[nodiscard]] std::vector<std::uint8_t> encode(const AdminStatement& statement);
[[nodiscard]] Signature sign_admin_action(const AdminStatement& statement,
                                          const SigningKey& organisation_key);
[[nodiscard]] bool verify_admin_action(const AdminStatement& statement, const Signature& signature,
                                       const SigningPublicKey& organisation_key);

}  // namespace draaischijf::protocol
