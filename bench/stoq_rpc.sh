#!/usr/bin/env bash
# stoq/1 figures on [::1] against a release hypermeshd --dev (issue 6, "Speed"):
#   - RPC latency: stoq.ping (64 B) offered at RATE calls/s (default 10,000) for 5 s, open loop,
#     over one connection with the post-quantum channel; p50/p99 (required: p99 < 1 ms);
#   - bulk throughput over stoq.bulk (16 MB calls, verified);
#   - handshake rate: HANDSHAKES stoq/1 connections, 256 at a time (more only queue), each through
#     TLS 1.3, the ML-KEM-1024 + Falcon-1024 exchange and both key updates (required: >= 1,000/s),
#     and the CPU each side spends per handshake;
#   - IDLE concurrent idle HTTP/3 connections (default 100,000) and the node's memory per
#     connection (required: <= 20 KB); IDLE_PEER (default 20,000) idle stoq/1 connections;
#   - beside them, ngtcp2's example server (gtlsserver) under the same load generator: its h3
#     handshake rate and CPU, and its memory per idle h3 connection (IDLE_PEER of them).
# Usage: bench/stoq_rpc.sh BUILD_DIR [RATE] [HANDSHAKES] [IDLE] [IDLE_PEER]
set -euo pipefail
build=${1:-build/release}
rate=${2:-10000}
handshakes=${3:-5000}
idle=${4:-100000}
idle_peer=${5:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
hm=$build/src/cli/hm
cfg=$(mktemp /tmp/hm-stoq-bench.XXXXXX.toml)
printf '[stoq]\nmax_connections = %d\nidle_timeout_s = 120\n' $((idle + 1000)) >"$cfg"
start_bench_node "$build" --config "$cfg"
mv "$cfg" "$BENCH_TMP/stoq.toml"
ulimit -n 65536 2>/dev/null || true
id=(--data-dir "$BENCH_TMP/data")
target="[::1]:$BENCH_PORT"
echo "== stoq/1 on $target ($(nproc) cores, $(date -u +%F))"
"$hm" stoq bench "$target" "${id[@]}" --rate "$rate" --seconds 5 || echo "(failed, exit $?)"
"$hm" stoq bench "$target" "${id[@]}" --bulk 16000000 --bulk-calls 8 || echo "(failed, exit $?)"
# Handshakes and idle connections side by side with ngtcp2's example server (gtlsserver, TLS
# only, no PQ channel) driven by the same load generator: what the QUIC/TLS stack alone costs
# on this machine, next to the node's h3 (TLS only) and stoq/1 (PQ channel) figures.
W=$BENCH_TMP/gtlsserver
mkdir -p "$W/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
  -keyout "$W/ca.key" -out "$W/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=::1" \
  -keyout "$W/key.pem" -out "$W/leaf.csr" 2>/dev/null
printf 'subjectAltName=IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$W/ext"
openssl x509 -req -in "$W/leaf.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial -days 1 \
  -extfile "$W/ext" -out "$W/cert.pem" 2>/dev/null
PAIR_PORT=$(free_port udp)
gtlsserver -q -d "$W/www" ::1 "$PAIR_PORT" "$W/key.pem" "$W/cert.pem" >/dev/null 2>&1 &
pair_pid=$!
trap 'kill $pair_pid 2>/dev/null; [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
sleep 1
pair=("[::1]:$PAIR_PORT" "${id[@]}" --roots "$W/ca.pem")

# handshake_run LABEL SERVER_PID TARGET ARGS...: the rate, and the CPU each side spends per
# handshake: the server's utime + stime from /proc, the load generator's from the subshell's
# `times` (its children's line).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
handshake_run() {
  local label=$1 pid=$2 before after
  shift 2
  before=$(cpu_ticks "$pid")
  ( "$hm" stoq bench "$@" --handshakes "$handshakes" --concurrency 256 >"$BENCH_TMP/hs.out" ||
      echo "(failed, exit $?)" >>"$BENCH_TMP/hs.out"
    times >"$BENCH_TMP/client.times" )
  after=$(cpu_ticks "$pid")
  echo "-- $label"
  cat "$BENCH_TMP/hs.out"
  python3 - "$handshakes" "$before" "$after" "$(getconf CLK_TCK)" "$BENCH_TMP/client.times" <<'PY'
import re, sys
n, before, after, hz = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
client = sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", open(sys.argv[5]).read().splitlines()[-1]))
print(f"cpu per handshake: server {(after - before) / hz / n * 1e3:.2f} ms, "
      f"load generator {client / n * 1e3:.2f} ms")
PY
}
handshake_run "hypermeshd, stoq/1 (TLS 1.3 + PQ channel)" "$BENCH_PID" "$target" "${id[@]}"
handshake_run "hypermeshd, h3 (TLS 1.3 only)" "$BENCH_PID" "$target" "${id[@]}" --alpn h3
handshake_run "gtlsserver, h3 (TLS 1.3 only)" "$pair_pid" "${pair[@]}" --alpn h3

# Each idle run starts from a fresh node: memory that earlier runs freed (malloc keeps it) would
# otherwise be reused and hidden from the figure.
restart_bench_node "$build" --config "$BENCH_TMP/stoq.toml"
echo "-- hypermeshd, $idle idle h3 connections"
"$hm" stoq bench "[::1]:$BENCH_PORT" "${id[@]}" --idle "$idle" --hold 10 --server-pid "$BENCH_PID" || echo "(failed, exit $?)"
restart_bench_node "$build" --config "$BENCH_TMP/stoq.toml"
echo "-- hypermeshd, $idle_peer idle stoq/1 connections (PQ channel up)"
"$hm" stoq bench "[::1]:$BENCH_PORT" "${id[@]}" --idle "$idle_peer" --alpn stoq/1 --hold 10 --server-pid "$BENCH_PID" || echo "(failed, exit $?)"
echo "-- gtlsserver, $idle_peer idle h3 connections"
"$hm" stoq bench "${pair[@]}" --idle "$idle_peer" --hold 10 --server-pid "$pair_pid" || echo "(failed, exit $?)"
