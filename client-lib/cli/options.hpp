#pragma once

// The CLI's argument handling: a command's words, then "--name value" options (some repeated)
// and "--flag" switches. Every option a command does not know is refused, never ignored.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace draaischijf::cli {

class Arguments {
 public:
  /// `flags` take no value; every other `--name` takes the next word.
  Arguments(const std::vector<std::string_view>& words, const std::set<std::string>& flags);

  [[nodiscard]] const std::vector<std::string>& positional() const noexcept { return positional_; }
  [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> values(const std::string& name) const;
  [[nodiscard]] bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  /// The first option not in `known` (empty when all are known), or the parse error.
  [[nodiscard]] std::string unknown(const std::set<std::string>& known) const;
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::string error_;
};

}  // namespace draaischijf::cli
