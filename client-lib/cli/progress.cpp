#include "progress.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>

#include <draaischijf/protocol/display_text.hpp>

namespace draaischijf::cli {

bool progress_wanted(bool json_output) {
  if (json_output) {
    return false;
  }
  const char* forced = std::getenv("DRAAISCHIJF_PROGRESS");
  return (forced != nullptr && std::string_view(forced) == "1") || ::isatty(STDERR_FILENO) == 1;
}

client::ProgressCallback progress_bar() {
  struct Drawn {
    std::string file;
    int percent = -1;
  };
  auto drawn = std::make_shared<Drawn>();
  return [drawn](const client::TransferProgress& p) {
    const int percent = p.total == 0 ? 100 : static_cast<int>(p.done * 100 / p.total);
    if (drawn->file == p.file_name && drawn->percent == percent) {
      return;  // once per percent: a 200 MiB file is 3,200 chunks
    }
    drawn->file = std::string(p.file_name);
    drawn->percent = percent;
    constexpr int kWidth = 30;
    std::string bar(static_cast<std::size_t>(percent * kWidth / 100), '#');
    bar.resize(kWidth, '.');
    constexpr double kMiB = 1024.0 * 1024.0;
    std::fprintf(stderr, "\r%s %s [%s] %3d%% %.1f/%.1f MiB", p.upload ? "up  " : "down",
                 protocol::escape_for_terminal(drawn->file).c_str(), bar.c_str(), percent,
                 static_cast<double>(p.done) / kMiB, static_cast<double>(p.total) / kMiB);
    if (p.done == p.total) {
      std::fputc('\n', stderr);
    }
    std::fflush(stderr);
  };
}

}  // namespace draaischijf::cli
