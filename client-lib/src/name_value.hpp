#pragma once

// The "name value" line format of profile.conf and the development deployment's key files:
// one setting per line, the name and its value separated by spaces, '#' starting a comment.

#include <map>
#include <sstream>
#include <string>

namespace draaischijf::client {

/// Every setting by name; a repeated name keeps its last value.
[[nodiscard]] inline std::map<std::string, std::string> name_value_lines(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::istringstream words(line);
    std::string name;
    std::string value;
    words >> name >> value;
    fields[name] = value;
  }
  return fields;
}

}  // namespace draaischijf::client
