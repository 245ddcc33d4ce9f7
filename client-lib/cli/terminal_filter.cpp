#include "terminal_filter.hpp"

#include <algorithm>

#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::cli {
namespace {

// How many bytes at the end of `text` start a UTF-8 sequence that is not complete yet (0 when
// the text ends on a complete character or on bytes that are not UTF-8 anyway).
std::size_t incomplete_tail(const std::string& text) {
  const std::size_t look = std::min<std::size_t>(3, text.size());
  for (std::size_t back = 1; back <= look; ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0U) == 0x80U) {
      continue;  // a continuation byte: the lead is further back
    }
    std::size_t length = 1;
    if ((byte & 0xE0U) == 0xC0U) {
      length = 2;
    } else if ((byte & 0xF0U) == 0xE0U) {
      length = 3;
    } else if ((byte & 0xF8U) == 0xF0U) {
      length = 4;
    }
    return length > back ? back : 0;
  }
  return 0;
}

}  // namespace

TerminalFilter::~TerminalFilter() { emit(true); }

bool TerminalFilter::emit(bool whole) {
  const std::size_t keep = whole ? 0 : incomplete_tail(held_);
  const std::string_view ready = std::string_view(held_).substr(0, held_.size() - keep);
  const std::string out = protocol::escape_for_terminal(ready, true);
  const auto written = raw_->sputn(out.data(), static_cast<std::streamsize>(out.size()));
  held_.erase(0, held_.size() - keep);
  return written == static_cast<std::streamsize>(out.size());
}

TerminalFilter::int_type TerminalFilter::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) {
    return traits_type::not_eof(ch);
  }
  const char c = traits_type::to_char_type(ch);
  held_ += c;
  if (c == '\n' && !emit(false)) {
    return traits_type::eof();
  }
  return ch;
}

std::streamsize TerminalFilter::xsputn(const char* s, std::streamsize n) {
  held_.append(s, static_cast<std::size_t>(n));
  if (held_.find('\n') != std::string::npos) {
    // Everything up to the last line break goes out; the rest waits for its line's end.
    const auto end = held_.rfind('\n') + 1;
    std::string rest = held_.substr(end);
    held_.resize(end);
    const bool ok = emit(true);
    held_ = std::move(rest);
    if (!ok) {
      return 0;
    }
  }
  return n;
}

int TerminalFilter::sync() {
  if (!emit(false)) {
    return -1;
  }
  return raw_->pubsync();
}

FilteredOutput::~FilteredOutput() {
  while (!installed_.empty()) {
    remove(*installed_.back().stream);
  }
}

void FilteredOutput::install(std::ostream& stream) {
  auto filter = std::make_unique<TerminalFilter>(stream.rdbuf());
  auto* original = stream.rdbuf(filter.get());
  installed_.push_back({&stream, original, std::move(filter)});
}

void FilteredOutput::remove(std::ostream& stream) {
  const auto found = std::find_if(installed_.begin(), installed_.end(),
                                  [&](const Installed& i) { return i.stream == &stream; });
  if (found == installed_.end()) {
    return;
  }
  found->stream->flush();
  found->stream->rdbuf(found->original);
  found->filter.reset();  // writes what it still held
  installed_.erase(found);
}

}  // namespace draaischijf::cli
