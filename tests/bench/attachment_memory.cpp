// Peak resident memory of the sending CLI, the hub and the receiving CLI while a large
// attachment goes through (tools/bench-attachment.sh runs it; docs/BENCHMARKS.md has the
// figures). The baseline is a 1 MiB attachment sent first in the same run by the same
// processes' programs: the growth from it to the large one is what the large file costs, and
// a program that held the whole file would grow by about the file's size.
//
//   attachment_memory_bench [--mib N]      (default 200)
//
// Built on the scenario fixture (real hub process, real CLI processes, real TLS), so it needs
// the binaries of the same build; the file must arrive byte for byte or no figure is printed.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "attachment_transfer.hpp"

namespace draaischijf::testing {
namespace {

std::size_t g_large_mib = 200;

class AttachmentMemory : public AttachmentScenario {};

TEST_F(AttachmentMemory, PeakResidentMemory) {
#if defined(__SANITIZE_ADDRESS__)
  // Built with AddressSanitizer (say, by hand in the ci tree), freed memory sits in a 256 MiB
  // quarantine to catch late use; TLS record buffers freed and taken again per record would
  // fill it and hide what the programs hold. A small quarantine for the CLIs and the hub.
  const char* options = std::getenv("ASAN_OPTIONS");
  ::setenv(
      "ASAN_OPTIONS",
      (std::string(options ? options : "") + (options ? ":" : "") + "quarantine_size_mb=4").c_str(),
      1);
  restart_hub();
#endif
  const AttachmentRun small = transfer(1, "baseline.bin");
  ASSERT_TRUE(small.arrived) << small.sent.err << small.read.err;
  const AttachmentRun large = transfer(g_large_mib, "large.bin");
  ASSERT_TRUE(large.arrived) << large.sent.err << large.read.err;
  const double file_kib = static_cast<double>(g_large_mib - 1) * 1024.0;
  const auto line = [&](const char* who, long base, long peak) {
    std::printf("%-16s baseline_kib=%ld peak_kib=%ld growth_kib=%ld growth_per_file=%.3f\n", who,
                base, peak, peak - base, static_cast<double>(peak - base) / file_kib);
  };
  std::printf("attachment_mib=%zu baseline_mib=1\n", g_large_mib);
  line("sending_cli", small.sent.peak_rss_kib, large.sent.peak_rss_kib);
  line("hub", small.hub_peak_kib, large.hub_peak_kib);
  line("receiving_cli", small.read.peak_rss_kib, large.read.peak_rss_kib);
}

}  // namespace
}  // namespace draaischijf::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--mib") == 0) {
      draaischijf::testing::g_large_mib = std::strtoul(argv[i + 1], nullptr, 10);
    }
  }
  if (draaischijf::testing::g_large_mib < 2) {
    std::fprintf(stderr, "usage: attachment_memory_bench [--mib N], N at least 2\n");
    return 2;
  }
  return RUN_ALL_TESTS();
}
