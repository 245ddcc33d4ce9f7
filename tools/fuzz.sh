#!/usr/bin/env bash
# Runs one libFuzzer target for a set time, starting from the committed seed corpus.
#   tools/fuzz.sh envelope|age_header|certificate [SECONDS]   (default 600)
# Builds the `fuzz` preset first (clang-14, ASan+UBSan). New corpus entries go to
# build/fuzz/corpus/<target>/, crashes to build/fuzz/findings/; the last lines printed give
# the executions per second and whether anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: tools/fuzz.sh envelope|age_header|certificate [SECONDS]}
seconds=${2:-600}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${target}_fuzz"
work=build/fuzz/corpus/$target
findings=build/fuzz/findings/$target
mkdir -p "$work" "$findings"
build/fuzz/bin/"${target}_fuzz" "$work" "tests/fuzz/corpus/$target" \
  -max_total_time="$seconds" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$findings/" -print_final_stats=1
