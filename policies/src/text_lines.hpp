#pragma once

// The line format shared by rule files, case tables and requests: '#' comment lines, blank
// lines, "[section argument]" headers, "key = value" entries and "when/require" conditions.
// An indented line continues the previous entry's value (long reason texts). Requests given on
// a command line may separate entries with ';' instead of newlines.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/errors.hpp>

namespace draaischijf::policies::detail {

struct Line {
  std::size_t number = 0;  // 1-based, of the line that starts the entry
  enum class Kind { section, entry } kind = Kind::entry;
  std::string head;   // section name, or the key / first word of a condition
  std::string value;  // section argument, or the value (after '=' or after the first word)
  bool has_equals = false;
};

/// Splits text into sections and entries. Refuses a continuation line with nothing to continue
/// and a line that is neither a header nor an entry.
[[nodiscard]] TextResult<std::vector<Line>> read_lines(std::string_view text,
                                                       bool semicolons_separate = false);

[[nodiscard]] std::string_view trim(std::string_view text) noexcept;
/// Comma-separated items, each trimmed; empty items are kept so the caller can refuse them.
[[nodiscard]] std::vector<std::string_view> split_list(std::string_view text);
/// The text after the first `count` whitespace-separated words, trimmed.
[[nodiscard]] std::string_view after_words(std::string_view text, std::size_t count) noexcept;
/// Whitespace-separated words.
[[nodiscard]] std::vector<std::string_view> split_words(std::string_view text);

[[nodiscard]] TextError error_at(errc code, std::size_t line, std::string detail);

[[nodiscard]] std::optional<bool> parse_yes_no(std::string_view text) noexcept;
[[nodiscard]] std::optional<int> parse_small_int(std::string_view text) noexcept;

}  // namespace draaischijf::policies::detail
