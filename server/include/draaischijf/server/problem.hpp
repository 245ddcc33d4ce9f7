#pragma once

// RFC 9457 problem documents: every refusal the hub gives has a stable type (a URN that never
// changes meaning), a status, a Dutch and an English title, and a detail that tells the person
// or program what to do next. The catalog maps every error code the hub can meet to one.

#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

namespace draaischijf::server {

struct ProblemType {
  unsigned status = 500;
  std::string_view type;  // urn:draaischijf:problem:<slug>
  std::string_view title_nl;
  std::string_view title_en;
  std::string_view detail;  // what to do
};

struct Problem {
  ProblemType kind;
  std::string instance;               // the request id, to quote to the hub operator
  std::vector<std::string> rule_ids;  // policy rules, when a policy said no
  std::string extra_detail;           // appended to the detail; never user data or content
};

/// The catalog entry for an error from any module the hub uses; unknown errors map to a 500.
[[nodiscard]] const ProblemType& problem_type_for(const boost::system::error_code& error);

/// The catalog entry for a slug (for problems that are not error codes: not_found, ...).
[[nodiscard]] const ProblemType& problem_type(std::string_view slug);

/// application/problem+json. `title` is English; `title_nl` carries the Dutch one.
[[nodiscard]] std::string to_json(const Problem& problem);

/// Every entry, for the OpenAPI document and the tests.
[[nodiscard]] const std::vector<ProblemType>& problem_catalog();

}  // namespace draaischijf::server
