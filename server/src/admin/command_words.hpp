#pragma once

// The words of an operator's command after its name: "--name VALUE" options, each at most
// once, "--name" flags, and the rest in order. A misspelt or repeated option is refused: it
// would otherwise be ignored without a word.

#include <algorithm>
#include <initializer_list>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace draaischijf::server {

struct Words {
  std::vector<std::string_view> positional;
  std::map<std::string_view, std::string_view> options;
  std::set<std::string_view> flags;

  [[nodiscard]] bool has(std::string_view name) const { return options.count(name) != 0; }
  [[nodiscard]] bool flag(std::string_view name) const { return flags.count(name) != 0; }
  [[nodiscard]] std::string one(std::string_view name, std::string_view fallback = {}) const {
    const auto it = options.find(name);
    return std::string(it == options.end() ? fallback : it->second);
  }
};

/// Reads args[1..] (args[0] is the command's name, as in `command`'s messages). `help` is what
/// the error message tells the operator to run.
[[nodiscard]] inline bool parse_words(const std::vector<std::string_view>& args,
                                      std::initializer_list<std::string_view> known,
                                      std::initializer_list<std::string_view> known_flags,
                                      std::string_view command, std::string_view help, Words& out,
                                      std::ostream& err) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (!args[i].starts_with("--")) {
      out.positional.push_back(args[i]);
      continue;
    }
    const std::string_view name = args[i].substr(2);
    if (std::find(known_flags.begin(), known_flags.end(), name) != known_flags.end()) {
      out.flags.insert(name);
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      err << "error: " << command << " has no option " << args[i] << "; run " << help << "\n";
      return false;
    }
    if (i + 1 >= args.size() || out.has(name)) {
      err << "error: " << args[i] << " takes one value, once; run " << help << "\n";
      return false;
    }
    out.options.emplace(name, args[++i]);
  }
  return true;
}

}  // namespace draaischijf::server
