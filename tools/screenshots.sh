#!/usr/bin/env bash
# The web inbox's screenshots in docs/screenshots/ (ui-*.png), taken from the real flow: the hub,
# the CLI profiles and `draaischijf ui` for the CLB, the school, the CAW and the CLB-arts, in
# Debian's chromium (tests/browser/screenshots.browser.mjs, started by ui_screenshots).
#   tools/screenshots.sh
# Needs what the browser tests need (./setup.sh: chromium, node, tests/browser's npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset ci >/dev/null
cmake --build --preset ci --target ui_screenshots >/dev/null
mkdir -p docs/screenshots
echo "+ DRAAISCHIJF_SCREENSHOT_DIR=docs/screenshots build/ci/bin/ui_screenshots" >&2
DRAAISCHIJF_SCREENSHOT_DIR="$PWD/docs/screenshots" exec build/ci/bin/ui_screenshots --gtest_brief=1
