#pragma once

// How the policy module refuses text: a rule file, a signature, a case table or a request
// written in case syntax. A refusal names the error (a stable code with a fixed message), the
// line it was found on, and a detail naming the offending token for the person fixing the file.
// load_rule_set() checks the operator's signature before it parses anything, so details only
// ever quote text the hub operator signed.

#include <cstddef>
#include <string>
#include <type_traits>

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace draaischijf::policies {

/// Stable values (they appear in logs and tool output): append only.
enum class errc {
  signature_invalid = 1,  // the rule file's detached signature does not verify
  signature_malformed,    // the signature text is not one signature line
  syntax,                 // a line that is neither a section, a key nor a condition
  unknown_section,
  unknown_key,
  missing_key,
  duplicate,
  unknown_name,  // a name outside the vocabulary or the file's groups
  bad_value,
  bad_date,
  misplaced,  // a well-formed line in a place where it has no meaning
};

[[nodiscard]] const boost::system::error_category& policies_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), policies_category()};
}

/// A refusal of text: the code, the 1-based line (0 when the whole text is refused, as for a
/// bad signature) and a detail.
struct TextError {
  errc code = errc::syntax;
  std::size_t line = 0;
  std::string detail;

  /// "line 12: unknown name: recipient_org 'cawx'" (or without the line when it is 0).
  [[nodiscard]] std::string message() const;
  bool operator==(const TextError&) const = default;
};

/// result<T, TextError>: check has_value() / has_error(); value() on an error throws.
template <class T>
using TextResult = boost::system::result<T, TextError>;

/// Found by argument-dependent lookup when value() is called on a TextResult holding an error.
[[noreturn]] void throw_exception_from_error(const TextError& error,
                                             const boost::source_location& location);

}  // namespace draaischijf::policies

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::policies::errc> : std::true_type {};
}  // namespace boost::system
