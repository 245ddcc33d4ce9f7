#pragma once

// Text that came from somewhere else (the hub, a colleague, a message) and will be shown to a
// person or written into a line-based file. Two rules, one classification:
//   - names that are stored (organisation and mailbox names in the trust file, consent fields)
//     must be *display safe*: valid UTF-8 without control, C1, bidi or line-separator
//     characters, so they cannot end a line, start a terminal escape (ESC, OSC 52, OSC 8) or
//     reorder what is printed after them;
//   - text that is shown as it is (message text, file names, problem titles) goes through
//     escape_for_terminal(), which keeps what is printable and spells out every other code
//     point as \xNN or \u{NNNN}.
//
//   is_display_safe("CAW Oost-Vlaanderen")          // true
//   is_display_safe("CLB\norg 00.. key")            // false: a newline
//   escape_for_terminal("ok\x1b]52;c;Zm9v\x07")     // "ok\x1b]52;c;Zm9v\x07" spelt out

#include <string>
#include <string_view>

namespace draaischijf::protocol {

/// True when every code point is printable on one line: valid UTF-8 with no C0 control (tab
/// included), DEL, C1 control, bidirectional formatting character or line/paragraph
/// separator.
[[nodiscard]] bool is_display_safe(std::string_view text) noexcept;

/// The text with every character is_display_safe() refuses written out visibly: bytes of
/// invalid UTF-8 and C0/DEL as \xNN, the others as \u{NNNN}; a backslash stays a backslash.
/// With `keep_newlines`, LF stays a line break (for multi-line message text).
[[nodiscard]] std::string escape_for_terminal(std::string_view text, bool keep_newlines = false);

}  // namespace draaischijf::protocol
