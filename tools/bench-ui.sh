#!/usr/bin/env bash
# The web inbox in Debian's chromium (release build, bench preset): an inbox of 5,000 messages
# that came through the real hub, against 50 in the same run. Prints, over RUNS runs (median,
# p90, worst, the cold first load apart): first contentful paint, the list's rows in the DOM and
# painted, the local server's answer for the list (time, size), and opening a message until its
# fragments are shown and painted; each median beside its ratio to the 50-message inbox.
#   tools/bench-ui.sh [MESSAGES [BASELINE [RUNS]]]      (default 5000 50 11)
# Needs chromium, node and tests/browser/node_modules (./setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
  echo "bench-ui.sh: Playwright is missing; run ./setup.sh or (cd tests/browser && npm ci) first" >&2
  exit 1
fi
cmake --preset bench >/dev/null
cmake --build --preset bench --target ui_inbox_bench draaischijf-hub draaischijf >/dev/null
exec build/bench/bin/ui_inbox_bench --messages "${1:-5000}" --baseline "${2:-50}" \
  --runs "${3:-11}" --gtest_brief=1
