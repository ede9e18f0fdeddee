#!/usr/bin/env bash
# stoq/1 figures on [::1] against a release hypermeshd --dev (issue 6, "Speed"):
#   - RPC latency: stoq.ping (64 B) offered at RATE calls/s (default 10,000) for 5 s, open loop,
#     over one connection with the post-quantum channel; p50/p99 (required: p99 < 1 ms);
#   - bulk throughput over stoq.bulk (16 MB calls, verified);
#   - handshake rate: HANDSHAKES stoq/1 connections, 256 at a time (more only queue), each through
#     TLS 1.3, the ML-KEM-1024 + Falcon-1024 exchange and both key updates (required: >= 1,000/s),
#     and the CPU each side spends per handshake;
#   - IDLE concurrent idle connections (default 100,000) and the node's memory per connection
#     (required: <= 20 KB).
# Usage: bench/stoq_rpc.sh BUILD_DIR [RATE] [HANDSHAKES] [IDLE]
set -euo pipefail
build=${1:-build/release}
rate=${2:-10000}
handshakes=${3:-5000}
idle=${4:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
hm=$build/src/cli/hm
cfg=$(mktemp /tmp/hm-stoq-bench.XXXXXX.toml)
printf '[stoq]\nmax_connections = %d\nidle_timeout_s = 120\n' $((idle + 1000)) >"$cfg"
start_bench_node "$build" --config "$cfg"
rm -f "$cfg"
ulimit -n 65536 2>/dev/null || true
id=(--data-dir "$BENCH_TMP/data")
target="[::1]:$BENCH_PORT"
echo "== stoq/1 on $target ($(nproc) cores, $(date -u +%F))"
"$hm" stoq bench "$target" "${id[@]}" --rate "$rate" --seconds 5 || echo "(failed, exit $?)"
"$hm" stoq bench "$target" "${id[@]}" --bulk 16000000 --bulk-calls 8 || echo "(failed, exit $?)"
# CPU per handshake on each side: the node's utime + stime from /proc, the load generator's from
# the subshell's `times` (its children's line).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
node_before=$(cpu_ticks "$BENCH_PID")
( "$hm" stoq bench "$target" "${id[@]}" --handshakes "$handshakes" --concurrency 256 || echo "(failed, exit $?)"
  times >"$BENCH_TMP/client.times" )
node_after=$(cpu_ticks "$BENCH_PID")
python3 - "$handshakes" "$node_before" "$node_after" "$(getconf CLK_TCK)" "$BENCH_TMP/client.times" <<'PY'
import re, sys
n, before, after, hz = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
client = sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", open(sys.argv[5]).read().splitlines()[-1]))
print(f"cpu per handshake: node {(after - before) / hz / n * 1e3:.2f} ms, "
      f"load generator {client / n * 1e3:.2f} ms")
PY
"$hm" stoq bench "$target" "${id[@]}" --idle "$idle" --hold 10 --server-pid "$BENCH_PID" || echo "(failed, exit $?)"
