#pragma once

// The client's requests to the hub, shared by the parts of the library that make them: a
// refusal keeps the hub's problem document (for Client::last_problem()) and becomes the client
// error that says what kind of refusal it was, so callers branch on codes, not on strings.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/hub_connection.hpp>

namespace draaischijf::client {

struct HubSession {
  std::unique_ptr<HubTransport> hub;
  HubProblem problem;

  /// Records the problem of a refused reply: policy_refused (the policy-refused problem),
  /// consent_invalid (consent-invalid), else hub_refused.
  [[nodiscard]] boost::system::error_code refused(const HubReply& reply);
  /// The reply when it is a 2xx, else refused(reply).
  [[nodiscard]] protocol::Result<HubReply> expect_ok(protocol::Result<HubReply> reply);
  /// A 2xx answer whose body must be a JSON object (hub_answer_invalid if not).
  [[nodiscard]] protocol::Result<boost::json::object> get_json(const std::string& target);
  /// The array of objects under `key` in a GET answer.
  [[nodiscard]] protocol::Result<std::vector<boost::json::object>> get_list(
      const std::string& target, std::string_view key);
  [[nodiscard]] protocol::Result<boost::json::object> post_json(const std::string& target,
                                                                const boost::json::value& body);
  [[nodiscard]] protocol::Result<boost::json::object> post_bytes(const std::string& target,
                                                                 std::span<const std::uint8_t> body,
                                                                 std::string_view content_type);
};

}  // namespace draaischijf::client
