#pragma once

// The hub's first look at a submitted envelope, before anything is stored: size, structure,
// that the sender organisation in the envelope is the one the TLS client certificate proved,
// and that the creation time is plausible. The hub never decrypts: it has no keys.

#include <chrono>
#include <cstdint>
#include <span>

#include <draaischijf/protocol/envelope.hpp>

namespace draaischijf::server {

enum class errc {
  envelope_too_large = 1,
  sender_organisation_mismatch,
  clock_skew,
};

[[nodiscard]] const boost::system::error_category& server_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), server_category()};
}

struct AdmissionLimits {
  std::size_t max_envelope_bytes = std::size_t{25} * 1024 * 1024;
  std::chrono::milliseconds max_clock_skew = std::chrono::hours(24);
};

/// Who the mutual-TLS layer says is submitting.
struct AuthenticatedSender {
  protocol::Id org_id{};
};

[[nodiscard]] protocol::Result<protocol::ParsedEnvelope> admit(
    std::span<const std::uint8_t> envelope, const AuthenticatedSender& sender,
    std::chrono::system_clock::time_point now, const AdmissionLimits& limits);

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::errc> : std::true_type {};
}  // namespace boost::system
