#pragma once

// The words of an operator's command after its name: "--name VALUE" options, each at most
// once unless the command lets it repeat, "--name" flags, and the rest in order. A misspelt or
// wrongly repeated option is refused: it would otherwise be ignored without a word.

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::server {

/// Exactly N bytes written as 2N hexadecimal digits (an id, a pseudonym); nullopt otherwise.
template <std::size_t N>
[[nodiscard]] std::optional<std::array<std::uint8_t, N>> fixed_hex(std::string_view text) {
  auto bytes = protocol::hex_decode(text);
  if (!bytes || bytes->size() != N) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

struct Words {
  std::vector<std::string_view> positional;
  std::map<std::string_view, std::string_view> options;
  std::set<std::string_view> flags;
  std::map<std::string_view, std::vector<std::string_view>> lists;  // the repeatable options

  [[nodiscard]] std::size_t count() const { return options.size() + lists.size(); }
  [[nodiscard]] std::optional<std::string> given(std::string_view name) const {
    return has(name) ? std::optional(one(name)) : std::nullopt;
  }
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const {
    const auto it = lists.find(name);
    return it == lists.end() ? std::vector<std::string>{}
                             : std::vector<std::string>(it->second.begin(), it->second.end());
  }

  [[nodiscard]] bool has(std::string_view name) const { return options.count(name) != 0; }
  [[nodiscard]] bool flag(std::string_view name) const { return flags.count(name) != 0; }
  [[nodiscard]] std::string one(std::string_view name, std::string_view fallback = {}) const {
    const auto it = options.find(name);
    return std::string(it == options.end() ? fallback : it->second);
  }
};

/// Reads args[1..] (args[0] is the command's name, as in `command`'s messages). `help` is what
/// the error message tells the operator to run; `repeatable` options may come more than once.
[[nodiscard]] inline bool parse_words(const std::vector<std::string_view>& args,
                                      std::initializer_list<std::string_view> known,
                                      std::initializer_list<std::string_view> known_flags,
                                      std::string_view command, std::string_view help, Words& out,
                                      std::ostream& err,
                                      std::initializer_list<std::string_view> repeatable = {}) {
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
    const bool repeats = std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end();
    if (!repeats && std::find(known.begin(), known.end(), name) == known.end()) {
      err << "error: " << command << " has no option " << args[i] << "; run " << help << "\n";
      return false;
    }
    if (i + 1 >= args.size() || out.has(name)) {
      err << "error: " << args[i] << " takes one value" << (repeats ? "" : ", once") << "; run "
          << help << "\n";
      return false;
    }
    if (repeats) {
      out.lists[name].push_back(args[++i]);
    } else {
      out.options.emplace(name, args[++i]);
    }
  }
  return true;
}

}  // namespace draaischijf::server
