#pragma once

// What the CLI prints for a person passes through a filter: message text, file names,
// organisation and mailbox names and the hub's problem titles come from elsewhere, and a C0,
// C1, DEL or bidi control among them could move the cursor, overwrite a line the CLI printed
// ("signature ... verified"), write the clipboard (OSC 52) or plant a link (OSC 8). The filter
// spells every such character out (protocol::escape_for_terminal) and keeps line breaks.
// `--json` output is not filtered: JSON escapes control characters itself.

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace draaischijf::cli {

/// A streambuf that holds what is written up to the end of a line (or a flush) and hands it to
/// `raw` with every unsafe character spelt out; an incomplete UTF-8 sequence at a flush waits
/// for its remaining bytes.
class TerminalFilter final : public std::streambuf {
 public:
  explicit TerminalFilter(std::streambuf* raw) : raw_(raw) {}
  TerminalFilter(const TerminalFilter&) = delete;
  TerminalFilter& operator=(const TerminalFilter&) = delete;
  ~TerminalFilter() override;

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  // Writes the held text; with `whole`, an incomplete UTF-8 sequence at its end too.
  bool emit(bool whole);

  std::streambuf* raw_;
  std::string held_;
};

/// Installs a TerminalFilter on each stream given for as long as it lives, then puts the
/// original streambufs back (flushing what is held).
class FilteredOutput {
 public:
  FilteredOutput() = default;
  FilteredOutput(const FilteredOutput&) = delete;
  FilteredOutput& operator=(const FilteredOutput&) = delete;
  ~FilteredOutput();

  void install(std::ostream& stream);
  /// Takes the filter off `stream` again (after `--json` is seen).
  void remove(std::ostream& stream);

 private:
  struct Installed {
    std::ostream* stream;
    std::streambuf* original;
    std::unique_ptr<TerminalFilter> filter;
  };
  std::vector<Installed> installed_;
};

}  // namespace draaischijf::cli
