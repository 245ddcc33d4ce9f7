#include <draaischijf/client/cases.hpp>
#include <draaischijf/protocol/case_statement.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "hub_json.hpp"
#include "session_state.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::Result;

// A stored statement must be a CLB device's of this organisation about this case, signed by
// that device's certified key.
Result<void> check_statement(detail::SessionState& s, const json::object& stored,
                             const Id& case_id) {
  const auto bytes = hub_json::base64(stored, "statement");
  const auto signature = hub_json::fixed<64>(hub_json::base64(stored, "signature"));
  if (!bytes || !signature) {
    return invalid_answer();
  }
  auto parsed = protocol::parse_case_statement(*bytes);
  if (!parsed || parsed->case_id != case_id || parsed->org_id != s.secrets.org_id) {
    return tampered();
  }
  auto device = verified_device(s, parsed->device_id);
  if (!device) {
    return device.error();
  }
  if (device->org_id != parsed->org_id ||
      !protocol::verify_case_statement(*bytes, *signature, device->signing_key)) {
    return tampered();
  }
  return {};
}

}  // namespace

Result<json::object> Cases::act(const Id& case_id, policies::CaseAction action, std::uint8_t code,
                                const Id& subject) {
  protocol::CaseStatement statement;
  statement.org_id = state_->secrets.org_id;
  statement.case_id = case_id;
  statement.device_id = state_->secrets.device_id;
  statement.action = static_cast<std::uint8_t>(action);
  statement.code = code;
  statement.subject = subject;
  statement.at_ms = static_cast<std::uint64_t>(state_->clock.now_ms());
  statement.nonce = protocol::random_id();
  const json::object body{{"statement", protocol::base64_encode(protocol::encode(statement))},
                          {"signature", protocol::base64_encode(protocol::sign_case_statement(
                                            statement, state_->secrets.signing))}};
  auto answer = state_->post_json("/v1/cases/" + hex(case_id) + "/statements", body);
  if (!answer) {
    return answer.error();
  }
  if (hub_json::id(*answer, "case_id") != case_id) {
    return invalid_answer();
  }
  return answer;
}

Result<std::vector<json::object>> Cases::list(const std::string& query) {
  return state_->get_list("/v1/cases" + query, "cases");
}

Result<json::object> Cases::get(const Id& case_id) {
  auto answer = state_->get_json("/v1/cases/" + hex(case_id));
  if (!answer) {
    return answer.error();
  }
  if (hub_json::id(*answer, "case_id") != case_id) {
    return invalid_answer();
  }
  const auto* statements = answer->if_contains("statements");
  if (statements == nullptr || !statements->is_array()) {
    return invalid_answer();
  }
  for (const auto& stored : statements->as_array()) {
    if (!stored.is_object()) {
      return invalid_answer();
    }
    if (auto checked = check_statement(*state_, stored.as_object(), case_id); !checked) {
      return checked.error();
    }
  }
  return answer;
}

Result<std::vector<json::object>> Cases::signalen() {
  return state_->get_list("/v1/signalen", "signalen");
}

Result<json::object> Cases::report() { return state_->get_json("/v1/reports/cases"); }

}  // namespace draaischijf::client
