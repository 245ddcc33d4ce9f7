#include "text_lines.hpp"

namespace draaischijf::policies::detail {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  if (trim(text).empty()) {
    return items;
  }
  while (true) {
    const auto comma = text.find(',');
    items.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) {
      return items;
    }
    text.remove_prefix(comma + 1);
  }
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    if (i > start) {
      words.push_back(text.substr(start, i - start));
    }
  }
  return words;
}

std::string_view after_words(std::string_view text, std::size_t count) noexcept {
  text = trim(text);
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t i = 0;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    text = trim(text.substr(i));
  }
  return text;
}

TextError error_at(errc code, std::size_t line, std::string detail) {
  return TextError{code, line, std::move(detail)};
}

std::optional<bool> parse_yes_no(std::string_view text) noexcept {
  if (text == "yes" || text == "ja") {
    return true;
  }
  if (text == "no" || text == "nee") {
    return false;
  }
  return std::nullopt;
}

std::optional<int> parse_small_int(std::string_view text) noexcept {
  if (text.empty() || text.size() > 4) {
    return std::nullopt;
  }
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

namespace {

bool is_single_word(std::string_view text) noexcept {
  if (text.empty()) {
    return false;
  }
  for (const char c : text) {
    if (!is_word_char(c)) {
      return false;
    }
  }
  return true;
}

// One physical line (or one ';'-separated piece of it). `indented` pieces continue the entry
// before them.
TextResult<bool> read_piece(std::string_view raw, std::size_t number, bool allow_continuation,
                            std::vector<Line>& lines) {
  const std::string_view piece = trim(raw);
  if (piece.empty() || piece.front() == '#') {
    return true;
  }
  const bool indented = is_space(raw.front());
  if (indented && allow_continuation) {
    if (lines.empty() || lines.back().kind != Line::Kind::entry) {
      return error_at(errc::syntax, number, "indented line continues nothing");
    }
    lines.back().value += ' ';
    lines.back().value += piece;
    return true;
  }
  Line line;
  line.number = number;
  if (piece.front() == '[') {
    if (piece.back() != ']') {
      return error_at(errc::syntax, number, "section header without ']'");
    }
    const auto words = split_words(piece.substr(1, piece.size() - 2));
    if (words.empty() || words.size() > 2) {
      return error_at(errc::syntax, number, "expected [section] or [section name]");
    }
    line.kind = Line::Kind::section;
    line.head = std::string(words[0]);
    if (words.size() == 2) {
      line.value = std::string(words[1]);
    }
    lines.push_back(std::move(line));
    return true;
  }
  const auto equals = piece.find('=');
  if (equals != std::string_view::npos && is_single_word(trim(piece.substr(0, equals)))) {
    line.head = std::string(trim(piece.substr(0, equals)));
    line.value = std::string(trim(piece.substr(equals + 1)));
    line.has_equals = true;
  } else {
    const auto words = split_words(piece);
    if (!is_single_word(words.front())) {
      return error_at(errc::syntax, number, "expected 'key = value' or a condition");
    }
    line.head = std::string(words.front());
    line.value = std::string(trim(piece.substr(words.front().size())));
  }
  lines.push_back(std::move(line));
  return true;
}

}  // namespace

TextResult<std::vector<Line>> read_lines(std::string_view text, bool semicolons_separate) {
  std::vector<Line> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!semicolons_separate) {
      auto read = read_piece(raw, number, true, lines);
      if (!read) {
        return read.error();
      }
      continue;
    }
    // Command-line requests: "a = 1; b = 2" is two entries on line 1.
    while (true) {
      const auto semicolon = raw.find(';');
      auto read = read_piece(trim(raw.substr(0, semicolon)), number, false, lines);
      if (!read) {
        return read.error();
      }
      if (semicolon == std::string_view::npos) {
        break;
      }
      raw.remove_prefix(semicolon + 1);
    }
  }
  return lines;
}

}  // namespace draaischijf::policies::detail
