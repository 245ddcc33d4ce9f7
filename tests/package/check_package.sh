#!/bin/sh
# Builds the Debian package from a configured build tree with CPack, unpacks it into a
# temporary root (no system change) and checks what an operator gets: the three programs run,
# the man pages made from the hub's and the client's --help, the systemd units (the witness's
# hardened as the hub's), the example configuration as a
# conffile, the maintainer scripts, and Depends naming the shared libraries' packages.
#   check_package.sh BUILD_DIR [CPACK]
set -eu
build=$1
cpack=${2:-cpack}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "check_package: $*" >&2
  exit 1
}

(cd "$build" && "$cpack" -G DEB --config CPackConfig.cmake -B "$work/out" \
  -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip) >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/out/draaischijf_*.deb) || fail "cpack made no draaischijf_*.deb"
root=$work/root
dpkg-deb -x "$deb" "$root"

"$root/usr/bin/draaischijf-hub" --version | grep -q '^draaischijf-hub [0-9]' ||
  fail "the installed draaischijf-hub --version"
"$root/usr/bin/draaischijf" --help | grep -q 'Usage: draaischijf' ||
  fail "the installed draaischijf --help"

# The witness runs as installed: init makes its folder and prints the vkey to give the hub.
"$root/usr/bin/draaischijf-witness" init --dir "$work/witness" --name witness.example/w1 \
  >"$work/witness.txt" 2>&1 || { cat "$work/witness.txt" >&2; fail "the installed draaischijf-witness init"; }
grep -q '^vkey: witness.example/w1+' "$work/witness.txt" || fail "draaischijf-witness init printed no vkey"

for file in usr/share/man/man8/draaischijf-hub.8.gz usr/share/man/man1/draaischijf.1.gz \
  usr/lib/systemd/system/draaischijf-hub.service usr/lib/systemd/system/draaischijf-witness.service \
  etc/draaischijf/draaischijf-witness.example.toml \
  usr/lib/systemd/user/draaischijf-renew.service usr/lib/systemd/user/draaischijf-renew.timer \
  etc/draaischijf/draaischijf-hub.example.toml; do
  [ -f "$root/$file" ] || fail "/$file is not in the package"
done

# The man pages are the programs' own help: every line of --help is in them (roff-escaped).
check_page() {
  page=$1
  shift
  "$@" --help | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/" >"$work/help.txt"
  gzip -dc "$page" >"$work/page.txt"
  grep -q '^\.TH ' "$work/page.txt" || fail "$page has no .TH header"
  while IFS= read -r line; do
    grep -qF -- "$line" "$work/page.txt" || fail "$page lacks the --help line: $line"
  done <"$work/help.txt"
}
check_page "$root/usr/share/man/man8/draaischijf-hub.8.gz" "$root/usr/bin/draaischijf-hub"
check_page "$root/usr/share/man/man1/draaischijf.1.gz" "$root/usr/bin/draaischijf"

depends=$(dpkg-deb -f "$deb" Depends)
for library in libsodium23 libssl3 libsqlite3-0; do
  case "$depends" in
    *"$library"*) ;;
    *) fail "Depends lacks $library: $depends" ;;
  esac
done

dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm; do
  [ -x "$work/control/$script" ] || fail "the package has no executable $script"
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done
for example in draaischijf-hub draaischijf-witness; do
  grep -qx "/etc/draaischijf/$example.example.toml" "$work/control/conffiles" ||
    fail "the example configuration $example.example.toml is not a conffile"
done
grep -q 'useradd --system' "$work/control/postinst" || fail "postinst makes no system user"
grep -q 'draaischijf-witness$' "$work/control/postinst" || fail "postinst makes no witness user"

unit=$root/usr/lib/systemd/system/draaischijf-hub.service
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit" || fail "the unit has no SIGHUP reload"
grep -q '^ExecStart=/usr/bin/draaischijf-hub ' "$unit" || fail "the unit runs another binary"
witness_unit=$root/usr/lib/systemd/system/draaischijf-witness.service
grep -q '^ExecStart=/usr/bin/draaischijf-witness serve --config /var/lib/draaischijf-witness/' \
  "$witness_unit" || fail "the witness unit runs another binary or configuration"
# The witness's sandbox is the hub's: every hardening line of the hub's unit is in it.
grep -E '^(Protect|Private|NoNewPrivileges|Restrict|Lock|MemoryDeny|RemoveIPC|KeyringMode|SystemCall|CapabilityBoundingSet|AmbientCapabilities|UMask)' \
  "$unit" >"$work/hardening.txt"
while IFS= read -r line; do
  grep -qxF -- "$line" "$witness_unit" || fail "the witness unit lacks the hub's hardening: $line"
done <"$work/hardening.txt"
if command -v systemd-analyze >/dev/null; then
  # Everything but the absent binary (the unit names its installed path) must verify.
  for u in "$unit" "$witness_unit"; do
    systemd-analyze verify --man=no "$u" 2>&1 | grep -v 'is not executable' >"$work/verify.txt" || true
    [ ! -s "$work/verify.txt" ] || { cat "$work/verify.txt" >&2; fail "systemd-analyze verify $u"; }
  done
fi
echo "check_package: $(basename "$deb") ok; Depends: $depends"
