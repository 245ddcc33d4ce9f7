#include "hub_session.hpp"

#include "hub_json.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Result;

Result<json::object> object_answer(const HubReply& reply) {
  auto body = hub_json::object_of(reply.body);
  if (!body) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  return std::move(*body);
}

}  // namespace

boost::system::error_code HubSession::refused(const HubReply& reply) {
  problem = hub_json::problem_of(reply);
  if (problem.policy) {
    return make_error_code(client_errc::policy_refused);
  }
  if (problem.type == hub_json::kConsentInvalid) {
    return make_error_code(client_errc::consent_invalid);
  }
  return make_error_code(client_errc::hub_refused);
}

Result<HubReply> HubSession::expect_ok(Result<HubReply> reply) {
  if (!reply) {
    return reply.error();
  }
  if (!reply->ok()) {
    return refused(*reply);
  }
  return reply;
}

Result<json::object> HubSession::get_json(const std::string& target) {
  auto reply = expect_ok(hub->get(target));
  if (!reply) {
    return reply.error();
  }
  return object_answer(*reply);
}

Result<std::vector<json::object>> HubSession::get_list(const std::string& target,
                                                       std::string_view key) {
  auto body = get_json(target);
  if (!body) {
    return body.error();
  }
  auto items = hub_json::objects(*body, key);
  if (!items) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  return std::move(*items);
}

Result<json::object> HubSession::post_json(const std::string& target, const json::value& body) {
  const std::string text = json::serialize(body);
  return post_bytes(target, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                    "application/json");
}

Result<json::object> HubSession::post_bytes(const std::string& target,
                                            std::span<const std::uint8_t> body,
                                            std::string_view content_type) {
  auto reply = expect_ok(hub->post(target, body, content_type));
  if (!reply) {
    return reply.error();
  }
  return object_answer(*reply);
}

}  // namespace draaischijf::client
