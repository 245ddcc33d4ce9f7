#include <string>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/notices.hpp>

#include "hub_json.hpp"
#include "session_state.hpp"

namespace draaischijf::client {

using protocol::Result;

Result<protocol::HubNotice> verify_notice(std::span<const std::uint8_t> bytes,
                                          const protocol::SigningPublicKey& hub_key,
                                          const protocol::Id& org_id) {
  auto notice = protocol::parse_notice(bytes);
  if (!notice || !protocol::verify(*notice, hub_key) || notice->org_id != org_id) {
    return make_error_code(client_errc::notice_invalid);
  }
  return *notice;
}

Result<std::vector<ReceivedNotice>> Notices::list() {
  detail::SessionState& s = *state_;
  if (!s.trust.hub_key()) {
    return make_error_code(client_errc::notice_invalid);  // nothing to verify against
  }
  std::vector<ReceivedNotice> out;
  std::string after = "0";
  while (true) {
    auto page = s.get_json("/v1/notices?limit=1000&after=" + after);
    if (!page) {
      return page.error();
    }
    const auto rows = hub_json::objects(*page, "notices");
    if (!rows) {
      return make_error_code(client_errc::hub_answer_invalid);
    }
    for (const auto& row : *rows) {
      const auto bytes = hub_json::base64(row, "notice");
      const auto sequence = hub_json::count(row, "sequence");
      if (!bytes || !sequence) {
        return make_error_code(client_errc::hub_answer_invalid);
      }
      auto notice = verify_notice(*bytes, *s.trust.hub_key(), s.secrets.org_id);
      if (!notice) {
        return notice.error();
      }
      ReceivedNotice received{*notice, static_cast<std::int64_t>(*sequence), std::nullopt};
      if (const auto acked = hub_json::count(row, "acked_at_ms")) {
        received.acked_at_ms = static_cast<std::int64_t>(*acked);
      }
      out.push_back(std::move(received));
    }
    const auto next = hub_json::count(*page, "next_after");
    if (!next) {
      return out;
    }
    after = std::to_string(*next);
  }
}

Result<void> Notices::acknowledge(const protocol::Id& notice_id) {
  auto answer = state_->post_json("/v1/notices/" + protocol::hex_encode(notice_id) + "/ack",
                                  boost::json::object{});
  if (!answer) {
    return answer.error();
  }
  return {};
}

}  // namespace draaischijf::client
