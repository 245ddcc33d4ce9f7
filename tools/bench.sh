#!/usr/bin/env bash
# Builds the bench preset (release, with tests and benchmarks) and runs the protocol microbenchmarks with repetitions; the last
# block of the output is every figure as a ratio to the raw AEAD measured in the same run.
#   tools/bench.sh [extra Google Benchmark flags]
# Run it on an otherwise idle machine: sealing large envelopes uses both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --workflow --preset bench >/dev/null
exec build/bench/bin/protocol_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 --benchmark_color=false "$@"
