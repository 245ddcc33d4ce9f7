#include <stdexcept>

#include <draaischijf/policies/errors.hpp>
#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::policies {
namespace {

// Fixed strings: the code's message never carries input text.
const char* describe(int value) noexcept {
  switch (static_cast<errc>(value)) {
    case errc::signature_invalid:
      return "rule set signature does not verify";
    case errc::signature_malformed:
      return "malformed signature";
    case errc::syntax:
      return "syntax error";
    case errc::unknown_section:
      return "unknown section";
    case errc::unknown_key:
      return "unknown key";
    case errc::missing_key:
      return "missing key";
    case errc::duplicate:
      return "duplicate";
    case errc::unknown_name:
      return "unknown name";
    case errc::bad_value:
      return "bad value";
    case errc::bad_date:
      return "bad date (expected YYYY-MM-DD)";
    case errc::misplaced:
      return "not allowed here";
  }
  return "unknown policies error";
}

}  // namespace

const boost::system::error_category& policies_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.policies", describe);
  return category;
}

std::string TextError::message() const {
  std::string out;
  if (line != 0) {
    out = "line " + std::to_string(line) + ": ";
  }
  out += describe(static_cast<int>(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

void throw_exception_from_error(const TextError& error, const boost::source_location&) {
  throw std::runtime_error(error.message());
}

}  // namespace draaischijf::policies
