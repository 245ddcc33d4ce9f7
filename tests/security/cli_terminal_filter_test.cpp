// The CLI's output filter (client-lib/cli/terminal_filter.hpp): what a person reads cannot hold
// a terminal escape, a C1 control, DEL or a bidi control, whoever wrote the text; line breaks and
// printable UTF-8 pass as they are, and so does an escape split over two writes or a UTF-8
// character split over two flushes.

#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "terminal_filter.hpp"

namespace draaischijf::testing {
namespace {

using cli::FilteredOutput;
using cli::TerminalFilter;

// What comes out of the filter for `text`, written in one go, flushed at the end.
std::string filtered(const std::string& text) {
  std::ostringstream raw;
  {
    TerminalFilter filter(raw.rdbuf());
    std::ostream out(&filter);
    out << text << std::flush;
  }
  return raw.str();
}

bool has_control(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) {
      return true;
    }
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      return true;  // U+0080..U+009F: C1
    }
  }
  return text.find("\u202e") != std::string::npos || text.find("\u2066") != std::string::npos;
}

TEST(TerminalFilterTest, EscapesAndControlsAreSpeltOutAndLinesStay) {
  const std::string attacks[] = {
      "\x1b]52;c;ZXZpbA==\x07",                   // OSC 52: write the clipboard
      "\x1b]8;;https://evil.example/\x1b\\klik",  // OSC 8: a planted link
      "\x1b[2K\x1b[1Asignature verified",         // erase and overwrite the line above
      "\r  signature verified",                   // back to column 0
      "\u202efdp.exe",                            // right-to-left override
      "\u2066isolate\u2069",                      // bidi isolates
      "\xc2\x9b"
      "31m",  // C1 CSI
      "del\x7f",
      "tab\there",
  };
  for (const auto& attack : attacks) {
    const auto out = filtered("before " + attack + " after\n");
    EXPECT_FALSE(has_control(out)) << out;
    EXPECT_EQ(out.rfind("before ", 0), 0U) << out;
    EXPECT_EQ(out.substr(out.size() - 7), " after\n") << out;
  }
  EXPECT_EQ(filtered("ok\x1b[31m\n"), "ok\\x1b[31m\n");
  EXPECT_EQ(filtered("een\ntwee\n"), "een\ntwee\n");
  EXPECT_EQ(filtered("Caf\xc3\xa9 \xe2\x82\xac 5\n"), "Caf\xc3\xa9 \xe2\x82\xac 5\n");
}

TEST(TerminalFilterTest, SplitWritesAndFlushesChangeNothing) {
  std::ostringstream raw;
  {
    TerminalFilter filter(raw.rdbuf());
    std::ostream out(&filter);
    out << "a\x1b" << std::flush << "]52;c;x\x07" << std::flush;
    out << "\xe2\x80" << std::flush << "\xae"
        << "z\n";
    out << "\xc3" << std::flush << "\xa9"
        << "\n";
    out << "no newline at the end\x1b";
  }
  EXPECT_EQ(raw.str(), "a\\x1b]52;c;x\\x07\\u{202e}z\n\xc3\xa9\nno newline at the end\\x1b");
}

TEST(TerminalFilterTest, InstalledOnAStreamUntilRemoved) {
  std::ostringstream target;
  {
    FilteredOutput filtered_output;
    filtered_output.install(target);
    target << "x\x1b[2Jy\n";
    filtered_output.remove(target);
    target << "{\"exact\":\"\x1b\"}";
    filtered_output.install(target);
    target << "held\x07";
  }
  EXPECT_EQ(target.str(), "x\\x1b[2Jy\n{\"exact\":\"\x1b\"}held\\x07");
}

}  // namespace
}  // namespace draaischijf::testing
