#!/usr/bin/env bash
# One-connection bulk goodput on [::1], side by side in one run:
#   hypermeshd HTTP/3 (STOQ)            -> gtlsclient (ngtcp2 example client)
#   gtlsserver (ngtcp2 example server)  -> gtlsclient        (the peer the issue names)
#   openssl s_server -WWW (TLS/TCP)     -> curl              (the aim: QUIC no slower than TCP)
# Each moves SIZE bytes (default 256 MiB) RUNS times (default 3); the best run counts. Every server
# runs on CPU 0 and every client on CPU 1 (when there are two), so that the scheduler placing both
# ends of a transfer on one core, now and then, does not decide the comparison.
# Usage: bench/stoq_bulk.sh BUILD_DIR [SIZE] [RUNS]
set -euo pipefail
build=${1:-build/release}
size=${2:-268435456}
runs=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
start_bench_node "$build"
server_cpu=() client_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0) client_cpu=(taskset -c 1)
  taskset -a -p -c 0 "$BENCH_PID" >/dev/null
fi
W=$BENCH_TMP/w
mkdir -p "$W/www" "$W/dl"
python3 -c "
import sys; b=bytes(i % 251 for i in range(251*4096)); n=$size
with open('$W/www/blob','wb') as f:
    while n: k=min(n,len(b)); f.write(b[:k]); n-=k"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null

best() { sort -g | tail -1; }
gbps() { python3 -c "print(f'{$size*8/$1/1e9:.2f}')"; }
timed() {  # timed CMD...: seconds of the command
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
  t1=$(date +%s.%N); python3 -c "print($t1-$t0)"
}

h3() {
  rm -f "$W/dl/$size"
  (cd "$W" && "${client_cpu[@]}" gtlsclient -q --exit-on-all-streams-close --download="$W/dl" --max-data=1G \
     --max-stream-data-bidi-local=512M ::1 "$BENCH_PORT" "https://[::1]:$BENCH_PORT/api/v1/bench/bytes/$size")
  [ "$(stat -c %s "$W/dl/$size")" = "$size" ]
}
pair() {
  rm -f "$W/dl/blob"
  (cd "$W" && "${client_cpu[@]}" gtlsclient -q --exit-on-all-streams-close --download="$W/dl" --max-data=1G \
     --max-stream-data-bidi-local=512M ::1 "$PAIR_PORT" "https://[::1]:$PAIR_PORT/blob")
  [ "$(stat -c %s "$W/dl/blob")" = "$size" ]
}
tcp() { "${client_cpu[@]}" curl -sS -k --http1.1 -o /dev/null "https://[::1]:$TCP_PORT/blob"; }

PAIR_PORT=$(free_port udp)
"${server_cpu[@]}" gtlsserver -q -d "$W/www" ::1 "$PAIR_PORT" "$W/key.pem" "$W/cert.pem" >/dev/null 2>&1 &
pair_pid=$!
TCP_PORT=$(free_port tcp)
(cd "$W/www" && exec "${server_cpu[@]}" openssl s_server -quiet -WWW -accept "[::1]:$TCP_PORT" -cert "$W/cert.pem" \
   -key "$W/key.pem" >/dev/null 2>&1) &
tcp_pid=$!
trap 'kill $pair_pid $tcp_pid 2>/dev/null; [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
sleep 1

# Runs interleave (h3, pair, tcp, h3, ...) so that a noisy moment hits every path alike.
declare -A secs all
for _ in $(seq 1 "$runs"); do
  for name in h3 pair tcp; do all[$name]+="$(timed $name) "; done
done
for name in h3 pair tcp; do
  secs[$name]=$(printf '%s\n' ${all[$name]} | sort -g | head -1)
done
printf 'size %d MiB, best of %d runs, one connection each\n' $((size >> 20)) "$runs"
for name in h3 pair tcp; do printf '  %-5s runs (s): %s\n' "$name" "${all[$name]}"; done
printf '%-48s %6s Gbit/s\n' "hypermeshd HTTP/3 -> gtlsclient" "$(gbps "${secs[h3]}")"
printf '%-48s %6s Gbit/s\n' "gtlsserver -> gtlsclient (ngtcp2 example pair)" "$(gbps "${secs[pair]}")"
printf '%-48s %6s Gbit/s\n' "openssl s_server -WWW -> curl (TLS over TCP)" "$(gbps "${secs[tcp]}")"
python3 -c "print(f'ratio vs ngtcp2 pair: {${secs[pair]}/${secs[h3]}:.2f}x   vs TLS/TCP: {${secs[tcp]}/${secs[h3]}:.2f}x')"
