#pragma once

// A CLB staff member's action on an onthaal case (assign, vraagverheldering, traject, close,
// link, delay_reason), signed with the end-to-end signing key of the enrolled device that took
// it. The hub verifies it against that device's key in its directory, checks the transition
// (policies/case_states.hpp) and keeps the signed bytes, so a client can show who did what and
// check that the hub did not make it up (docs/PROTOCOL.md 7.17).
//
// Signed bytes (95), domain "draaischijf/case-statement/v1":
//   "DRCS" | version u8 = 1 | org id[16] | case id[16] | device id[16] | action u8 | code u8
//   | subject[16] | at_ms u64 | nonce[16]
// The action and code bytes are policies::CaseAction and its code (a track, a reason, a link
// kind); the subject is the staff id of an assign, the consent or message id of a link, zero
// otherwise. at_ms is bounded by the hub's clock and the nonce is accepted once.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

struct CaseStatement {
  Id org_id{};
  Id case_id{};
  Id device_id{};
  std::uint8_t action = 0;
  std::uint8_t code = 0;
  Id subject{};
  std::uint64_t at_ms = 0;
  Id nonce{};
};

inline constexpr std::string_view kCaseStatementDomain = "draaischijf/case-statement/v1";
inline constexpr std::size_t kCaseStatementSize = 95;

[[nodiscard]] std::vector<std::uint8_t> encode(const CaseStatement& statement);
/// Exactly the 95 bytes above: bad_magic, unsupported_version, truncated or trailing_data.
[[nodiscard]] Result<CaseStatement> parse_case_statement(std::span<const std::uint8_t> bytes);
[[nodiscard]] Signature sign_case_statement(const CaseStatement& statement,
                                            const SigningKey& device_key);
[[nodiscard]] bool verify_case_statement(std::span<const std::uint8_t> bytes,
                                         const Signature& signature,
                                         const SigningPublicKey& device_key);

}  // namespace draaischijf::protocol
