#!/usr/bin/env bash
# Regenerates the committed seed corpus (tests/fuzz/corpus/) from the seed generator.
# Usage: tools/make-fuzz-corpus.sh [BUILD_DIR]   (default build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/debug}
cmake --build "$build" --target fuzz_seed_generator
"$build/bin/fuzz_seed_generator" tests/fuzz/corpus
