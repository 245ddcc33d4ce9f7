#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12, then optionally builds and runs.
#
#   ./setup.sh          install what is missing (quiet and quick when everything is there)
#   ./setup.sh run      ... then build the release preset (the hub, its witness and the CLI) and
#                       run the hub with a witness
#   ./setup.sh test     ... then build the ci preset (warnings are errors, ASan+UBSan) and run
#                       every test, the Debian package's check included
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libsodium-dev libssl-dev libsqlite3-dev sqlite3 libboost1.81-dev zlib1g-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  age clang-14 libclang-rt-14-dev clang-format clang-tidy
)
# The browser tests drive Debian's chromium with Playwright from npm; running the hub and the
# CLI (`./setup.sh run`) needs none of it: `draaischijf ui` opens the user's own browser.
# Node.js and npm come from Debian only when the machine has none: a Node.js that bundles its
# own npm (as NodeSource's does) conflicts with Debian's npm package.
if [ "${1:-}" != run ]; then
  packages+=(chromium)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The browser tests' npm packages (Playwright without its browser download, and axe-core), at
# the versions package-lock.json pins; they drive the chromium installed above.
if [ "${1:-}" != run ] && { [ ! -f tests/browser/node_modules/.package-lock.json ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; }; then
  echo "setup: installing the browser tests' npm packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

case "${1:-}" in
  "") ;;
  run)
    cmake --workflow --preset release
    bin=build/release/bin
    # One witness beside the development hub (witness/README.md): made once, with the hub's two
    # logs to follow, on 127.0.0.1:7380; the hub submits each new checkpoint to it every 10 s.
    witness=draaischijf-data/witness
    if [ ! -f "$witness/witness.toml" ]; then
      logs=$("$bin/draaischijf-hub" log vkeys)
      "$bin/draaischijf-witness" init --dir "$witness" --name localhost/draaischijf-dev-witness
      while read -r origin vkey; do
        printf '\n[[log]]\norigin = "%s"\nvkey = "%s"\n' "$origin" "$vkey" >>"$witness/witness.toml"
      done <<<"$logs"
    fi
    cat >draaischijf-data/hub-dev.toml <<TOML
# Written by ./setup.sh run: the development deployment with its witness.
[transparency]
witness_interval_seconds = 10

[[witness]]
url = "https://127.0.0.1:7380"
vkey = "$("$bin/draaischijf-witness" vkey --config "$witness/witness.toml")"
certificate = "$witness/tls.pem"
TOML
    "$bin/draaischijf-witness" serve --config "$witness/witness.toml" >"$witness/witness.log" 2>&1 &
    witness_pid=$!
    trap 'kill "$witness_pid" 2>/dev/null' EXIT
    cat <<'HINTS'

Starting draaischijf-hub with its development deployment (a test PKI and three demo
organisations in ./draaischijf-data) on https://127.0.0.1:8443, and a witness that cosigns its
transparency logs on https://127.0.0.1:7380 (draaischijf-data/witness). In another terminal, try:

  P=draaischijf-data/dev-pki
  curl --cacert $P/root.pem --cert $P/clb/device.pem --key $P/clb/device.key \
       https://localhost:8443/v1/organisations          # the directory, as the CLB's device
  curl --cacert $P/root.pem --cert $P/clb/device.pem --key $P/clb/device.key \
       https://localhost:8443/v1/log/directory/checkpoint   # signed by the hub, cosigned by the witness
  curl --cacert $P/root.pem https://localhost:8443/healthz   # refused: no client certificate
  build/release/bin/draaischijf demo                  # the protocol walkthrough, offline

Ctrl-C stops the hub and the witness cleanly (SIGTERM does too).
HINTS
    "$bin/draaischijf-hub" --config draaischijf-data/hub-dev.toml
    ;;
  test)
    exec cmake --workflow --preset ci
    ;;
  *)
    echo "usage: ./setup.sh [run|test]" >&2
    exit 2
    ;;
esac
