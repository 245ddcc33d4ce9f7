#pragma once

// One attachment from the CLB's CLI through the hub to the CAW's CLI, as people send and read
// it: shared by the scenario test, which checks that it arrives, and by the attachment memory
// benchmark (tests/bench/attachment_memory.cpp), which reports what each process held.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "cli_fixture.hpp"

namespace draaischijf::testing {

/// Writes `mib` MiB whose every MiB differs, so a misplaced chunk shows.
inline void write_pattern(const std::filesystem::path& path, std::size_t mib) {
  std::ofstream out(path, std::ios::binary);
  std::vector<char> block(1 << 20);
  for (std::size_t m = 0; m < mib; ++m) {
    for (std::size_t i = 0; i < block.size(); i += 8) {
      block[i] = static_cast<char>(m);
    }
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
}

/// Whether two files hold the same bytes.
inline bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::ifstream x(a, std::ios::binary);
  std::ifstream y(b, std::ios::binary);
  std::vector<char> bx(1 << 20);
  std::vector<char> by(1 << 20);
  while (x && y) {
    x.read(bx.data(), static_cast<std::streamsize>(bx.size()));
    y.read(by.data(), static_cast<std::streamsize>(by.size()));
    if (x.gcount() != y.gcount() || !std::equal(bx.begin(), bx.begin() + x.gcount(), by.begin())) {
      return false;
    }
  }
  return !x && !y;
}

/// What one transfer did: the two CLI runs, whether the file arrived byte for byte, and the
/// hub's peak resident memory so far.
struct AttachmentRun {
  ProcessResult sent;
  ProcessResult read;
  bool arrived = false;
  long hub_peak_kib = 0;
};

class AttachmentScenario : public CliScenario {
 protected:
  /// The CLB sends a doorverwijzing with a `mib` MiB attachment named `name` to the CAW intake
  /// (with the progress bar on), and the CAW reads it and saves the file.
  AttachmentRun transfer(std::size_t mib, const std::string& name) {
    const auto file = dir.path() / name;
    write_pattern(file, mib);
    AttachmentRun run;
    ::setenv("DRAAISCHIJF_PROGRESS", "1", 1);
    run.sent = clb(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                                  "doorverwijzing", "--text", "psychisch_sociaal=Zie scan.",
                                  "--file", "diagnostiek=" + file.string()}));
    const auto at_caw = inbox(caw);
    if (run.sent.exit == 0 && at_caw.size() == 1) {
      const auto seq = std::to_string(at_caw.at(0).as_object().at("sequence").as_int64());
      run.read = caw({"read", seq, "--save", (dir.path() / "caw-files").string()});
      run.arrived = run.read.exit == 0 && same_file(file, dir.path() / "caw-files" / name);
    }
    ::unsetenv("DRAAISCHIJF_PROGRESS");
    run.hub_peak_kib = hub->peak_rss_kib();
    return run;
  }
};

}  // namespace draaischijf::testing
