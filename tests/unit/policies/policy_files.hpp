#pragma once

// The project's rule file and case table, read from the source tree.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <draaischijf/policies/rule_set.hpp>

namespace draaischijf::policies::testing {

inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(DRAAISCHIJF_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + relative);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline const std::string& flemish_rules_text() {
  static const std::string text = read_source_file("policies/rules/flemish-clb.rules");
  return text;
}

inline const std::string& flemish_cases_text() {
  static const std::string text = read_source_file("policies/rules/flemish-clb.cases");
  return text;
}

/// The Flemish rule set, parsed once (a test that fails to parse it fails loudly here).
inline const RuleSet& flemish_rules() {
  static const RuleSet rules = [] {
    auto parsed = parse_rule_set(flemish_rules_text());
    if (!parsed) {
      throw std::runtime_error(parsed.error().message());
    }
    return *parsed;
  }();
  return rules;
}

}  // namespace draaischijf::policies::testing
