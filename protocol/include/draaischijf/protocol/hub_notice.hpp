#pragma once

// A hub notice: what the hub tells an organisation or one of its mailboxes about the work
// itself (a message nobody fetched in time, a transfer whose objection window closed, ...).
// The hub cannot seal content and needs none: a notice is a small metadata object signed with
// the hub's receipt key, so the client verifies it against the pinned hub key exactly like a
// receipt, and a notice stays on record at both ends. docs/PROTOCOL.md 8.5 gives every byte.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::protocol {

/// What a notice is about. Codes are appended only: a code once given keeps its meaning.
enum class NoticeType : std::uint16_t {
  non_delivery = 1,                      // to the sender: no device of a recipient fetched it
  non_delivery_admin = 2,                // the same, to the recipient organisation
  no_answer_reminder = 3,                // to a partner's mailbox: a referral waits for an answer
  no_answer_case_owner = 4,              // to the CLB's case owner: the partner has not answered
  follow_up = 5,                         // to the case owner: time to follow the referral up
  transfer_announced = 6,                // a dossier transfer was announced
  transfer_objection_window_closed = 7,  // to the old CLB: the objection window has passed
  referral_not_received = 8,             // to the CLB's case owner: the partner has not received
  not_received_reminder = 9,             // to the partner: a referral waits to be received
};
inline constexpr std::uint16_t kNoticeTypeCount = 9;

[[nodiscard]] std::string_view name_of(NoticeType type) noexcept;
[[nodiscard]] std::optional<NoticeType> parse_notice_type(std::string_view name) noexcept;

/// A notice as the hub signs it. `mailbox_id` all zero: for the organisation as a whole.
/// `subject` by type: for the non-delivery notices the message id followed by the recipient
/// mailbox id; for the transfer notices the pupil pseudonym.
struct HubNotice {
  Id notice_id{};
  NoticeType type = NoticeType::non_delivery;
  Id org_id{};
  Id mailbox_id{};
  Hash256 subject{};
  std::uint32_t due_day = 0;  // the due date that passed, in days since 1970-01-01 (Belgium)
  std::uint64_t created_at_ms = 0;
  KeyId hub_key{};
  Signature signature{};
};

inline constexpr std::size_t kHubNoticeSize = 4 + 1 + 16 + 2 + 16 + 16 + 32 + 4 + 8 + 32 + 64;

[[nodiscard]] HubNotice sign_notice(HubNotice unsigned_notice, const SigningKey& hub_key);
/// errc::certificate_untrusted for another hub key, errc::signature_invalid for a bad signature.
[[nodiscard]] Result<void> verify(const HubNotice& notice, const SigningPublicKey& hub_key);
[[nodiscard]] std::vector<std::uint8_t> encode(const HubNotice& notice);
/// truncated, bad_magic, unsupported_version, field_out_of_range (type 0 or not yet known),
/// trailing_data.
[[nodiscard]] Result<HubNotice> parse_notice(std::span<const std::uint8_t> in);

}  // namespace draaischijf::protocol
