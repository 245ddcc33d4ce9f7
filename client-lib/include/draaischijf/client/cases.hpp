#pragma once

// Onthaal triage from the client (docs/WORKFLOW.md, "Onthaal triage"): the CLB's cases and the
// statements this device signs to move them (docs/PROTOCOL.md 7.17), the school's view of its
// signalen, the director's report. The hub is untrusted: a case's statements are verified
// against the signing devices' certificates, which are verified against the pinned organisation
// key, and an answer about another case is refused.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include <draaischijf/client/session.hpp>
#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::client {

class Cases {
 public:
  /// `session` must outlive this handle.
  explicit Cases(Session& session) noexcept : state_(&session.state()) {}

  /// Signs `action` (with its code and subject, PROTOCOL 7.17) on the case with this device's
  /// key, at the session clock's time, and sends it: the case after it, as the hub shows it.
  [[nodiscard]] protocol::Result<boost::json::object> act(const protocol::Id& case_id,
                                                          policies::CaseAction action,
                                                          std::uint8_t code = 0,
                                                          const protocol::Id& subject = {});
  /// The triage queue; `query` is "" or "?state=new&..." as GET /v1/cases takes it.
  [[nodiscard]] protocol::Result<std::vector<boost::json::object>> list(const std::string& query);
  /// One case, its statements verified (directory_tampered when one does not verify, names
  /// another case or organisation, or the answer is about another case).
  [[nodiscard]] protocol::Result<boost::json::object> get(const protocol::Id& case_id);
  /// The school's signalen with their three states.
  [[nodiscard]] protocol::Result<std::vector<boost::json::object>> signalen();
  /// The director's report, aggregates only.
  [[nodiscard]] protocol::Result<boost::json::object> report();

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
