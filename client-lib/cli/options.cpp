#include "options.hpp"

namespace draaischijf::cli {

Arguments::Arguments(const std::vector<std::string_view>& words,
                     const std::set<std::string>& flags) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string word(words[i]);
    if (word.rfind("--", 0) != 0) {
      positional_.push_back(word);
      continue;
    }
    const std::string name = word.substr(2);
    if (flags.count(name) != 0) {
      flags_.insert(name);
    } else if (i + 1 < words.size()) {
      values_.emplace(name, std::string(words[++i]));
    } else if (error_.empty()) {
      error_ = "option --" + name + " needs a value";
    }
  }
}

std::optional<std::string> Arguments::value(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  std::vector<std::string> out;
  const auto [first, last] = values_.equal_range(name);
  for (auto it = first; it != last; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::string Arguments::unknown(const std::set<std::string>& known) const {
  if (!error_.empty()) {
    return error_;
  }
  for (const auto& [name, value] : values_) {
    if (known.count(name) == 0) {
      return "unknown option --" + name;
    }
  }
  for (const auto& name : flags_) {
    if (known.count(name) == 0) {
      return "unknown option --" + name;
    }
  }
  return {};
}

}  // namespace draaischijf::cli
