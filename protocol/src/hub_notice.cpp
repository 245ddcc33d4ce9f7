#include <array>

#include <draaischijf/protocol/hub_notice.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'N', 'O'};
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kDomain = "draaischijf/hub-notice/v1";

constexpr std::array<std::string_view, kNoticeTypeCount> kNames = {
    "non_delivery",
    "non_delivery_admin",
    "no_answer_reminder",
    "no_answer_case_owner",
    "follow_up",
    "transfer_announced",
    "transfer_objection_window_closed",
    "referral_not_received",
    "not_received_reminder"};

std::vector<std::uint8_t> signed_body(const HubNotice& n) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(kVersion);
  w.bytes(n.notice_id);
  w.u16(static_cast<std::uint16_t>(n.type));
  w.bytes(n.org_id);
  w.bytes(n.mailbox_id);
  w.bytes(n.subject);
  w.u32(n.due_day);
  w.u64(n.created_at_ms);
  w.bytes(n.hub_key);
  return out;
}

}  // namespace

std::string_view name_of(NoticeType type) noexcept {
  const auto code = static_cast<std::uint16_t>(type);
  return code >= 1 && code <= kNoticeTypeCount ? kNames[code - 1] : std::string_view("unknown");
}

std::optional<NoticeType> parse_notice_type(std::string_view name) noexcept {
  for (std::uint16_t code = 1; code <= kNoticeTypeCount; ++code) {
    if (kNames[code - 1] == name) {
      return static_cast<NoticeType>(code);
    }
  }
  return std::nullopt;
}

HubNotice sign_notice(HubNotice n, const SigningKey& hub_key) {
  n.hub_key = hub_key.key_id();
  n.signature = hub_key.sign(kDomain, signed_body(n));
  return n;
}

Result<void> verify(const HubNotice& notice, const SigningPublicKey& hub_key) {
  if (notice.hub_key != key_id_of(hub_key)) {
    return errc::certificate_untrusted;
  }
  if (!verify_signature(hub_key, kDomain, signed_body(notice), notice.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

std::vector<std::uint8_t> encode(const HubNotice& notice) {
  std::vector<std::uint8_t> out = signed_body(notice);
  out.insert(out.end(), notice.signature.begin(), notice.signature.end());
  return out;
}

Result<HubNotice> parse_notice(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kMagic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != kVersion && r.ok()) {
    return errc::unsupported_version;
  }
  HubNotice n;
  n.notice_id = r.fixed<16>();
  const std::uint16_t type = r.u16();
  // A type this client does not know is refused rather than shown as something else.
  if (r.ok() && (type == 0 || type > kNoticeTypeCount)) {
    r.fail(errc::field_out_of_range);
  }
  n.type = static_cast<NoticeType>(type);
  n.org_id = r.fixed<16>();
  n.mailbox_id = r.fixed<16>();
  n.subject = r.fixed<32>();
  n.due_day = r.u32();
  n.created_at_ms = r.u64();
  n.hub_key = r.fixed<32>();
  n.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  return n;
}

}  // namespace draaischijf::protocol
