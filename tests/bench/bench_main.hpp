#pragma once

// The shared main of the Google Benchmark programs: libsodium first, then the program's own
// benchmarks, run through the program's reporter (which prints ratios against its baseline).

#include <benchmark/benchmark.h>
#include <sodium.h>

namespace draaischijf::bench {

template <class Reporter>
int run_benchmarks(int argc, char** argv, void (*register_benchmarks)()) {
  if (sodium_init() < 0) {
    return 1;
  }
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace draaischijf::bench
