#!/usr/bin/env bash
# Peak resident memory of the sending CLI, the hub and the receiving CLI while a large attachment
# goes through them (release build, bench preset), against a 1 MiB attachment sent first in the
# same run: growth_per_file is how much of the extra file size each program held at its peak
# (1.0 would be the whole file).
#   tools/bench-attachment.sh [MiB]      (default 200)
# Writes the file and its received copy (twice its size) under the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset bench >/dev/null
cmake --build --preset bench --target attachment_memory_bench draaischijf-hub draaischijf >/dev/null
exec build/bench/bin/attachment_memory_bench --mib "${1:-200}" --gtest_brief=1
