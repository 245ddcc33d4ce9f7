// What foreign text may hold before it is stored as a name or shown to a person.

#include <gtest/gtest.h>

#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::protocol {
namespace {

TEST(DisplayTextTest, OrdinaryNamesInAnyScriptAreSafe) {
  for (const std::string_view name : {"CLB Waas en Dender", "CAW Oost-Vlaanderen / intake",
                                      "Lycée Émile Zola", "Ζήτα", "学校", "emoji 🙂", ""}) {
    EXPECT_TRUE(is_display_safe(name)) << name;
  }
}

TEST(DisplayTextTest, ControlC1BidiSeparatorsAndBrokenUtf8AreRefused) {
  const std::string hub_key(43, 'A');
  for (const std::string& name :
       {std::string("CLB\norg 0123 ") + hub_key,  // a second trust-file line
        std::string("CLB\rX"), std::string("tab\there"), std::string("esc\x1b[2J"),
        std::string("del\x7f"), std::string("nul", 4),
        std::string("c1 \xc2\x9b"),           // U+009B, CSI
        std::string("rlo \xe2\x80\xae"),      // U+202E, RIGHT-TO-LEFT OVERRIDE
        std::string("isolate \xe2\x81\xa6"),  // U+2066
        std::string("alm \xd8\x9c"),          // U+061C
        std::string("ls \xe2\x80\xa8"),       // U+2028
        std::string("overlong \xc0\xaf"), std::string("surrogate \xed\xa0\x80"),
        std::string("truncated \xe2\x82"), std::string("lone \x80")}) {
    EXPECT_FALSE(is_display_safe(name)) << escape_for_terminal(name);
  }
}

TEST(DisplayTextTest, EscapingSpellsOutEveryUnsafeCharacterAndKeepsTheRest) {
  EXPECT_EQ(escape_for_terminal("ok"), "ok");
  EXPECT_EQ(escape_for_terminal("Émile 🙂"), "Émile 🙂");
  EXPECT_EQ(escape_for_terminal("\x1b]52;c;Zm9v\x07"), "\\x1b]52;c;Zm9v\\x07");
  EXPECT_EQ(escape_for_terminal("a\nb"), "a\\x0ab");
  EXPECT_EQ(escape_for_terminal("a\nb", true), "a\nb");
  EXPECT_EQ(escape_for_terminal("\xe2\x80\xae"
                                "evil"),
            "\\u{202e}evil");
  EXPECT_EQ(escape_for_terminal("\xc2\x9b"), "\\u{009b}");
  EXPECT_EQ(escape_for_terminal("\xff\xfe"), "\\xff\\xfe");
  // What comes out is always safe to print, whatever went in.
  std::string every_byte;
  for (int b = 0; b < 256; ++b) {
    every_byte += static_cast<char>(b);
  }
  EXPECT_TRUE(is_display_safe(escape_for_terminal(every_byte)));
  EXPECT_TRUE(is_display_safe(escape_for_terminal("\xe2\x80\xae\xe2\x81\xa9\xd8\x9c")));
}

}  // namespace
}  // namespace draaischijf::protocol
