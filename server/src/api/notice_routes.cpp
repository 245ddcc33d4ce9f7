#include "api/notice_routes.hpp"

#include <draaischijf/protocol/hub_notice.hpp>

#include "api/on_writer.hpp"

namespace draaischijf::server::notice_routes {

using namespace api_call;

namespace {

// Whether the caller's device may see a notice of its own organisation.
bool visible(Call& call, const StoredNotice& notice) {
  if (notice.mailbox_id == Id{}) {
    return true;
  }
  auto member = call.parts.directory.is_member(notice.mailbox_id, call.caller.device_id);
  return member && *member;
}

json::object notice_json(const StoredNotice& n) {
  json::object out{{"sequence", n.sequence},
                   {"notice_id", hex(n.notice_id)},
                   {"notice", b64(n.body)},
                   {"acked_at_ms", n.acked_at_ms ? json::value(*n.acked_at_ms) : nullptr}};
  // The type by name for people and scripts; the client decides by the signed bytes only.
  if (auto parsed = protocol::parse_notice(n.body)) {
    out["type"] = protocol::name_of(parsed->type);
  }
  return out;
}

}  // namespace

Task<Reply> list_notices(Call& call) {
  if (!call.caller.enrolled) {
    co_return call.json(Status::ok, {{"notices", json::array()}, {"next_after", nullptr}});
  }
  const auto after = parse_count(call.query_value("after").value_or("0"));
  const auto limit = parse_count(call.query_value("limit").value_or(std::to_string(kDefaultPage)));
  if (!after || !limit || *limit == 0 || *limit > static_cast<std::int64_t>(kMaxPage)) {
    co_return call.problem(ProblemKind::malformed_request,
                           "after must be a sequence number and limit between 1 and 1000.");
  }
  auto rows = call.parts.notices.list(call.caller.org_id, *after, static_cast<std::size_t>(*limit));
  if (!rows) {
    co_return call.problem(rows.error());
  }
  json::array out;
  for (const StoredNotice& n : *rows) {
    if (visible(call, n)) {
      out.push_back(notice_json(n));
    }
  }
  // The cursor is the last row looked at, whether or not this device may see it.
  json::object body{{"notices", std::move(out)}};
  body["next_after"] = rows->size() == static_cast<std::size_t>(*limit)
                           ? json::value(rows->back().sequence)
                           : json::value(nullptr);
  co_return call.json(Status::ok, body);
}

Task<Reply> acknowledge(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id || !call.caller.enrolled) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto notice = call.parts.notices.find(call.caller.org_id, *id);
  if (!notice || !visible(call, *notice)) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto done = co_await on_writer<sqlite::Result<void>>([&](auto complete) {
    return call.parts.notices.acknowledge(call.caller.org_id, *id, call.caller.device_id,
                                          call.now_ms(), complete);
  });
  if (!done) {
    co_return call.problem(ProblemKind::overloaded);
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  co_return call.json(Status::ok, {{"notice_id", hex(*id)}, {"state", "acknowledged"}});
}

}  // namespace draaischijf::server::notice_routes
