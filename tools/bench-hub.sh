#!/usr/bin/env bash
# The hub's load benchmark and its baselines, in one run on this machine:
#   - draaischijf-hub (release build, embedded development deployment, loopback):
#     durable 2 KiB and 64 KiB submissions at 100 and 1000 keep-alive mTLS connections,
#     new mTLS handshakes per second, memory per idle connection (keep-alive HTTP and idle
#     /v1/stream WebSockets answering pings), the 2 KiB rate without the transparency log
#     appends, without the policy gate (bench build switches) and with glibc's initial heap
#     thresholds, the hub's and the generator's CPU per accepted message, and the fan-out of a
#     message to 50 streams under half the 2 KiB rate;
#     the morning burst: 5,000 staff devices reconnecting within 10 s, each opening its
#     notification stream and catching up 20 queued messages (fetch and acknowledge);
#   - nginx from Debian serving a static 2 KiB file over TLS 1.3 with client-certificate
#     verification against the same PKI and CRLs: handshakes per second, keep-alive GETs;
#   - SQLite's raw FULL-sync rate of a 2 KiB row plus an audit row, transactions of 1 and 32.
# Prints every figure and the ratios the report quotes.
#   tools/bench-hub.sh [--quick] [burst]
#     --quick: shorter runs, fewer idle connections, a fifth of the burst's devices over a fifth
#              of its window (the same rate of reconnections)
#     burst:   the morning burst alone (no nginx, no SQLite baseline)
#   HUB_THREADS=N tools/bench-hub.sh ...   the hub with server.threads = N (default: the hub's)
# Installs nginx with apt when it is missing. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
messages_small=120000
messages_large=20000
idle=19950 # the hub's and the generator's open-file limit is 20000 on the reference machine
burst_devices=5000 # two connections each: a notification stream and a keep-alive connection
burst_window=10
only=""
for argument in "$@"; do
  case "$argument" in
    --quick)
      seconds=3
      messages_small=30000
      messages_large=4000
      idle=2000
      burst_devices=1000
      burst_window=2
      ;;
    burst) only=burst ;;
    *)
      echo "usage: tools/bench-hub.sh [--quick] [burst]" >&2
      exit 2
      ;;
  esac
done

if [[ -z "$only" ]] && ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
cmake --preset bench >/dev/null
targets=(draaischijf-hub hub_load)
[[ -z "$only" ]] && targets+=(storage_baseline)
cmake --build --preset bench --target "${targets[@]}" >/dev/null
bin=build/bench/bin
work=$(mktemp -d)
hub_pid=""
nginx_pid=""
cleanup() {
  [[ -n "$hub_pid" ]] && kill "$hub_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

value() { sed -n "s/^$1=//p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
port=18443
pki="$work/data/dev-pki"

# A fresh hub with limits that let one organisation load it from one address: the rate limit,
# the mailbox quota and the per-address cap on pending handshakes are raised (the load
# generator opens every connection from 127.0.0.1), the rest are the defaults.
start_hub() {
  stop_hub
  rm -rf "$work/data"
  # The last hub's database (half a GB after a 10-second run) and the raw baseline's files go
  # to disk now, not during the next hub's fsyncs.
  sync
  cat >"$work/hub.toml" <<EOF
[server]
listen_port = $port
data_dir = "$work/data"
${HUB_THREADS:+threads = $HUB_THREADS}
[limits]
max_connections = 20000
rate_per_org = 1000000.0
rate_burst = 1000000.0
mailbox_quota_bytes = 68719476736
idle_timeout_seconds = 600
max_handshakes_per_address = 20000
max_streams_per_device = 10000
max_streams_per_org = 1000000
EOF
  # stdout closed: the hub must not hold the pipe of a $(...) open
  # ${hub_env}: the bench build's measurement switches (docs/DECISIONS.md), empty by default
  env ${hub_env:-} "$bin/draaischijf-hub" --config "$work/hub.toml" >/dev/null 2>"$work/hub.log" &
  hub_pid=$!
  for _ in $(seq 100); do
    grep -q '"listening"' "$work/hub.log" 2>/dev/null && return
    sleep 0.1
  done
  echo "the hub did not start:" >&2
  cat "$work/hub.log" >&2
  exit 1
}
stop_hub() {
  if [[ -n "$hub_pid" ]]; then
    kill "$hub_pid" 2>/dev/null || true
    wait "$hub_pid" 2>/dev/null || true
    hub_pid=""
  fi
}

submit() { # connections size messages; a fresh hub must be running
  local out
  out=$("$bin/hub_load" submit --port $port --pki "$pki" --connections "$1" --size "$2" \
    --messages "$3" --seconds "$seconds" --pid "$hub_pid")
  echo "$out"
  # Every envelope sent must be accepted: any other status (a policy refusal of the load's own
  # messages, an overload) makes the figures meaningless, so the run stops here.
  if grep -E '^status_[0-9]+=' <<<"$out" | grep -v '^status_201=' | grep -qv '=0$'; then
    echo "bench-hub: the hub did not accept every envelope sent:" >&2
    echo "$out" >&2
    exit 1
  fi
}

# The morning burst on a fresh hub: 20 envelopes queued in the CLB's and the school's mailboxes,
# then the devices reconnect over the window and catch up. hub_load exits 1 when a device did not
# catch up or was refused otherwise than by a 429/503 with Retry-After (waited out): a dropped
# connection or handshake, another status. The other figures are still printed; the script
# exits 1 at its end.
# Twice, each on a fresh hub: as the client catches up (a page's envelopes in one request, their
# acknowledgements in another: docs/PROTOCOL.md 7.21), then one request per envelope and per
# acknowledgement, the same run's baseline.
burst_status=0
burst_with() {  # prints hub_load's lines and its exit status (run in a subshell)
  local status=0
  start_hub
  "$bin/hub_load" burst --port $port --pki "$pki" --devices $burst_devices \
    --window $burst_window --queued 20 --pid "$hub_pid" --catch-up "$1" || status=$?
  stop_hub
  echo "exit_status=$status"
}
burst() {
  hub_burst=$(burst_with batch)
  echo "$hub_burst"
  hub_burst_single=$(burst_with one-by-one)
  echo "$hub_burst_single"
  if [[ "$(value exit_status "$hub_burst")" != 0 || "$(value exit_status "$hub_burst_single")" != 0 ]]; then
    burst_status=1
  fi
}
burst_verdict() {
  if ((burst_status != 0)); then
    echo "bench-hub: in the morning burst a device did not catch up, or was refused without a" \
      "Retry-After (the failed_ lines above)" >&2
    exit 1
  fi
}
burst_summaries() {
  burst_summary "$hub_burst"
  echo "  one by one:     $(burst_summary "$hub_burst_single" | cut -c19-)"
  echo "  batch against one by one: last caught up $(ratio "$(value last_caught_up_s \
    "$hub_burst")" "$(value last_caught_up_s "$hub_burst_single")")x, hub CPU $(ratio \
    "$(value hub_cpu_s "$hub_burst")" "$(value hub_cpu_s "$hub_burst_single")")x"
}
burst_summary() {
  echo "morning burst:    $(value caught_up "$1") of $(value devices "$1") devices caught up" \
    "($(value delivered "$1") messages) $(value last_caught_up_s "$1") s after the first of" \
    "them reconnected (window $(value window_s "$1") s); per device p50" \
    "$(value catch_up_p50_ms "$1") ms ($(ratio "$(value catch_up_p50_ms "$1")" \
    "$(value alone_catch_up_p50_ms "$1")")x a device alone on the idle hub)," \
    "p99 $(value catch_up_p99_ms "$1") ms, max $(value catch_up_max_ms "$1") ms;" \
    "refused with Retry-After $(value refused "$1") (again: $(value refused_again "$1")," \
    "longest $(value longest_retry_after_s "$1") s); failed $(value failed "$1")" \
    "($(value handshakes "$1") handshakes); CPU s: hub $(value hub_cpu_s "$1")," \
    "generator $(value load_cpu_s "$1")"
}
if [[ "$only" == burst ]]; then
  echo "== hub: morning burst, $burst_devices devices reconnecting over $burst_window s"
  burst
  echo
  burst_summaries
  burst_verdict
  exit 0
fi

echo "== raw storage: SQLite WAL, synchronous=FULL, 2 KiB row + audit row"
raw1=$("$bin/storage_baseline" "$work/sqlite" 1 "$seconds")
raw32=$("$bin/storage_baseline" "$work/sqlite" 32 "$seconds")
echo "tx of 1: $(value rows_per_s "$raw1")/s   tx of 32: $(value rows_per_s "$raw32")/s"

# The 2 KiB run at 100 connections on a fresh hub started with the setting `$2` in its
# environment (none when empty), its output put in the variable named `$1`; the script stops
# when the hub's log lacks the line `$3` that says it took the setting. (Not in a subshell: the
# hub it starts must be the one stop_hub stops.)
submit_with() { # variable [setting log-line what]
  local out
  hub_env=${2:-} start_hub
  out=$(submit 100 2048 $messages_small)
  if [[ -n "${3:-}" ]] && ! grep -q "$3" "$work/hub.log"; then
    echo "bench-hub: the hub did not take $2 ($4)" >&2
    exit 1
  fi
  printf -v "$1" '%s' "$out"
  echo "$out"
}
echo "== hub: 2 KiB envelopes, 100 connections"
submit_with small100
echo "== hub without its transparency log appends (bench build switch): 2 KiB, 100 connections"
submit_with nologs100 DRAAISCHIJF_BENCH_TRANSPARENCY_LOGS=off '"bench.transparency_logs_off"' \
  "not a bench build?"
echo "== hub without its policy gate (bench build switch): 2 KiB, 100 connections"
submit_with nogate100 DRAAISCHIJF_BENCH_POLICY_GATE=off '"bench.policy_gate_off"' \
  "not a bench build?"
echo "== hub with glibc's initial heap thresholds (the startup tuning left out): 2 KiB, 100 connections"
submit_with untuned100 \
  GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072 \
  '"GLIBC_TUNABLES"' "it tuned its heap itself"
# The plain hub again after the switched ones: the 2 KiB ratios are taken against the mean of
# its two runs, so neither the first scenario of the run nor the last is favoured.
echo "== hub again: 2 KiB envelopes, 100 connections"
submit_with small100b
rate100=$(awk -v a="$(value ok_per_s "$small100")" -v b="$(value ok_per_s "$small100b")" \
  'BEGIN { printf "%d", (a + b) / 2 }')
echo "== hub: fan-out to 50 streams of one mailbox, background load at half the 2 KiB rate"
start_hub
half_rate=$(awk -v r="$rate100" 'BEGIN { printf "%d", r / 2 }')
fanout=$("$bin/hub_load" fanout --port $port --pki "$pki" --streams 50 --probe-rate 20 \
  --connections 50 --rate "$half_rate" --size 2048 --seconds "$seconds")
echo "$fanout"
if [[ "$(value notifications "$fanout")" != "$(value notifications_expected "$fanout")" ]] ||
  grep -E '^(probe_)?status_[0-9]+=' <<<"$fanout" | grep -vE 'status_201=' | grep -qv '=0$'; then
  echo "bench-hub: the fan-out run lost notifications or had envelopes refused" >&2
  exit 1
fi
echo "== hub: 64 KiB envelopes, 100 connections"
start_hub
large100=$(submit 100 65536 $messages_large)
echo "$large100"
echo "== hub: 2 KiB envelopes, 1000 connections"
start_hub
small1000=$(submit 1000 2048 $messages_small)
echo "$small1000"
echo "== hub: new mTLS handshakes (8 at a time), GET /healthz on each"
start_hub
hub_handshakes=$("$bin/hub_load" handshakes --port $port --pki "$pki" --parallel 8 \
  --seconds "$seconds" --path /healthz)
echo "$hub_handshakes"
echo "== hub: $idle idle connections"
start_hub
hub_idle=$("$bin/hub_load" idle --port $port --pki "$pki" --connections $idle --parallel 32 \
  --seconds 3 --pid "$hub_pid" --path /healthz)
echo "$hub_idle"
echo "== hub: $idle idle notification streams (WebSocket), each pinged"
start_hub
hub_streams=$("$bin/hub_load" idle-streams --port $port --pki "$pki" --connections $idle \
  --parallel 32 --seconds 3 --pid "$hub_pid")
echo "$hub_streams"
if [[ "$(value held "$hub_streams")" != "$idle" ]]; then
  echo "bench-hub: not every stream was opened and answered its ping" >&2
  exit 1
fi
stop_hub
echo "== hub: morning burst, $burst_devices devices reconnecting over $burst_window s"
burst

echo "== nginx: TLS 1.3, client certificate verified against the same root and CRLs"
mkdir -p "$work/nginx/www"
head -c 2048 /dev/urandom >"$work/nginx/www/file"
# nginx's workers run as an unprivileged user: the file and its folders must be readable.
chmod 755 "$work" "$work/nginx" "$work/nginx/www"
chmod 644 "$work/nginx/www/file"
cat "$pki"/crl/*.pem >"$work/nginx/crls.pem"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile 20000;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 10000; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key;
    ssl_protocols TLSv1.3;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_session_tickets off;
    ssl_session_cache off;
    ssl_client_certificate $pki/root.pem;
    ssl_verify_client on;
    ssl_verify_depth 2;
    ssl_crl $work/nginx/crls.pem;
    root $work/nginx/www;
  }
}
EOF
/usr/sbin/nginx -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
nginx_pid=$!
sleep 1
nginx_handshakes=$("$bin/hub_load" handshakes --port $port --pki "$pki" --parallel 8 \
  --seconds "$seconds" --path /file)
echo "$nginx_handshakes"
nginx_get=$("$bin/hub_load" get --port $port --pki "$pki" --connections 100 \
  --seconds "$seconds" --path /file)
echo "$nginx_get"
kill "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

echo
echo "== summary"
echo "raw SQLite 2 KiB + audit, tx of 1:        $(value rows_per_s "$raw1")/s"
echo "raw SQLite 2 KiB + audit, tx of 32:       $(value rows_per_s "$raw32")/s"
echo "hub 2 KiB @100:   $rate100/s durable, mean of $(value ok_per_s "$small100")/s and" \
  "$(value ok_per_s "$small100b")/s ($(ratio "$rate100" "$(value rows_per_s "$raw32")")x raw" \
  "tx-of-32), p50 $(value p50_ms "$small100") / $(value p50_ms "$small100b") ms," \
  "p99 $(value p99_ms "$small100") / $(value p99_ms "$small100b") ms"
echo "hub 2 KiB @100 without log appends: $(value ok_per_s "$nologs100")/s durable" \
  "($(ratio "$(value ok_per_s "$nologs100")" "$(value rows_per_s "$raw32")")x raw tx-of-32;" \
  "with the logs $(ratio "$rate100" "$(value ok_per_s "$nologs100")")x of it)"
echo "hub 2 KiB @100 without the policy gate: $(value ok_per_s "$nogate100")/s durable" \
  "(with the gate $(ratio "$rate100" "$(value ok_per_s "$nogate100")")x of it)"
echo "CPU per accepted 2 KiB @100: hub $(value hub_cpu_us_per_ok "$small100") /" \
  "$(value hub_cpu_us_per_ok "$small100b") µs, generator $(value load_cpu_us_per_ok "$small100")" \
  "µs (without the gate: hub $(value hub_cpu_us_per_ok "$nogate100") µs)"
echo "hub 2 KiB @100 with glibc's initial heap thresholds: $(value ok_per_s "$untuned100")/s" \
  "p99 $(value p99_ms "$untuned100") ms (tuned: $(ratio "$rate100" \
  "$(value ok_per_s "$untuned100")")x of it)"
echo "fan-out:          $(value notifications "$fanout") of $(value notifications_expected "$fanout")" \
  "notes on 50 streams, p50 $(value fanout_p50_ms "$fanout") ms," \
  "p99 $(value fanout_p99_ms "$fanout") ms; background $(value background_ok_per_s "$fanout")/s" \
  "of $half_rate/s asked, p99 $(value background_p99_ms "$fanout") ms"
echo "hub 64 KiB @100:  $(value ok_per_s "$large100")/s durable" \
  "p50 $(value p50_ms "$large100") ms, p99 $(value p99_ms "$large100") ms"
echo "hub 2 KiB @1000:  $(value ok_per_s "$small1000")/s durable" \
  "p50 $(value p50_ms "$small1000") ms, p99 $(value p99_ms "$small1000") ms," \
  "503: $(value status_503 "$small1000")"
echo "handshakes/s:     hub $(value ok_per_s "$hub_handshakes"), nginx" \
  "$(value ok_per_s "$nginx_handshakes")" \
  "($(ratio "$(value ok_per_s "$hub_handshakes")" "$(value ok_per_s "$nginx_handshakes")")x)"
echo "nginx 2 KiB GET keep-alive @100: $(value ok_per_s "$nginx_get")/s" \
  "p99 $(value p99_ms "$nginx_get") ms"
echo "idle connections: $(value held "$hub_idle") of $(value requested "$hub_idle") held," \
  "$(value kib_per_connection "$hub_idle") KiB each"
echo "idle streams:     $(value held "$hub_streams") of $(value requested "$hub_streams") answered" \
  "a ping, $(value kib_per_connection "$hub_streams") KiB each" \
  "($(value kib_per_stream_idle "$hub_streams") KiB before the pings)"
burst_summaries
burst_verdict
