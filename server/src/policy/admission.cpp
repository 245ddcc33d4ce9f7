#include <cstdint>
#include <string>

#include <draaischijf/server/policy/admission.hpp>

namespace draaischijf::server {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<errc>(value)) {
    case errc::envelope_too_large:
      return "envelope exceeds the configured size limit";
    case errc::sender_organisation_mismatch:
      return "envelope names another sender organisation than the client certificate";
    case errc::clock_skew:
      return "envelope creation time is too far from the hub's clock";
  }
  return "unknown server error";
}

}  // namespace

const boost::system::error_category& server_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.server", describe);
  return category;
}

protocol::Result<protocol::ParsedEnvelope> admit(std::span<const std::uint8_t> envelope,
                                                 const AuthenticatedSender& sender,
                                                 std::chrono::system_clock::time_point now,
                                                 const AdmissionLimits& limits) {
  if (envelope.size() > limits.max_envelope_bytes) {
    return make_error_code(errc::envelope_too_large);
  }
  auto parsed = protocol::parse_envelope(envelope);
  if (!parsed) {
    return parsed;
  }
  if (parsed->outer.sender_org != sender.org_id) {
    return make_error_code(errc::sender_organisation_mismatch);
  }
  // In unsigned milliseconds: created_at is the sender's uint64, and any value above INT64_MAX
  // must be refused, not overflow a signed difference.
  const auto now_count =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::uint64_t now_ms = now_count < 0 ? 0 : static_cast<std::uint64_t>(now_count);
  const std::uint64_t created = parsed->outer.created_at_ms;
  const std::uint64_t skew = created > now_ms ? created - now_ms : now_ms - created;
  const auto allowed = limits.max_clock_skew.count();
  if (allowed < 0 || skew > static_cast<std::uint64_t>(allowed)) {
    return make_error_code(errc::clock_skew);
  }
  return parsed;
}

}  // namespace draaischijf::server
