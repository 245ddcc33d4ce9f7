#pragma once

// The operator commands' arguments (`pki ...`, `org ...`): a subcommand, then "--option VALUE"
// pairs, each option known to the subcommand (a misspelt one would otherwise fall back to its
// default without a word), and how a failure is told.

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

namespace draaischijf::server::admin_args {

struct Args {
  std::map<std::string_view, std::vector<std::string_view>> values;
  [[nodiscard]] std::string one(std::string_view key, std::string_view fallback = {}) const {
    const auto it = values.find(key);
    return std::string(it == values.end() || it->second.empty() ? fallback : it->second.back());
  }
  [[nodiscard]] bool has(std::string_view key) const { return values.count(key) != 0; }
};

/// Reads the pairs after args[0] (the subcommand).
inline bool parse(const std::vector<std::string_view>& args, Args& out, std::ostream& err) {
  for (std::size_t i = 1; i < args.size(); i += 2) {
    if (!args[i].starts_with("--") || i + 1 >= args.size()) {
      err << "error: expected --option VALUE pairs after the command, at " << args[i]
          << "; run draaischijf-hub --help\n";
      return false;
    }
    out.values[args[i].substr(2)].push_back(args[i + 1]);
  }
  return true;
}

/// Whether every option is one of `known`; says which is not, and where the help is.
inline bool only_known(std::string_view command, const Args& args,
                       const std::vector<std::string_view>& known, std::string_view help,
                       std::ostream& err) {
  for (const auto& [key, values] : args.values) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      err << "error: " << command << " has no option --" << key << "; run " << help << "\n";
      return false;
    }
  }
  return true;
}

/// "error: WHAT: REASON; HINT", exit code 1.
inline int failed(std::ostream& err, std::string_view what, const boost::system::error_code& error,
                  std::string_view hint) {
  err << "error: " << what << ": " << error.message() << "; " << hint << "\n";
  return 1;
}

}  // namespace draaischijf::server::admin_args
