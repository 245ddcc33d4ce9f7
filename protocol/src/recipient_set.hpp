#pragma once

// A set of recipient mailboxes as a second approval (docs/PROTOCOL.md 7.12) and an approval
// request (7.19) carry it: 1..16 mailbox ids, none twice, written in strictly ascending order.

#include <algorithm>
#include <span>
#include <vector>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {

/// no_recipients, too_many_recipients or duplicate_recipient for a set no envelope could have.
[[nodiscard]] inline Result<void> check_recipient_set(std::span<const Id> ids) {
  if (ids.empty()) {
    return errc::no_recipients;
  }
  if (ids.size() > kMaxRecipients) {
    return errc::too_many_recipients;
  }
  std::vector<Id> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return errc::duplicate_recipient;
  }
  return {};
}

/// Reads the u8 count and the ids, failing `r` on a count of 0 or above 16 and on ids not in
/// strictly ascending order (non_canonical: one encoding per set).
inline void read_recipient_set(wire::Reader& r, std::vector<Id>& out) {
  const std::uint8_t count = r.u8();
  if (count == 0) {
    r.fail(errc::no_recipients);
  } else if (count > kMaxRecipients) {
    r.fail(errc::too_many_recipients);
  }
  for (std::uint8_t i = 0; i < count && r.ok(); ++i) {
    out.push_back(r.fixed<16>());
    if (out.size() > 1 && !(out[out.size() - 2] < out.back())) {
      r.fail(errc::non_canonical);
    }
  }
}

}  // namespace draaischijf::protocol
