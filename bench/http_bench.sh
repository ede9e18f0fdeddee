#!/usr/bin/env bash
# /healthz over HTTPS (TLS 1.3, keep-alive) with wrk against a release hypermeshd --dev.
#  1. paced: 10 connections x 1 request per 10 ms (about 1,000 req/s) -> p99 latency
#  2. flat out: 50 connections -> requests/s and p99
# Usage: bench/http_bench.sh [RELEASE_BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build/release}
secs=${2:-15}
hmd=$build/src/node/hypermeshd
[ -x "$hmd" ] || { echo "http_bench: $hmd not built (make build-release)"; exit 1; }
tmp=$(mktemp -d /tmp/hm-http-bench.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$hmd" --dev --data-dir "$tmp/data" --port 0 --log-level warn >"$tmp/node.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$tmp/node.log" && break; sleep 0.1; done
port=$(sed -nE 's/.*listening on https:\/\/\[[^]]*\]:([0-9]+).*/\1/p' "$tmp/node.log")
url="https://[::1]:$port/healthz"
printf 'function delay()\n  return 10\nend\n' >"$tmp/paced.lua"

report() {  # label, wrk output file
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$2")
  p50=$(awk '$1=="50%" {print $2}' "$2")
  p99=$(awk '$1=="99%" {print $2}' "$2")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
}

echo "hypermeshd /healthz over HTTPS keep-alive, ${secs}s per run, $(nproc) cores shared with wrk"
wrk -t1 -c10 -d"${secs}s" --latency -s "$tmp/paced.lua" "$url" >"$tmp/paced.txt"
report "paced (10 conns, 1 req/10 ms each)" "$tmp/paced.txt"
wrk -t2 -c50 -d"${secs}s" --latency "$url" >"$tmp/flat.txt"
report "flat out (50 conns)" "$tmp/flat.txt"
grep -E 'Non-2xx|Socket errors' "$tmp/paced.txt" "$tmp/flat.txt" || true
