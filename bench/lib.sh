# Shared by the HTTP benchmarks: start a release hypermeshd --dev on a free port in a scratch
# directory, removed (and the node stopped) on exit. Sets BENCH_TMP, BENCH_PORT, BENCH_ROOT_PEM.
# Usage: source bench/lib.sh; start_bench_node BUILD_DIR [extra hypermeshd args...]
start_bench_node() {
  local hmd=$1/src/node/hypermeshd
  shift
  [ -x "$hmd" ] || { echo "bench: $hmd not built (make build-release)"; exit 1; }
  BENCH_TMP=$(mktemp -d /tmp/hm-bench.XXXXXX)
  BENCH_PID=""
  trap '[ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
  launch_bench_node "$hmd" "$@"
  BENCH_ROOT_PEM=$BENCH_TMP/data/tls/root.pem
}

# restart_bench_node BUILD_DIR [extra hypermeshd args...]: stops the node and starts it again on
# the same data directory (same identity), so that a memory figure starts from a fresh process.
restart_bench_node() {
  local hmd=$1/src/node/hypermeshd
  shift
  kill "$BENCH_PID" 2>/dev/null || true
  wait "$BENCH_PID" 2>/dev/null || true
  launch_bench_node "$hmd" "$@"
}

# launch_bench_node HYPERMESHD [args...]: starts it on $BENCH_TMP/data; sets BENCH_PID, BENCH_PORT.
launch_bench_node() {
  local hmd=$1
  shift
  "$hmd" --dev --data-dir "$BENCH_TMP/data" --port 0 --dns-port 0 --log-level warn "$@" >"$BENCH_TMP/node.log" 2>&1 &
  BENCH_PID=$!
  for _ in $(seq 1 100); do grep -q 'listening on https://' "$BENCH_TMP/node.log" && break; sleep 0.1; done
  BENCH_PORT=$(sed -nE 's/.*listening on https:\/\/\[[^]]*\]:([0-9]+).*/\1/p' "$BENCH_TMP/node.log")
  [ -n "$BENCH_PORT" ] || { echo "bench: hypermeshd did not start"; cat "$BENCH_TMP/node.log"; exit 1; }
}

# free_port udp|tcp: a port on [::1] nothing listens on right now.
free_port() {
  local kind=SOCK_STREAM
  [ "$1" = udp ] && kind=SOCK_DGRAM
  python3 -c "import socket; s=socket.socket(socket.AF_INET6, socket.$kind); s.bind(('::1',0)); print(s.getsockname()[1])"
}

# report LABEL WRK_OUTPUT_FILE: one line with rate, p50 and p99.
report() {
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$2")
  p50=$(awk '$1=="50%" {print $2}' "$2")
  p99=$(awk '$1=="99%" {print $2}' "$2")
  printf '%-44s %10s /s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
}
