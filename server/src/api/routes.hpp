#pragma once

// The /v1 handlers the router dispatches to (router.cpp holds the table with each route's
// access level): the directory (directory_routes.cpp) and mailbox contents and envelopes
// (message_routes.cpp). The policy routes are in policy_routes.hpp.

#include <boost/json/object.hpp>

#include <draaischijf/server/store/directory.hpp>

#include "api/call.hpp"

namespace draaischijf::server::routes {

using api_call::Call;

// JSON forms of directory objects.
[[nodiscard]] boost::json::object organisation_json(const Organisation& o);
[[nodiscard]] boost::json::object device_json(const Device& d);
/// A mailbox as the directory routes show it; `accepting` is false, with the reason in `held`,
/// while it needs a rotation or its current epoch is outside its validity window at `now_ms`.
[[nodiscard]] boost::json::object mailbox_json(const Mailbox& m, std::int64_t now_ms);

// --- directory
[[nodiscard]] Task<Reply> list_organisations(Call& call);
[[nodiscard]] Task<Reply> get_organisation(Call& call);
[[nodiscard]] Task<Reply> list_organisation_mailboxes(Call& call);
[[nodiscard]] Task<Reply> get_device(Call& call);
[[nodiscard]] Task<Reply> request_enrolment(Call& call);
[[nodiscard]] Task<Reply> list_enrolments(Call& call);
[[nodiscard]] Task<Reply> list_devices(Call& call);
[[nodiscard]] Task<Reply> approve_enrolment(Call& call);
[[nodiscard]] Task<Reply> remove_device(Call& call);
[[nodiscard]] Task<Reply> create_mailbox(Call& call);
[[nodiscard]] Task<Reply> rotate_mailbox(Call& call);
[[nodiscard]] Task<Reply> rename_mailbox(Call& call);
[[nodiscard]] Task<Reply> get_mailbox(Call& call);

// --- mailbox contents (members only) and envelopes
[[nodiscard]] Task<Reply> get_epoch(Call& call);
[[nodiscard]] Task<Reply> list_messages(Call& call);
[[nodiscard]] Task<Reply> fetch_message(Call& call);
[[nodiscard]] Task<Reply> fetch_envelopes(Call& call);
[[nodiscard]] Task<Reply> acknowledge(Call& call);
[[nodiscard]] Task<Reply> acknowledge_many(Call& call);
[[nodiscard]] Task<Reply> acknowledge_read(Call& call);
[[nodiscard]] Task<Reply> submit_envelope(Call& call);
[[nodiscard]] Task<Reply> delivery_status(Call& call);

}  // namespace draaischijf::server::routes
